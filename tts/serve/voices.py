"""The voices a server speaks with: loaded once at start, chosen per request by name or language.

A client picks among these voices only, by name or by language; it can never make the server
open a path. Loaded voices are shared by the workers: a :class:`tts.voice.Voice` holds no state
that synthesis changes (the espeak-ng phonemizer is behind a lock).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

import text
from base.errors import TTSError
from tts.serve.requests import RequestError, SpeechRequest

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Choice:
    """The voice (with the vocoder asked for), language and speaker of one request."""

    voice: Any  # a tts.voice.Voice
    language: str | None
    speaker: int


class VoiceRegistry:
    """Loaded voices by name, the first one the default.

    Args:
        voices: loaded :class:`tts.voice.Voice` objects, by name (at least one).
    """

    def __init__(self, voices: Mapping[str, Any]) -> None:
        if not voices:
            raise TTSError("no voices to serve; train one (`python recipes/hinglish/run.sh`) or pass --voice PATH")
        self.voices = dict(voices)
        self.default = next(iter(self.voices))

    @classmethod
    def load(
        cls,
        voices: Sequence[str] = (),
        languages: Sequence[str] = (),
        loader: Callable[[str], Any] | None = None,
    ) -> VoiceRegistry:
        """Load the voices to serve: ``voices`` (names or bundle paths: the operator's choice) and
        the default voice of each of ``languages``; with neither, every voice ``tts voices``
        lists. Each is loaded once, however many requests it serves.

        Raises:
            TTSError: a voice that cannot be found or loaded, or two voices of one name.
        """
        from tts.voice import load_voice
        from tts.voice_manifest import list_voices, voice_for_language

        load = loader or load_voice
        wanted: list[Any] = list(voices) + [voice_for_language(code) for code in languages]
        if not wanted:
            wanted = [entry.path for entry in list_voices()]
        loaded: dict[str, Any] = {}
        sources: dict[str, str] = {}
        for source in wanted:
            voice = load(source)
            if voice.name in loaded:
                if str(voice.path) == sources[voice.name]:
                    continue
                raise TTSError(
                    f"two voices are named {voice.name!r} ({sources[voice.name]} and {voice.path}); serve one of them"
                )
            loaded[voice.name] = voice
            sources[voice.name] = str(voice.path)
            log.info("serving voice %r (%s)", voice.name, ", ".join(voice.languages))
        return cls(loaded)

    def describe(self) -> list[dict[str, Any]]:
        """What ``GET /api/voices`` lists: per voice its languages, speakers, vocoders and rate (no paths)."""
        return [
            {
                "name": name,
                "languages": list(voice.languages),
                "speakers": list(voice.speakers),
                "vocoders": list(voice.vocoders),
                "default_vocoder": voice.vocoder_kind,
                "sample_rate": voice.sample_rate,
                "engine": voice.engine,
                "default": name == self.default,
            }
            for name, voice in self.voices.items()
        ]

    def choose(self, request: SpeechRequest) -> Choice:
        """The voice, language and speaker for ``request``: ``voice`` as a voice name, else as a
        language (the voice whose first language it is, else one that speaks it).

        Raises:
            RequestError: (400) no such voice or language here, or a language or speaker the
                voice does not have.
        """
        language = request.language
        if request.voice is None:
            voice = self.voices[self.default]
        elif request.voice in self.voices:
            voice = self.voices[request.voice]
        else:
            voice, named = self._by_language(request.voice)
            language = language or named
        try:
            code = voice.text_processor.language(language) if language is not None else None
        except (TTSError, text.TextError) as exc:
            raise RequestError(400, str(exc), "language") from None
        try:
            speaker = voice.speaker_id(request.speaker)
        except TTSError as exc:
            raise RequestError(400, str(exc), "speaker") from None
        if request.vocoder != "auto":
            try:
                voice = voice.using(request.vocoder)
            except TTSError as exc:
                raise RequestError(400, str(exc), "vocoder") from None
        return Choice(voice, code, speaker)

    def _by_language(self, name: str) -> tuple[Any, str]:
        try:
            code = text.resolve_language(name).code
        except text.TextError:
            code = None
        if code is not None:
            for first_only in (True, False):
                for voice in self.voices.values():
                    if (voice.languages[0] == code) if first_only else (code in voice.languages):
                        return voice, code
        languages = sorted({code for voice in self.voices.values() for code in voice.languages})
        raise RequestError(
            400,
            f"no voice {name!r} here; voices: {', '.join(self.voices)} (or a language: {', '.join(languages)}; "
            "see GET /api/voices)",
            "voice",
        )


def speech(choice: Choice, request: SpeechRequest) -> Iterator[np.ndarray]:
    """The audio pieces of ``request`` as the chosen voice makes them (:meth:`tts.voice.Voice.stream`)."""
    return choice.voice.stream(
        request.text, choice.language, choice.speaker, request.sigma, seed=request.seed, speed=request.speed
    )
