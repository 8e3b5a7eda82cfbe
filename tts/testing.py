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


# Model sizes for tests, smallest first. Every test model is drawn from this table, so a change to
# a model's config is made here once. "micro" decodes a sentence in milliseconds; "tiny" learns a
# toy alignment in seconds; "small" has the widths of the tiny training preset.
TACOTRON2_SIZES: dict[str, dict[str, Any]] = {
    "micro": dict(
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
    ),
    "tiny": dict(
        symbols_embedding_dim=32,
        encoder_embedding_dim=32,
        attention_rnn_dim=64,
        decoder_rnn_dim=64,
        prenet_dim=32,
        attention_dim=32,
        attention_location_n_filters=8,
        attention_location_kernel_size=15,
        postnet_embedding_dim=32,
        postnet_n_convolutions=3,
    ),
    "small": dict(
        symbols_embedding_dim=128,
        encoder_embedding_dim=128,
        encoder_n_convolutions=2,
        attention_rnn_dim=256,
        decoder_rnn_dim=256,
        prenet_dim=128,
        attention_dim=64,
        attention_location_n_filters=16,
        postnet_embedding_dim=128,
        postnet_n_convolutions=3,
        n_frames_per_step=3,
    ),
}
WAVEGLOW_SIZES: dict[str, dict[str, Any]] = {
    "micro": dict(n_flows=2, n_group=8, n_early_every=1, n_early_size=2, n_layers=2, n_channels=16),
    "tiny": dict(n_flows=4, n_group=8, n_early_every=2, n_early_size=2, n_layers=2, n_channels=16),
    "small": dict(n_flows=4, n_group=8, n_early_every=2, n_early_size=2, n_layers=3, n_channels=32),
}


def tacotron2_config(size: str, **overrides: Any) -> Any:
    """The :class:`acoustic.Tacotron2Config` of a :data:`TACOTRON2_SIZES` entry, ``overrides`` applied."""
    from acoustic import Tacotron2Config

    return Tacotron2Config(**{**TACOTRON2_SIZES[size], **overrides})


def random_tacotron2(
    size: str,
    n_symbols: int,
    *,
    seed: int = 0,
    table_std: float | None = None,
    gate_bias: float | None = None,
    **overrides: Any,
) -> Any:
    """A seeded random-weight Tacotron2 in eval mode.

    Its speaker and language projections start at zero, as in training, so the tables change
    nothing until ``table_std`` draws them; ``gate_bias`` fixes when decoding stops (-10: never,
    so the step limit ends it; +10: at the first step), where a random gate would stop anywhere.
    """
    import torch

    from acoustic import Tacotron2

    torch.manual_seed(seed)
    model = Tacotron2(tacotron2_config(size, n_symbols=n_symbols, **overrides))
    with torch.no_grad():
        if table_std is not None:
            for name in ("speaker_projection", "language_projection"):
                if hasattr(model, name):
                    torch.nn.init.normal_(getattr(model, name).linear_layer.weight, std=table_std)
        if gate_bias is not None:
            model.decoder.gate_layer.linear_layer.bias.fill_(gate_bias)
    return model.eval()


def random_waveglow(
    size: str, *, seed: int = 0, end_std: float = 0.05, end_bias_std: float = 0.0, **overrides: Any
) -> Any:
    """A seeded random-weight WaveGlow in eval mode whose couplings do work: the end layers, which
    start at zero (identity couplings), drawn with ``end_std`` (and their bias with ``end_bias_std``)."""
    import torch

    from vocoder import WaveGlow, WaveGlowConfig

    torch.manual_seed(seed)
    model: Any = WaveGlow(WaveGlowConfig(**{**WAVEGLOW_SIZES[size], **overrides}))
    with torch.no_grad():
        for wn in model.WN:
            if end_std:
                torch.nn.init.normal_(wn.end.weight, std=end_std)
            if end_bias_std:
                torch.nn.init.normal_(wn.end.bias, std=end_bias_std)
    return model.eval()


def train_argv(stage: str, data: Path, config: Path, out: Path, *extra: str, command: str = "train") -> list[str]:
    """The arguments of ``tts train STAGE`` (or ``tts finetune STAGE``) on a prepared data folder,
    a config file and a run folder, then ``extra``."""
    return [command, stage, "--data-dir", str(data), "--config", str(config), "--out", str(out), *extra]


def cli_command(argv: Sequence[str], processes: int = 1, port: int = 29700) -> list[str]:
    """A command line that runs ``tts ARGV`` in a fresh interpreter, under ``torch.distributed.run``
    with ``processes`` local processes (and that rendezvous ``port``) when more than one."""
    import sys

    launcher = ["-m", "torch.distributed.run", "--nproc_per_node", str(processes), "--master_port", str(port)]
    return [sys.executable, *(launcher if processes > 1 else []), "-m", "tts.cli", *argv]


