"""What a client asks the server for, checked: :class:`SpeechRequest` from the JSON of
``POST /v1/audio/speech`` (OpenAI's speech API) and ``POST /api/speak`` (the page), or from the
query of ``GET /api/tts`` (Coqui's). Every problem is a :class:`RequestError` that names the field
and what it takes."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from tts.audio_encoding import ENCODINGS
from tts.serve.config import ServeConfig
from tts.vocoding import DEFAULT_SIGMA
from tts.voice import SPEEDS
from tts.voice_manifest import VOCODERS

SIGMAS = (0.0, 2.0)  # WaveGlow latent scales a request may ask for
SEED_MAX = 2**32 - 1


class RequestError(Exception):
    """A request the server will not do: the HTTP status, a message that says what to change,
    and the field it concerns (``param``), as OpenAI's errors name it."""

    def __init__(self, status: int, message: str, param: str | None = None, headers: Mapping[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.param = param
        self.headers = dict(headers or {})

    def body(self) -> dict[str, Any]:
        """The JSON error body, in OpenAI's shape: ``{"error": {"message", "type", "param", "code"}}``."""
        kind = "invalid_request_error" if self.status < 500 else "server_error"
        return {"error": {"message": self.message, "type": kind, "param": self.param, "code": self.status}}


@dataclass(frozen=True)
class SpeechRequest:
    """One synthesis, checked.

    Attributes:
        text: what to say (1 to ``max_chars`` characters, not only white space).
        voice: a voice name or a language (None: the server's first voice).
        language: the language to read the text in (None: the voice's default, or the language
            ``voice`` named).
        speaker: a speaker name or index of the voice.
        vocoder: ``"auto"`` (the voice's default), ``"waveglow"`` or ``"griffinlim"``.
        sigma: WaveGlow's latent scale.
        speed: speaking rate (:data:`tts.voice.SPEEDS`).
        seed: noise seed (None: fresh noise).
        response_format: ``"wav"``, ``"flac"`` or ``"pcm"`` (16-bit little-endian mono).
        stream: send the audio as it is made (chunked transfer).
    """

    text: str
    voice: str | None = None
    language: str | None = None
    speaker: str | int = 0
    vocoder: str = "auto"
    sigma: float = DEFAULT_SIGMA
    speed: float = 1.0
    seed: int | None = None
    response_format: str = "wav"
    stream: bool = False


def speech_request(payload: Any, config: ServeConfig) -> SpeechRequest:
    """The request in the JSON body of ``POST /v1/audio/speech`` (or ``/api/speak``).

    OpenAI's fields: ``input`` (required), ``voice`` (a voice name or a language), ``model``
    (accepted, not used: the voice decides), ``response_format``, ``speed``, and streaming by
    ``"stream": true`` or ``"stream_format": "audio"``. This server's own: ``language``,
    ``speaker``, ``vocoder``, ``sigma``, ``seed``. Other fields are ignored, as OpenAI clients send
    some (``instructions``).
    """
    if not isinstance(payload, Mapping):
        raise RequestError(400, f"the body must be a JSON object, got {type(payload).__name__}")
    fields = _Fields(payload)
    fields.string("model", required=False)
    stream_format = fields.string("stream_format", required=False)
    if stream_format not in (None, "audio"):
        raise RequestError(400, f"stream_format {stream_format!r} is not supported; use 'audio'", "stream_format")
    encoding = fields.string("response_format", required=False) or "wav"
    if encoding not in ENCODINGS:
        raise RequestError(
            400, f"response_format {encoding!r} is not supported; use one of {', '.join(ENCODINGS)}", "response_format"
        )
    stream = payload.get("stream", False)
    if not isinstance(stream, bool):
        raise RequestError(400, f"stream must be true or false, got {stream!r}", "stream")
    return SpeechRequest(
        text=_text(fields.string("input", required=True) or "", "input", config),
        voice=fields.string("voice", required=False),
        language=fields.string("language", required=False),
        speaker=fields.speaker("speaker"),
        vocoder=fields.vocoder("vocoder"),
        sigma=fields.number("sigma", DEFAULT_SIGMA, SIGMAS),
        speed=fields.number("speed", 1.0, SPEEDS),
        seed=fields.seed("seed"),
        response_format=encoding,
        stream=stream or stream_format == "audio",
    )


def query_request(query: Mapping[str, str], config: ServeConfig) -> SpeechRequest:
    """The request of ``GET /api/tts?text=...&voice=...&speaker=...`` (Coqui's server's names:
    ``speaker_id`` and ``language_id`` too), answered with WAV."""
    fields = _Fields({key: _query_value(key, value) for key, value in query.items()})
    speaker = fields.speaker("speaker") if "speaker" in query else fields.speaker("speaker_id")
    language = fields.string("language", required=False) or fields.string("language_id", required=False)
    return SpeechRequest(
        text=_text(fields.string("text", required=True) or "", "text", config),
        voice=fields.string("voice", required=False),
        language=language,
        speaker=speaker,
        vocoder=fields.vocoder("vocoder"),
        sigma=fields.number("sigma", DEFAULT_SIGMA, SIGMAS),
        speed=fields.number("speed", 1.0, SPEEDS),
        seed=fields.seed("seed"),
    )


def _query_value(key: str, value: str) -> Any:
    """A query value as the JSON type the field takes (numbers for the numeric fields)."""
    if key in ("sigma", "speed"):
        try:
            return float(value)
        except ValueError:
            raise RequestError(400, f"{key} must be a number, got {value!r}", key) from None
    if key == "seed":
        try:
            return int(value)
        except ValueError:
            raise RequestError(400, f"seed must be an integer, got {value!r}", key) from None
    return value


def _text(text: str, name: str, config: ServeConfig) -> str:
    if not text.strip():
        raise RequestError(400, f"{name} is empty: give the text to speak", name)
    if len(text) > config.max_chars:
        raise RequestError(
            413,
            f"{name} has {len(text)} characters; this server takes at most {config.max_chars} a request "
            "(split the text, or start the server with a larger --max-chars)",
            name,
        )
    return text


class _Fields:
    """Typed reads of a request's fields, each error naming the field."""

    def __init__(self, values: Mapping[str, Any]) -> None:
        self.values = values

    def string(self, name: str, required: bool) -> str | None:
        value = self.values.get(name)
        if value is None or value == "":
            if required:
                raise RequestError(400, f"{name} is missing", name)
            return None
        if not isinstance(value, str):
            raise RequestError(400, f"{name} must be a string, got {value!r}", name)
        return value

    def number(self, name: str, default: float, limits: tuple[float, float]) -> float:
        value = self.values.get(name)
        if value is None:
            return default
        low, high = limits
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise RequestError(400, f"{name} must be a number from {low:g} to {high:g}, got {value!r}", name)
        if not low <= value <= high:
            raise RequestError(400, f"{name} must be from {low:g} to {high:g}, got {value:g}", name)
        return float(value)

    def seed(self, name: str) -> int | None:
        value = self.values.get(name)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= SEED_MAX:
            raise RequestError(400, f"{name} must be an integer from 0 to {SEED_MAX}, got {value!r}", name)
        return value

    def speaker(self, name: str) -> str | int:
        value = self.values.get(name)
        if value is None or value == "":
            return 0
        if isinstance(value, str):
            return int(value) if value.isdigit() else value
        if isinstance(value, bool) or not isinstance(value, int):
            raise RequestError(400, f"{name} must be a speaker name or index, got {value!r}", name)
        return value

    def vocoder(self, name: str) -> str:
        value = self.string(name, required=False) or "auto"
        if value not in ("auto", *VOCODERS):
            raise RequestError(400, f"{name} must be auto, {', '.join(VOCODERS)}; got {value!r}", name)
        return value
