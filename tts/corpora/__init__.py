"""Corpus readers and the synthetic espeak-ng corpus.

Each corpus layout has a reader registered by name (like Coqui TTS's formatters)::

    from tts.corpora import read_corpus
    result = read_corpus("indictts", "data/IndicTTS/Hindi")
    result.utterances   # [Utterance(audio_path, text, speaker, language, utt_id), ...]
    result.problems     # [Problem(file, line, reason), ...]: entries left out, also logged

Formats: ``ljspeech``, ``indictts``, ``syspin``, ``openslr``, ``manifest`` (see their modules).

:func:`tts.corpora.synthetic.synthesize_corpus` (``tts corpus synth``) speaks generated sentences
with espeak-ng into a ``manifest`` corpus; it is not imported here, so that reading a corpus does
not load torch.
"""

from tts.corpora import indictts, ljspeech, manifest, openslr, syspin  # noqa: F401  (register formats)
from tts.corpora.corpus import CorpusReadResult, Problem, Utterance
from tts.corpora.manifest import write_manifest
from tts.corpora.registry import FORMATS, format_options, read_corpus, register_format

__all__ = [
    "FORMATS",
    "CorpusReadResult",
    "Problem",
    "Utterance",
    "format_options",
    "read_corpus",
    "register_format",
    "write_manifest",
]