def hinglish_manifest(**changes: Any) -> Any:
    """The :class:`tts.voice_manifest.VoiceManifest` of a tiny random hinglish voice with two
    speakers (asha, ravi) and a three-language table, ``changes`` applied; its files and hashes
    are placeholders (exporters write the real ones)."""
    import text
    from base.mel_scale import MelConfig
    from tts.voice_manifest import VoiceManifest

    values: dict[str, Any] = dict(
        name="tiny",
        languages=["hinglish", "hi", "en"],
        symbols=list(text.symbols("hinglish")),
        text_language="hinglish",
        sample_rate=22050,
        mel_config=MelConfig().to_dict(),
        files={"acoustic": "acoustic.pt", "vocoder": "vocoder.pt"},
        sha256={"acoustic.pt": "0" * 64, "vocoder.pt": "1" * 64},
        speakers=["asha", "ravi"],
        language_table=["hinglish", "hi", "en"],
        description="a tiny random voice",
        training={"steps": 0},
    )
    return VoiceManifest(**{**values, **changes})


def save_hinglish_checkpoints(
    folder: Path,
    tacotron: Any,
    waveglow: Any,
    speakers: Sequence[str] = ("spk_a", "spk_b"),
    training: dict[str, Any] | None = None,
) -> tuple[Path, Path]:
    """``folder/acoustic.pt`` and ``folder/vocoder.pt`` written the way training writes them, for a
    hinglish ``tacotron`` (its symbol table: ``text.symbols("hinglish")``) with ``speakers``:
    the inputs of ``tts export voice``."""
    import acoustic
    import text
    import vocoder
    from base.mel_scale import MelConfig

    folder.mkdir(parents=True, exist_ok=True)
    extra = {"training": training} if training is not None else {}
    acoustic.save_checkpoint(
        tacotron,
        folder / "acoustic.pt",
        text={"language": "hinglish", "symbols": list(text.symbols("hinglish"))},
        speakers=list(speakers),
        languages=["hinglish"],
        mel_config=MelConfig().to_dict(),
        **extra,
    )
    vocoder.save_checkpoint(waveglow, folder / "vocoder.pt", MelConfig())
    return folder / "acoustic.pt", folder / "vocoder.pt"


def micro_voice_bundle(folder: Path, name: str = "microvoice") -> Path:
    """A real voice bundle (``tts export voice``) of ``micro`` random-weight models in ``folder/name``:
    hinglish, two speakers (``spk_a``, ``spk_b``), a gate that never fires (every sentence decodes to
    the step limit: 90 frames, about a second), WaveGlow its default vocoder, and a mean mel frame
    recorded for ``tts eval``'s baseline. Speaks in milliseconds: for tests of what wraps a voice."""
    import text
    from base.mel_scale import MelConfig
    from tts.bundle import export_voice

    model = random_tacotron2(
        "micro",
        len(text.symbols("hinglish")),
        max_decoder_steps=30,
        n_speakers=2,
        n_languages=1,
        table_std=0.5,
        gate_bias=-20.0,
    )
    checkpoints = save_hinglish_checkpoints(folder / f".{name}-checkpoints", model, random_waveglow("micro"))
    training = {"mel_mean": [-5.0] * MelConfig().n_mel_channels}  # a plausible log-mel mean for the baseline
    return export_voice(*checkpoints, folder / name, training=training, half=False)


# Debian's Chromium, or another Chromium or Chrome on PATH, for the tests of pages (tts serve's page,
# tts report's). SWARATTS_CHROMIUM names another executable.
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
# On a machine without a network, Chromium stalls on its background services unless they are off.
CHROMIUM_FLAGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--autoplay-policy=no-user-gesture-required",
)


def find_chromium() -> str | None:
    """The Chromium to test pages with (``$SWARATTS_CHROMIUM``, else the first of
    :data:`CHROMIUM_NAMES` on PATH), or None."""
    import os
    import shutil

    configured = os.environ.get("SWARATTS_CHROMIUM")
    if configured:
        return configured if Path(configured).is_file() else None
    return next((found for name in CHROMIUM_NAMES if (found := shutil.which(name))), None)


def browser_skip_reason() -> str | None:
    """Why pages cannot be tested here (no Chromium, no Playwright), or None when they can."""
    import importlib.util

    if importlib.util.find_spec("playwright") is None:
        return "needs Playwright: pip install 'swaratts[dev]'"
    if find_chromium() is None:
        return (
            "no Chromium found (apt-get install chromium, or set SWARATTS_CHROMIUM): `make install` installs it as root"
        )
    return None


class HeadlessChromium:
    """A headless Chromium (a Playwright ``BrowserContext``) with a fresh profile in ``profile``,
    started with :data:`CHROMIUM_FLAGS`; closed after the block::

        with HeadlessChromium(tmp_path / "profile") as browser:
            page = browser.new_page()
    """

    def __init__(self, profile: Path) -> None:
        self.profile = profile
        self._playwright: Any = None

    def __enter__(self) -> Any:
        from playwright.sync_api import sync_playwright

        executable = find_chromium()
        if executable is None:
            raise RuntimeError(browser_skip_reason() or "no Chromium")
        self._playwright = sync_playwright().start()
        try:
            self._context = self._playwright.chromium.launch_persistent_context(
                str(self.profile),
                executable_path=executable,
                headless=True,
                args=list(CHROMIUM_FLAGS),
                viewport={"width": 960, "height": 720},
            )
        except BaseException:
            self._playwright.stop()
            raise
        return self._context

    def __exit__(self, *exc: object) -> None:
        try:
            self._context.close()
        finally:
            self._playwright.stop()
