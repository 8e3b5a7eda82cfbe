"""Per-speaker counts and durations of a corpus, for ``tts corpus info``."""

from __future__ import annotations

from dataclasses import dataclass

import soundfile

from tts.corpora.corpus import Utterance


@dataclass(frozen=True)
class SpeakerSummary:
    """How much audio one speaker has; ``unreadable`` counts recordings whose header is unreadable."""

    speaker: str
    languages: tuple[str, ...]
    utterances: int
    seconds: float
    unreadable: int


def summarize(utterances: list[Utterance]) -> list[SpeakerSummary]:
    """One :class:`SpeakerSummary` per speaker, in order of first appearance.

    Durations come from the audio file headers (fast: no samples are decoded).
    """
    groups: dict[str, list[Utterance]] = {}
    for utterance in utterances:
        groups.setdefault(utterance.speaker, []).append(utterance)
    return [_summarize_speaker(speaker, group) for speaker, group in groups.items()]


def _summarize_speaker(speaker: str, utterances: list[Utterance]) -> SpeakerSummary:
    durations = [_duration(u) for u in utterances]
    languages = tuple(dict.fromkeys(u.language or "?" for u in utterances))
    readable = [d for d in durations if d is not None]
    return SpeakerSummary(speaker, languages, len(utterances), sum(readable), len(durations) - len(readable))


def _duration(utterance: Utterance) -> float | None:
    try:
        return soundfile.info(str(utterance.audio_path)).duration
    except (RuntimeError, soundfile.LibsndfileError):
        return None
