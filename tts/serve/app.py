"""The HTTP application of ``tts serve`` (Starlette, served by uvicorn: :mod:`tts.serve.server`).

Endpoints:

* ``POST /v1/audio/speech``: OpenAI's speech API (``{"model", "input", "voice",
  "response_format": "wav"|"flac"|"pcm", "speed"}``; ``"stream": true`` sends the audio as it is
  made, by chunked transfer);
* ``GET /api/tts?text=...&voice=...&speaker=...``: Coqui's server's call, answered with WAV;
* ``POST /api/speak``: what the page calls: WAV and a mel picture of it, as JSON;
* ``GET /api/voices``, ``GET /healthz``;
* ``GET /``: the page (plain HTML and JS from the package, nothing from elsewhere).

Every error is JSON (:meth:`RequestError.body`, OpenAI's shape) with a message that says what to
change; an unexpected one is logged here with its traceback and answered with 500 and no detail.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import numpy as np
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response, StreamingResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import Receive, Scope, Send

import text
from base.errors import TTSError
from tts.audio_encoding import MEDIA_TYPES, encode_audio, pcm16, wav_header
from tts.griffinlim import log_mel_spectrogram
from tts.serve.config import ServeConfig
from tts.serve.pool import ClientGone, PoolBusy, SynthesisPool, SynthesisTimeout, Ticket
from tts.serve.requests import RequestError, SpeechRequest, query_request, speech_request
from tts.serve.voices import Choice, VoiceRegistry, speech

log = logging.getLogger(__name__)

STATIC = Path(__file__).resolve().parent / "static"
CLIENT_CLOSED = 499  # nginx's status for a request whose client went away (nobody reads it)
MEL_RANGE = 10.0  # nepers of log-mel the page's picture shows below the loudest cell

Endpoint = Callable[[Request], Awaitable[Response]]


def create_app(registry: VoiceRegistry, config: ServeConfig, pool: SynthesisPool | None = None) -> Starlette:
    """The application serving ``registry``'s voices under ``config``'s limits, its work on
    ``pool`` (default: ``config.workers`` threads and ``config.queue`` places), which it shuts
    down when it stops."""
    pool = pool or SynthesisPool(config.workers, config.queue, config.timeout)
    api = _Api(registry, config, pool)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        pool.shutdown()

    routes = [
        Route("/", _page),
        Route("/healthz", _errors(api.health)),
        Route("/api/voices", _errors(api.voices)),
        Route("/api/tts", _errors(api.coqui), methods=["GET"]),
        Route("/api/speak", _errors(api.page_speech), methods=["POST"]),
        Route("/v1/audio/speech", _errors(api.openai_speech), methods=["POST"]),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    return Starlette(
        routes=routes,
        exception_handlers={HTTPException: _http_error, Exception: _server_error},
        lifespan=lifespan,
    )


async def _page(request: Request) -> Response:
    return FileResponse(STATIC / "index.html", media_type="text/html; charset=utf-8")


class _Api:
    """The endpoints, over one registry, config and pool."""

    def __init__(self, registry: VoiceRegistry, config: ServeConfig, pool: SynthesisPool) -> None:
        self.registry = registry
        self.config = config
        self.pool = pool

    async def health(self, request: Request) -> Response:
        return JSONResponse({"status": "ok", "voices": list(self.registry.voices), **self.pool.stats()})

    async def voices(self, request: Request) -> Response:
        return JSONResponse({"voices": self.registry.describe(), "max_chars": self.config.max_chars})

    async def coqui(self, request: Request) -> Response:
        wanted = query_request(request.query_params, self.config)
        choice, audio = await self._synthesize(request, wanted)
        return self._audio_response(choice, audio, "wav")

    async def openai_speech(self, request: Request) -> Response:
        wanted = speech_request(await self._json(request), self.config)
        if wanted.stream and wanted.response_format != "flac":  # FLAC is sent whole: its header needs the length
            return await self._stream(wanted)
        choice, audio = await self._synthesize(request, wanted)
        return self._audio_response(choice, audio, wanted.response_format)

    async def page_speech(self, request: Request) -> Response:
        wanted = speech_request(await self._json(request), self.config)
        choice, audio = await self._synthesize(request, wanted)
        voice = choice.voice
        body = await asyncio.to_thread(_page_audio, audio, voice)
        body.update(
            voice=voice.name,
            language=choice.language or voice.languages[0],
            speaker=voice.speakers[choice.speaker] if voice.speakers else str(choice.speaker),
            vocoder=voice.vocoder_kind,
        )
        return JSONResponse(body)

    # -- the work -----------------------------------------------------------------------------

    def _admit(self) -> Ticket:
        try:
            return self.pool.admit()
        except PoolBusy as exc:
            raise RequestError(503, f"the server is busy: {exc}", headers=self._retry_after()) from None

    def _retry_after(self) -> dict[str, str]:
        return {"Retry-After": str(self.config.retry_after)}

    async def _synthesize(self, request: Request, wanted: SpeechRequest) -> tuple[Choice, np.ndarray]:
        choice = self.registry.choose(wanted)
        ticket = self._admit()
        pieces = await self.pool.collect(ticket, speech(choice, wanted), _disconnected(request.receive))
        audio = np.concatenate(pieces) if pieces else np.zeros(0, dtype=np.float32)
        return choice, audio

    async def _stream(self, wanted: SpeechRequest) -> Response:
        choice = self.registry.choose(wanted)
        ticket = self._admit()
        pieces = self.pool.stream(ticket, speech(choice, wanted))
        try:  # the first piece before the response starts: bad text is still a 400, not a broken stream
            first: np.ndarray | None = await pieces.__anext__()
        except StopAsyncIteration:
            first = None
        except BaseException:
            await pieces.aclose()
            raise
        rate = choice.voice.sample_rate

        async def body() -> AsyncIterator[bytes]:
            try:
                if wanted.response_format == "wav":
                    yield wav_header(rate)
                if first is not None:
                    yield pcm16(first)
                async for piece in pieces:
                    yield pcm16(piece)
            except (SynthesisTimeout, TTSError) as exc:  # the status is sent: the stream just ends
                log.warning("streamed response cut short: %s", exc)
            finally:
                await pieces.aclose()

        return _AudioStream(
            body(),
            close=pieces.aclose,
            media_type=MEDIA_TYPES[wanted.response_format],
            headers=self._audio_headers(choice),
        )

    def _audio_response(self, choice: Choice, audio: np.ndarray, encoding: str) -> Response:
        data = encode_audio(audio, choice.voice.sample_rate, encoding)
        return Response(data, media_type=MEDIA_TYPES[encoding], headers=self._audio_headers(choice))

    @staticmethod
    def _audio_headers(choice: Choice) -> dict[str, str]:
        return {
            "X-Sample-Rate": str(choice.voice.sample_rate),
            "X-Voice": choice.voice.name,
            "X-Vocoder": choice.voice.vocoder_kind,
        }

    async def _json(self, request: Request) -> Any:
        """The request's JSON body, refused past ``max_body`` bytes."""
        limit = self.config.max_body
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise RequestError(413, f"the body has {declared} bytes; this server takes at most {limit}")
        body = bytearray()
        async for chunk in request.stream():
            body += chunk
            if len(body) > limit:
                raise RequestError(413, f"the body is over {limit} bytes; this server takes at most {limit}")
        try:
            return json.loads(body)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise RequestError(400, f"the body is not JSON: {exc}") from None


