"""A small real voice bundle for the voice tests: random-weight tiny models, exported for real."""

from __future__ import annotations

import pytest
import torch

import acoustic
import text
import vocoder
from base.audio import MelConfig
from tts import voice_manifest
from tts.bundle import export_voice

SPEAKERS = ["spk_a", "spk_b"]


def tiny_tacotron2(n_symbols: int, **overrides) -> acoustic.Tacotron2:
    config = acoustic.Tacotron2Config(
        n_symbols=n_symbols,
        symbols_embedding_dim=32,
        encoder_embedding_dim=32,
        encoder_n_convolutions=1,
        attention_rnn_dim=32,
        decoder_rnn_dim=32,
        prenet_dim=16,
        attention_dim=16,
        attention_location_n_filters=4,
        postnet_embedding_dim=16,
        postnet_n_convolutions=2,
        n_frames_per_step=3,
        max_decoder_steps=30,
        **overrides,
    )
    torch.manual_seed(0)
    return acoustic.Tacotron2(config).eval()


def tiny_waveglow(**overrides) -> vocoder.WaveGlow:
    config = vocoder.WaveGlowConfig(
        n_flows=2, n_group=8, n_early_every=1, n_early_size=2, n_layers=2, n_channels=16, **overrides
    )
    torch.manual_seed(0)
    model = vocoder.WaveGlow(config)
    # The end layers start at zero (identity couplings); give them weights so the flows do work.
    with torch.no_grad():
        for wn in model.WN:
            wn.end.weight.normal_(0, 0.05)
    return model.eval()


@pytest.fixture(scope="session")
def voice_checkpoints(tmp_path_factory):
    """(acoustic.pt, vocoder.pt) written the way training writes them."""
    root = tmp_path_factory.mktemp("checkpoints")
    symbols = text.symbols("hinglish")
    model = tiny_tacotron2(len(symbols), n_speakers=2, n_languages=1)
    with torch.no_grad():  # zero-initialised: give the speakers a say, as training would
        model.speaker_projection.linear_layer.weight.normal_(0, 0.5)
        model.decoder.gate_layer.linear_layer.bias.fill_(-20.0)  # a random gate would stop at once
    acoustic.save_checkpoint(
        model,
        root / "acoustic.pt",
        text={"language": "hinglish", "symbols": list(symbols)},
        speakers=SPEAKERS,
        languages=["hinglish"],
        mel_config=MelConfig().to_dict(),
        training={"step": 123},
    )
    vocoder.save_checkpoint(tiny_waveglow(), root / "vocoder.pt", MelConfig())
    return root / "acoustic.pt", root / "vocoder.pt"


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
    return tiny_waveglow()


@pytest.fixture
def make_tacotron2():
    """Factory of tiny random-weight Tacotron2 models: ``make_tacotron2(n_symbols, **config)``."""
    return tiny_tacotron2
