"""``tts serve`` over real HTTP: a uvicorn server on a loopback port, real clients at once, real
audio decoded; bad requests, a full server and clients that leave get what they should."""

from __future__ import annotations

import io
import json
import socket
import struct
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import httpx
import numpy as np
import pytest
import soundfile

from tts.serve.config import ServeConfig

RATE = 22050
SECOND = 90 * 256  # samples of one micro-voice sentence: 30 decoder steps of 3 frames, hop 256


def decode(response: httpx.Response, encoding: str) -> tuple[np.ndarray, int]:
    """The audio of a response: WAV or FLAC by soundfile, raw PCM by its header's rate."""
    assert response.status_code == 200, response.text
    if encoding == "pcm":
        return np.frombuffer(response.content, dtype="<i2").astype(np.float32) / 32767, int(
            response.headers["x-sample-rate"]
        )
    audio, rate = soundfile.read(io.BytesIO(response.content), dtype="float32")
    return audio, rate


def assert_speech(audio: np.ndarray, rate: int, sentences: int = 1) -> None:
    assert rate == RATE
    assert audio.ndim == 1 and len(audio) >= sentences * SECOND
    assert np.isfinite(audio).all() and float(np.sqrt(np.mean(audio**2))) > 1e-3


class GatedVoice:
    """A real voice whose every piece of audio waits for a permit (:meth:`allow`): work held while
    a test looks."""

    def __init__(self, voice) -> None:
        self._voice = voice
        self._permits = threading.Semaphore(0)
        self.started = threading.Event()
        self.made = 0

    def __getattr__(self, name):
        return getattr(self._voice, name)

    def allow(self, pieces: int = 10_000) -> None:
        self._permits.release(pieces)

    def stream(self, *args, **kwargs):
        self.started.set()
        for piece in self._voice.stream(*args, **kwargs):
            self._permits.acquire()
            self.made += 1
            yield piece


def wait_for(condition, what: str) -> None:
    """Poll ``condition`` until true (the server acts on its own threads)."""
    for _ in range(6000):
        if condition():
            return
        time.sleep(0.01)
    raise AssertionError(f"never happened: {what}")


def test_health_voices_and_the_page(micro_url):
    url = micro_url
    health = httpx.get(url + "healthz").json()
    assert health["status"] == "ok" and health["voices"] == ["microvoice"] and health["admitted"] == 0
    [voice] = httpx.get(url + "api/voices").json()["voices"]
    assert voice["name"] == "microvoice" and voice["speakers"] == ["spk_a", "spk_b"]
    assert voice["languages"][0] == "hinglish" and voice["sample_rate"] == RATE and "path" not in voice
    page = httpx.get(url)
    assert page.status_code == 200 and "<textarea" in page.text and "/static/app.js" in page.text
    # Nothing the page loads comes from elsewhere: the machine may be offline.
    for asset in ("", "static/app.js", "static/style.css"):
        body = httpx.get(url + asset).text
        assert "http://" not in body and "https://" not in body and "//cdn" not in body


def test_eight_clients_at_once_all_get_valid_audio(micro_url):
    url = micro_url
    calls = [
        ("wav", lambda c: c.post(url + "v1/audio/speech", json={"model": "tts-1", "input": "namaste", "voice": "microvoice"})),
        ("flac", lambda c: c.post(url + "v1/audio/speech", json={"input": "kal milte hain", "voice": "hinglish", "response_format": "flac"})),
        ("pcm", lambda c: c.post(url + "v1/audio/speech", json={"input": "theek hai", "response_format": "pcm", "speaker": "spk_b"})),
        ("wav", lambda c: c.get(url + "api/tts", params={"text": "aap kaise ho", "voice": "microvoice", "speaker": "1"})),
    ] * 2  # fmt: skip
    barrier = threading.Barrier(len(calls))

    def call(job):
        encoding, request = job
        with httpx.Client(timeout=None) as client:
            barrier.wait()  # all eight at once
            return encoding, request(client)

    with ThreadPoolExecutor(len(calls)) as clients:
        answers = list(clients.map(call, calls))
    for encoding, response in answers:
        assert response.headers["content-type"].startswith(f"audio/{encoding}")
        assert response.headers["x-voice"] == "microvoice"
        assert_speech(*decode(response, encoding))
    assert httpx.get(url + "healthz").json()["admitted"] == 0


