"""A micro voice, and real servers on loopback ports serving it."""

from __future__ import annotations

import contextlib

import pytest

from tts.testing import micro_voice_bundle
from tts.voice import load_voice

pytest.importorskip("starlette", reason="the serve extra: pip install 'swaratts[serve]'")
pytest.importorskip("uvicorn", reason="the serve extra: pip install 'swaratts[serve]'")
pytest.importorskip("httpx", reason="the dev extra: pip install 'swaratts[dev]'")


@pytest.fixture(scope="session")
def micro_voice(tmp_path_factory):
    """The loaded micro voice (tts.testing.micro_voice_bundle): a second of audio per sentence."""
    return load_voice(micro_voice_bundle(tmp_path_factory.mktemp("voices")))


def _starter(servers: contextlib.ExitStack):
    from tts.serve.app import create_app
    from tts.serve.config import ServeConfig
    from tts.serve.server import BackgroundServer
    from tts.serve.voices import VoiceRegistry

    def start(voices, **config):
        settings = ServeConfig(port=0, **config)
        return servers.enter_context(BackgroundServer(create_app(VoiceRegistry(voices), settings), settings)).url

    return start


@pytest.fixture
def serve():
    """``serve(voices, **config)``: a real server (uvicorn on a thread, a free loopback port) for
    ``voices`` (name -> voice) under ``ServeConfig(**config)``; returns its URL. Stopped after the test."""
    with contextlib.ExitStack() as servers:
        yield _starter(servers)


@pytest.fixture(scope="module")
def micro_url(micro_voice):
    """The URL of one real server of the micro voice for a module's tests: 2 workers, 8 places in
    the queue, texts of at most 200 characters."""
    with contextlib.ExitStack() as servers:
        yield _starter(servers)({"microvoice": micro_voice}, jobs=2, queue=8, max_chars=200)
