"""A small real voice bundle for the voice tests: random-weight tiny models, exported for real."""

from __future__ import annotations

import pytest

import acoustic
import text
import vocoder
from tts import voice_manifest
from tts.bundle import export_voice
from tts.testing import random_tacotron2, random_waveglow, save_hinglish_checkpoints

SPEAKERS = ["spk_a", "spk_b"]


def tiny_tacotron2(n_symbols: int, **overrides) -> acoustic.Tacotron2:
    return random_tacotron2("micro", n_symbols, max_decoder_steps=30, **overrides)


@pytest.fixture(scope="session")
def voice_checkpoints(tmp_path_factory):
    """(acoustic.pt, vocoder.pt) written the way training writes them."""
    symbols = text.symbols("hinglish")
    # Speakers that have a say, as after training; a gate that never stops (the step limit does).
    model = tiny_tacotron2(len(symbols), n_speakers=2, n_languages=1, table_std=0.5, gate_bias=-20.0)
    folder = tmp_path_factory.mktemp("checkpoints")
    return save_hinglish_checkpoints(folder, model, random_waveglow("micro"), SPEAKERS, training={"step": 123})


@pytest.fixture(scope="session")
def voice_dir(voice_checkpoints, tmp_path_factory):
    """An exported voice bundle named ``testvoice`` inside a voices directory."""
    voices = tmp_path_factory.mktemp("voices")
    acoustic_ckpt, vocoder_ckpt = voice_checkpoints
    return export_voice(acoustic_ckpt, vocoder_ckpt, voices / "testvoice", training={"commands": ["made by conftest"]})


@pytest.fixture
def user_voices(voice_dir, monkeypatch, tmp_path):
    """``$TTS_VOICES`` pointing at the directory holding the test voice, and no bundled voices
    (so that lookups see the test voice alone)."""
    monkeypatch.setenv("TTS_VOICES", str(voice_dir.parent))
    monkeypatch.setattr(voice_manifest, "BUNDLED_DIR", tmp_path / "no-bundled-voices")
    return voice_dir.parent


@pytest.fixture
def waveglow() -> vocoder.WaveGlow:
    """A tiny WaveGlow whose couplings are not the identity."""
    return random_waveglow("micro")


@pytest.fixture
def make_tacotron2():
    """Factory of tiny random-weight Tacotron2 models: ``make_tacotron2(n_symbols, **config)``."""
    return tiny_tacotron2