def test_streamed_speech_comes_in_chunks_and_decodes(micro_url):
    url = micro_url
    body = {"input": "Pehla vaakya. Doosra vaakya. Teesra vaakya.", "voice": "microvoice", "stream": True}
    chunks = []
    with httpx.stream("POST", url + "v1/audio/speech", json=body, timeout=None) as response:
        assert response.status_code == 200
        assert response.headers["transfer-encoding"] == "chunked" and "content-length" not in response.headers
        chunks = list(response.iter_raw())
    data = b"".join(chunks)
    riff, size, wave, data_size = struct.unpack("<4sI4s28xI", data[:44])
    assert (riff, wave) == (b"RIFF", b"WAVE") and size == data_size == 0xFFFFFFFF  # a stream: length unknown
    audio = np.frombuffer(data[44:], dtype="<i2").astype(np.float32) / 32767
    pause = int(0.25 * RATE)
    assert len(audio) == 3 * SECOND + 2 * pause  # three sentences and the pauses between them
    assert_speech(audio, RATE, sentences=3)
    # Speed 2 halves the sentences and the pauses.
    fast = httpx.post(url + "v1/audio/speech", json={**body, "stream": False, "speed": 2.0}, timeout=None)
    audio, rate = decode(fast, "wav")
    assert len(audio) == 3 * SECOND // 2 + 2 * (pause // 2)


@pytest.mark.parametrize(
    "body, status, param, message",
    [
        ({"input": "a" * 201, "voice": "microvoice"}, 413, "input", "201 characters; this server takes at most 200"),
        ({"input": "namaste", "voice": "alloy"}, 400, "voice", "no voice 'alloy' here; voices: microvoice"),
        ({"input": "namaste", "voice": "/etc/passwd"}, 400, "voice", "no voice '/etc/passwd' here"),
        ({"input": "namaste", "voice": "bn"}, 400, "voice", "no voice 'bn' here"),
        ({"input": "namaste", "response_format": "mp3"}, 400, "response_format", "use one of wav, flac, pcm"),
        ({"input": "namaste", "speed": 9}, 400, "speed", "speed must be from 0.25 to 4"),
        ({"input": "namaste", "speaker": "nobody"}, 400, "speaker", "has no speaker 'nobody'"),
        ({"input": "namaste", "sigma": "high"}, 400, "sigma", "sigma must be a number"),
        ({"input": "   "}, 400, "input", "input is empty"),
        ({"input": "...!?"}, 400, None, "nothing"),
        ({"voice": "microvoice"}, 400, "input", "input is missing"),
        ([1, 2], 400, None, "the body must be a JSON object"),
    ],
)
def test_bad_requests_get_a_json_error_naming_the_field(micro_url, body, status, param, message):
    response = httpx.post(micro_url + "v1/audio/speech", json=body, timeout=None)
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert message in error["message"] and error["param"] == param and error["code"] == status
    assert "Traceback" not in response.text


def test_other_bad_requests_get_json_errors(micro_url):
    url = micro_url
    for response, status, message in (
        (httpx.post(url + "v1/audio/speech", content=b"{not json"), 400, "the body is not JSON"),
        (httpx.post(url + "v1/audio/speech", content=b" " * 2_000_000), 413, "this server takes at most"),
        (httpx.get(url + "api/tts", params={"text": "namaste", "sigma": "x"}), 400, "sigma must be a number"),
        (httpx.get(url + "api/tts"), 400, "text is missing"),
        (httpx.get(url + "nothing/here"), 404, "no such endpoint: /nothing/here"),
        (httpx.get(url + "v1/audio/speech"), 405, "GET is not allowed here"),
    ):
        assert response.status_code == status and message in response.json()["error"]["message"], response.text


