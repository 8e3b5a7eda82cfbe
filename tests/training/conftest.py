"""A small prepared data directory (the layout `tts prepare` writes), made from synthetic tones."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
import torch

import text
from tts.audio import MelConfig, mel_spectrogram, save_wav
from tts.training.data import PreparedUtterance, write_split


TEXTS = ["a low tone.", "the pitch goes up, then down.", "one more sound", "hum along!"]


def make_prepared_data(root, n_train: int = 8, n_val: int = 2, seconds: float = 0.6, seed: int = 0):
    """Write ``n_train + n_val`` voiced-sounding clips (harmonic tones with a moving pitch) and
    their mels in the prepared layout; returns the directory."""
    config = MelConfig()
    rng = np.random.default_rng(seed)
    (root / "audio").mkdir(parents=True, exist_ok=True)
    (root / "mels").mkdir(exist_ok=True)
    items = []
    for i in range(n_train + n_val):
        n = int(seconds * config.sampling_rate * rng.uniform(0.7, 1.3))
        t = np.arange(n) / config.sampling_rate
        f0 = rng.uniform(100, 250) * (1 + 0.2 * np.sin(2 * math.pi * rng.uniform(0.5, 2) * t))
        phase = 2 * math.pi * np.cumsum(f0) / config.sampling_rate
        wave = sum(0.3 / k * np.sin(k * phase) for k in range(1, 6)) + 0.005 * rng.standard_normal(n)
        audio = torch.from_numpy(wave.astype(np.float32))
        utt = f"utt{i:03d}"
        save_wav(root / "audio" / f"{utt}.wav", audio, config.sampling_rate)
        mel = mel_spectrogram(audio, config)
        np.save(root / "mels" / f"{utt}.npy", mel.numpy())
        items.append(PreparedUtterance(utt, root / "audio" / f"{utt}.wav", root / "mels" / f"{utt}.npy",
                                       TEXTS[i % len(TEXTS)], f"spk{i % 2}", "en", mel.size(1)))
    write_split(root, "train", items[:n_train])
    write_split(root, "val", items[n_train:])
    settings = {"mel_config": config.to_dict(), "language": "en", "symbols": text.symbols("en")}
    (root / "prepare.json").write_text(json.dumps(settings))
    return root


@pytest.fixture
def prepared_data(tmp_path):
    return make_prepared_data(tmp_path / "data")