class _AudioStream(StreamingResponse):
    """A streamed response that closes its work however it ends, even if it never began to send
    (the client gone before the first byte)."""

    def __init__(self, content: AsyncIterator[bytes], close: Callable[[], Awaitable[None]], **kwargs: Any) -> None:
        super().__init__(content, **kwargs)
        self._close = close

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            await self._close()


async def _disconnected(receive: Receive) -> None:
    """Return when the client disconnects (the request body has been read by then)."""
    while (await receive())["type"] != "http.disconnect":
        pass


def _page_audio(audio: np.ndarray, voice: Any) -> dict[str, Any]:
    """The page's answer: the WAV (base64) and its log-mel as bytes, 0 the quietest shown cell
    and 255 the loudest, bands from the lowest up, frame after frame."""
    mel = log_mel_spectrogram(audio, voice.mel_config)
    high = float(mel.max())
    low = max(float(mel.min()), high - MEL_RANGE)
    scaled = np.clip((mel - low) / max(high - low, 1e-6), 0.0, 1.0)
    cells = np.round(scaled.T * 255).astype(np.uint8)  # [frames, bands]
    return {
        "sample_rate": voice.sample_rate,
        "seconds": round(len(audio) / voice.sample_rate, 3),
        "audio": base64.b64encode(encode_audio(audio, voice.sample_rate, "wav")).decode("ascii"),
        "mel": {
            "bands": int(mel.shape[0]),
            "frames": int(mel.shape[1]),
            "low": round(low, 3),
            "high": round(high, 3),
            "data": base64.b64encode(cells.tobytes()).decode("ascii"),
        },
    }


def _errors(endpoint: Endpoint) -> Endpoint:
    """``endpoint`` with the errors a client causes answered as JSON."""

    async def answer(request: Request) -> Response:
        try:
            return await endpoint(request)
        except RequestError as exc:
            return _error_response(exc)
        except (TTSError, text.TextError) as exc:  # the text or a setting the voice refuses
            return _error_response(RequestError(400, str(exc)))
        except SynthesisTimeout as exc:
            return _error_response(RequestError(504, f"{exc}; send shorter text"))
        except ClientGone:
            log.info("%s %s: the client disconnected; its synthesis was stopped", request.method, request.url.path)
            return Response(status_code=CLIENT_CLOSED)

    return answer


def _error_response(error: RequestError) -> JSONResponse:
    return JSONResponse(error.body(), status_code=error.status, headers=error.headers)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    message = {404: f"no such endpoint: {request.url.path}", 405: f"{request.method} is not allowed here"}.get(
        exc.status_code, exc.detail
    )
    return _error_response(RequestError(exc.status_code, message, headers=exc.headers))


async def _server_error(request: Request, exc: Exception) -> Response:
    log.error("%s %s failed", request.method, request.url.path, exc_info=exc)
    return _error_response(RequestError(500, "internal error; the server's log has the details"))