def test_a_full_server_answers_503_with_retry_after(micro_voice, serve):
    held = GatedVoice(micro_voice)
    url = serve({"microvoice": held}, jobs=1, queue=0)
    with ThreadPoolExecutor(1) as client:
        first = client.submit(httpx.post, url + "v1/audio/speech", json={"input": "namaste"}, timeout=None)
        wait_for(held.started.is_set, "the first request's synthesis started")
        busy = httpx.post(url + "v1/audio/speech", json={"input": "namaste"})
        assert busy.status_code == 503 and busy.headers["retry-after"] == "1"
        assert "the server is busy" in busy.json()["error"]["message"]
        held.allow()
        assert_speech(*decode(first.result(), "wav"))
    assert httpx.post(url + "v1/audio/speech", json={"input": "namaste"}, timeout=None).status_code == 200


def test_a_client_that_disconnects_stops_its_synthesis(micro_voice, serve):
    held = GatedVoice(micro_voice)
    url = serve({"microvoice": held}, jobs=1, queue=0)
    address = urlsplit(url)
    body = json.dumps({"input": "Ek. Do. Teen. Char. Paanch. Chhah."}).encode()
    with socket.create_connection((address.hostname, address.port)) as client:
        client.sendall(
            b"POST /v1/audio/speech HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            + f"Content-Length: {len(body)}\r\n\r\n".encode()
            + body
        )
        wait_for(held.started.is_set, "the synthesis started")
    # The client is gone; its synthesis waits in its first piece.
    wait_for(lambda: httpx.get(url + "healthz").json()["stopped"] == 1, "the server saw the client go")
    held.allow()
    wait_for(lambda: httpx.get(url + "healthz").json()["admitted"] == 0, "the work ended")
    assert held.made == 1  # six sentences and five pauses asked for: the piece under way was the last


def test_a_streaming_client_that_disconnects_stops_its_synthesis(micro_voice, serve):
    held = GatedVoice(micro_voice)
    url = serve({"microvoice": held}, jobs=1, queue=0)
    held.allow(1)  # the first sentence, which the response starts with
    body = {"input": "Ek. Do. Teen. Char. Paanch. Chhah.", "stream": True, "response_format": "pcm"}
    with httpx.stream("POST", url + "v1/audio/speech", json=body, timeout=None) as response:
        assert response.status_code == 200
        first = next(response.iter_raw())
        assert len(first) > 0
    # The client is gone after one piece; the next waits for a permit.
    wait_for(lambda: httpx.get(url + "healthz").json()["stopped"] == 1, "the server saw the client go")
    held.allow()
    wait_for(lambda: httpx.get(url + "healthz").json()["admitted"] == 0, "the work ended")
    assert held.made <= 2  # of eleven pieces (six sentences, five pauses): the one sent, the one under way


def test_unexpected_errors_are_json_without_a_traceback(micro_voice, serve):
    class Broken(GatedVoice):
        def stream(self, *args, **kwargs):
            raise RuntimeError("secret detail")
            yield

    url = serve({"microvoice": Broken(micro_voice)})
    response = httpx.post(url + "v1/audio/speech", json={"input": "namaste"})
    assert response.status_code == 500
    assert response.json()["error"]["message"] == "internal error; the server's log has the details"
    assert "secret" not in response.text and "Traceback" not in response.text


def test_the_server_listens_on_loopback_unless_told_otherwise(micro_url):
    assert ServeConfig().host == "127.0.0.1" and ServeConfig().loopback
    assert not ServeConfig(host="0.0.0.0").loopback
    assert micro_url.startswith("http://127.0.0.1:")


def test_tts_works_without_the_serve_extra_and_says_what_to_install(monkeypatch, capsys):
    import tts.cli

    for module in ["starlette", *(name for name in sys.modules if name.startswith("starlette."))]:
        monkeypatch.setitem(sys.modules, module, None)  # importing it fails, as where it is not installed
    for module in ("tts.serve.app", "tts.serve.server"):
        monkeypatch.delitem(sys.modules, module, raising=False)
    assert "serve" in tts.cli.build_parser().format_help()  # the CLI works
    assert tts.cli.main(["serve", "--port", "0"]) == 2  # and `tts serve` says what is missing
    assert "needs starlette, which is not installed: install the server's extras: pip install 'swaratts[serve]'" in (
        capsys.readouterr().err
    )
