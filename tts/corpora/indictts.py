"""IIT Madras IndicTTS database: festival-style transcripts per language and gender.

Layout (recordings at 48 kHz; :func:`base.audio.load_wav` resamples them)::

    <Lang>/<male|female>/mono/txt.done.data     ( train_hindifullmale_00001 " text " )
    <Lang>/<male|female>/mono/wav/<id>.wav

Every ``txt.done.data`` under the given folder is read, so the path may be the whole database,
one language, or one speaker. The speaker is ``<lang>_<gender>`` (``hindi_male``) and the
language is taken from the ``<Lang>`` folder name.
"""

from __future__ import annotations

import re
from pathlib import Path

from base.errors import TTSError
from tts.corpora.corpus import CorpusCollector, CorpusReadResult, Utterance
from tts.corpora.languages import language_code
from tts.corpora.registry import register_format

TRANSCRIPT = "txt.done.data"
GENDERS = ("male", "female")

# ( utt_id "text" ) -- greedy up to the last quote, since a transcript may itself hold quotes.
_FESTIVAL_LINE = re.compile(r'^\(\s*(?P<id>\S+)\s+"(?P<text>.*)"\s*\)$')


@register_format("indictts")
def read_indictts(path: Path, language: str | None = None) -> CorpusReadResult:
    """Read every ``txt.done.data`` under ``path`` (or ``path`` itself if it is one).

    Args:
        path: the database root, a ``<Lang>`` folder, a speaker folder or a ``txt.done.data``.
        language: language code for all utterances; by default from the ``<Lang>`` folder name.
    """
    transcripts = [path] if path.is_file() else sorted(path.rglob(TRANSCRIPT))
    if not transcripts:
        raise TTSError(f"{path}: no {TRANSCRIPT} found; an IndicTTS corpus has <Lang>/<male|female>/mono/{TRANSCRIPT}")
    collector = CorpusCollector()
    for transcript in transcripts:
        speaker, folder_language = speaker_of(transcript)
        _read_transcript(transcript, speaker, language or folder_language, collector)
    return collector.result()


def speaker_of(transcript: Path) -> tuple[str, str | None]:
    """``(speaker, language code)`` from a transcript's path: ``Hindi/male/mono/...`` -> ``hindi_male``.

    Without a ``male``/``female`` folder in the path, the speaker is the transcript's folder name.
    """
    parts = transcript.resolve().parent.parts
    for index in range(len(parts) - 1, 0, -1):
        if parts[index].lower() in GENDERS:
            language_name = parts[index - 1]
            code = language_code(language_name)
            return f"{language_name.lower()}_{parts[index].lower()}", code
    return parts[-1], None


def _read_transcript(transcript: Path, speaker: str, language: str | None, collector: CorpusCollector) -> None:
    wav_dir = transcript.parent / "wav"
    with open(transcript, encoding="utf-8") as handle:
        for line_number, line in enumerate(handle, start=1):
            line = line.strip()
            if not line:
                continue
            match = _FESTIVAL_LINE.match(line)
            if match is None:
                collector.problem(transcript, line_number, f'not a festival line ( id "text" ): {line[:60]!r}')
                continue
            utt_id = match["id"]
            utterance = Utterance(wav_dir / f"{utt_id}.wav", match["text"].strip(), speaker, language, utt_id)
            collector.add(utterance, transcript, line_number)
