"""Helpers for tests and the training benchmark: small synthetic data (no corpus, no espeak-ng),
and a Python preamble that makes torch unimportable."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any


def make_synthetic_prepared_data(
    root: Path,
    n_items: int = 8,
    seconds: float = 1.0,
    seed: int = 0,
    n_val: int = 0,
    texts: Sequence[str] | None = None,
    speakers: int = 1,
    spread: float = 0.2,
) -> Path:
    """A prepared data directory (``tts prepare``'s layout: wavs, mels, ``train.tsv`` and, with
    ``n_val``, ``val.tsv``, ``prepare.json``) of harmonic tones with a moving pitch, each about
    ``seconds`` long (± ``spread``), with English ``texts`` (default: the bench's sample
    sentences) and ``speakers`` speakers taking turns. Also the tests' small training set."""
    import numpy as np
    import torch

    import text
    from base.audio import MelConfig, mel_spectrogram, save_wav
    from tts.bench.settings import SAMPLE_TEXTS
    from tts.training.data import PreparedUtterance, write_split

    config = MelConfig()
    rng = np.random.default_rng(seed)
    (root / "audio").mkdir(parents=True, exist_ok=True)
    (root / "mels").mkdir(exist_ok=True)
    lines = list(texts) if texts is not None else [s.lower().rstrip(".") for s in SAMPLE_TEXTS["en"]]
    items = []
    for i in range(n_items + n_val):
        n = int(seconds * config.sampling_rate * rng.uniform(1 - spread, 1 + spread))
        t = np.arange(n) / config.sampling_rate
        f0 = rng.uniform(100, 250) * (1 + 0.2 * np.sin(2 * math.pi * rng.uniform(0.5, 2) * t))
        phase = 2 * math.pi * np.cumsum(f0) / config.sampling_rate
        wave = sum(0.3 / k * np.sin(k * phase) for k in range(1, 6)) + 0.005 * rng.standard_normal(n)
        audio = torch.from_numpy(wave.astype(np.float32))
        utt = f"utt{i:03d}"
        save_wav(root / "audio" / f"{utt}.wav", audio, config.sampling_rate)
        mel = mel_spectrogram(audio, config)
        np.save(root / "mels" / f"{utt}.npy", mel.numpy())
        items.append(
            PreparedUtterance(
                utt,
                root / "audio" / f"{utt}.wav",
                root / "mels" / f"{utt}.npy",
                lines[i % len(lines)],
                f"spk{i % speakers}",
                "en",
                mel.size(1),
            )
        )
    write_split(root, "train", items[:n_items])
    if n_val:
        write_split(root, "val", items[n_items:])
    settings = {"mel_config": config.to_dict(), "language": "en", "symbols": text.symbols("en")}
    (root / "prepare.json").write_text(json.dumps(settings), encoding="utf-8")
    return root


# Python source that makes torch unimportable in the interpreter that runs it first, as on a device
# where PyTorch is not installed at all (so the torch models cannot load either): prepend it to a
# script run with ``python -c``.
WITHOUT_TORCH_PREAMBLE = """
import sys

class _NoTorch:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] == "torch":
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None

sys.meta_path.insert(0, _NoTorch())
"""


def perturbed_waveglow(config: Any, seed: int = 0, scale: float = 0.05) -> Any:
    """A WaveGlow of ``config`` whose couplings are not the identity (its end layers start at zero):
    every weight moved by ``scale`` times a seeded standard normal."""
    import torch

    from vocoder import WaveGlow

    torch.manual_seed(seed)
    model = WaveGlow(config)
    with torch.no_grad():
        for p in model.parameters():
            p.add_(scale * torch.randn_like(p))
    return model
