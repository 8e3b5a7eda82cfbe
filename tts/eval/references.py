"""The evaluation sentences (the unseen set, or held-out phrasebook sentences) and their espeak-ng
references."""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from base.errors import TTSError
from base.files import atomic_path

log = logging.getLogger(__name__)

HELD_OUT_SEED = 1000  # the training corpora are generated with seed 0
HELD_OUT_SENTENCES = 50  # the held-out set's default size


# -- held-out sentences and their references -----------------------------------------------------


def held_out_sentences(
    language: str,
    count: int,
    exclude: Collection[str],
    seed: int = HELD_OUT_SEED,
    normalized_exclude: Collection[str] = (),
) -> list[str]:
    """``count`` phrasebook sentences of ``language`` (as typed) that are not in ``exclude``.

    They are the first sentences of ``generate_sentences(language, n, seed)`` whose text is not
    in ``exclude`` (the training transcripts) and, when ``normalized_exclude`` is given, whose
    normalization (``text.normalize``) is not in it either (the normalized texts of a prepared
    training set). The same arguments give the same sentences.

    Raises:
        TTSError: unknown language, or the phrasebook has fewer than ``count`` sentences left.
    """
    import text
    from tts.corpora.sentences import generate_sentences, languages

    if language not in languages():
        raise TTSError(f"no sentences for language {language!r}; choose one of {', '.join(languages())}")
    if count < 1:
        raise TTSError(f"the number of sentences must be at least 1, got {count}")
    exclude = set(exclude)
    normalized_exclude = set(normalized_exclude)
    verdicts: dict[str, bool] = {}

    def keep(sentence_text: str) -> bool:
        if sentence_text not in verdicts:
            verdicts[sentence_text] = sentence_text not in exclude and (
                not normalized_exclude or text.normalize(sentence_text, language) not in normalized_exclude
            )
        return verdicts[sentence_text]

    # The first n sentences do not depend on how many are asked for, so growing n only extends
    # the list; count + |exclude| always suffices, if the phrasebook can make that many. When it
    # cannot make n, the most it can make is searched for between the last n it made and n.
    limit = count + len(exclude) + len(normalized_exclude)
    n, kept = min(limit, 2 * count + 20), []
    made, too_many = 0, None
    while True:
        try:
            candidates = generate_sentences(language, n, seed)
        except TTSError:  # the phrasebook cannot make n distinct sentences
            too_many = n
        else:
            made, kept = n, [s.text for s in candidates if keep(s.text)]
            if len(kept) >= count or n >= limit:
                break
        if too_many is None:
            n = min(limit, 2 * n)
        elif too_many - made > 1:
            n = (made + too_many) // 2
        else:
            break
    if len(kept) < count:
        raise TTSError(
            f"the {language} phrasebook cannot give {count} sentences outside the training set "
            f"({len(kept)} found); ask for fewer with --sentences"
        )
    return kept[:count]


def training_texts(corpus: str | Path | None = None, data_dir: str | Path | None = None) -> tuple[set[str], set[str]]:
    """Transcripts a voice was trained on: raw ones from a ``manifest`` corpus and normalized ones
    from a prepared directory (``train.tsv`` and ``val.tsv``). Returns ``(raw, normalized)``."""
    raw: set[str] = set()
    normalized: set[str] = set()
    if corpus is not None:
        from tts.corpora import read_corpus

        result = read_corpus("manifest", str(corpus))
        raw.update(u.text for u in result.utterances)
    if data_dir is not None:
        from tts.training.data import read_split

        for split in ("train", "val"):
            if (Path(data_dir) / f"{split}.tsv").is_file():
                normalized.update(item.text for item in read_split(data_dir, split))
    return raw, normalized


@dataclass(frozen=True)
class Reference:
    """A held-out sentence and espeak-ng's rendering of it, trimmed like training audio."""

    text: str  # as typed
    normalized: str  # what the voice reads and espeak-ng speaks
    wav: Path  # the cached, untrimmed espeak-ng output
    audio: np.ndarray  # trimmed, float32 [T]
    mel: np.ndarray  # [n_mel, frames] of the trimmed audio


def make_references(
    sentences: Sequence[str],
    language: str,
    mel_config: Any,
    workdir: str | Path,
    style_index: int = 0,
    trim: Any = None,
    progress: bool = False,
) -> list[Reference]:
    """espeak-ng's rendering of each sentence, made as the synthetic corpus makes its clips.

    The voice is ``VOICES[language]`` with ``SPEAKER_STYLES[style_index]``; the text spoken is
    ``text.normalize(sentence, language)``. Wavs are cached in ``workdir/references`` by their
    settings, engine version and text, so a second evaluation speaks nothing again. The audio is trimmed like
    ``tts prepare`` trims training clips (``trim``: a :class:`tts.prepare.PrepareConfig`).
    """
    from tqdm import tqdm

    import text
    from base.audio import load_wav, mel_spectrogram
    from tts.corpora.synthetic import AMPLITUDE, SPEAKER_STYLES, VOICES, espeak_version, speak
    from tts.prepare import PrepareConfig, _trim

    if language not in VOICES:
        raise TTSError(f"no espeak-ng reference voice for language {language!r}; choose one of {', '.join(VOICES)}")
    if not 0 <= style_index < len(SPEAKER_STYLES):
        raise TTSError(f"reference style must be between 0 and {len(SPEAKER_STYLES) - 1}, got {style_index}")
    trim = trim or PrepareConfig()
    style, espeak_voice = SPEAKER_STYLES[style_index], VOICES[language]
    # The engine's version names the folder too: another espeak-ng speaks differently, and a
    # cached reference must be what this one says.
    engine = re.sub(r"[^a-z0-9.]+", "-", espeak_version().lower()).strip("-")
    folder = Path(workdir) / "references" / language / f"{style.name(espeak_voice)}_a{AMPLITUDE}_{engine}"
    folder.mkdir(parents=True, exist_ok=True)
    references = []
    for sentence in tqdm(sentences, desc=f"references {language}", unit="sentence", disable=not progress):
        spoken = text.normalize(sentence, language)
        wav = folder / f"{hashlib.sha1(spoken.encode('utf-8')).hexdigest()[:20]}.wav"
        if not wav.is_file():
            # Spoken to a file of this process's own, then renamed: evaluations sharing a
            # workdir never read each other's half-written references.
            with atomic_path(wav, suffix=".tmp.wav") as tmp:
                speak(spoken, espeak_voice, style, tmp)
        audio = _trim(load_wav(wav, mel_config.sampling_rate), mel_config.sampling_rate, trim)
        mel = mel_spectrogram(audio, mel_config).numpy()
        references.append(Reference(sentence, spoken, wav, audio.numpy(), mel))
    return references


def reference_style(voice: Any, speaker: int) -> int:
    """The espeak-ng speaker style that spoke the voice's speaker ``speaker`` in its synthetic
    corpus (matched by the speaker's name, e.g. ``hi_f3_p65_s150``); 0 when it is not one."""
    from tts.corpora.synthetic import SPEAKER_STYLES

    speakers = list(getattr(voice, "speakers", None) or getattr(voice.manifest, "speakers", []) or [])
    if 0 <= speaker < len(speakers):
        name = str(speakers[speaker])
        for index, style in enumerate(SPEAKER_STYLES):
            if name.endswith("_" + style.name("x").split("_", 1)[1]):
                return index
    return 0
