"""Checkpoint interop: this project's format, NVIDIA's pickled train.py files (current and old
layouts, zip and legacy serialisation), DeepLearningExamples, and refusal of malicious pickles."""

from __future__ import annotations

import dataclasses
import logging
import os
import pickle
import sys

import numpy as np
import pytest
import torch
import torch.nn.backends.thnn  # noqa: F401  (the legacy _backend global)

import vocoder
from base.audio import MelConfig
from base.checkpoint import FORMAT_NAME, atomic_save
from base.errors import CheckpointError
from vocoder import WaveGlow, WaveGlowConfig

NVIDIA_HPARAMS = dict(n_mel_channels=80, n_flows=12, n_group=8, n_early_every=4, n_early_size=2)
WN_CONFIG = dict(n_layers=3, n_channels=16, kernel_size=3)
MATCHING = WaveGlowConfig(**NVIDIA_HPARAMS, **WN_CONFIG)


def randomise_(model: torch.nn.Module, scale: float = 0.05) -> torch.nn.Module:
    """Perturb every parameter so the (zero-initialised) couplings do something."""
    with torch.no_grad():
        for p in model.parameters():
            p.add_(scale * torch.randn_like(p))
    return model


def _inputs(seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    return torch.randn(1, 80, 3, generator=g), 0.3 * torch.randn(1, 768, generator=g)


def _nvidia_model(glow_module, layout: str):
    glow = glow_module(layout)
    torch.manual_seed(0)
    return randomise_(glow.WaveGlow(**NVIDIA_HPARAMS, WN_config=WN_CONFIG))


def _forget_glow(monkeypatch) -> None:
    """Loading must not need NVIDIA's code: make `import glow` impossible."""
    monkeypatch.delitem(sys.modules, "glow", raising=False)
    monkeypatch.setitem(sys.modules, "glow", None)


def test_project_format_round_trip(tmp_path):
    torch.manual_seed(0)
    model = randomise_(WaveGlow(MATCHING))
    mel_config = MelConfig(mel_fmax=7600.0)
    path = vocoder.save_checkpoint(model, tmp_path / "wg.pt", mel_config, iteration=42)
    assert [p.name for p in tmp_path.iterdir()] == ["wg.pt"]  # no temporary file left behind
    raw = torch.load(path, weights_only=True)
    assert raw["format"] == FORMAT_NAME and raw["model"] == "waveglow"
    loaded = vocoder.read_checkpoint(path)
    assert loaded.source == "swaratts"
    assert loaded.config == MATCHING and loaded.mel_config == mel_config
    assert loaded.extra == {"iteration": 42}
    assert not vocoder.load_checkpoint(loaded).training
    mel, audio = _inputs()
    with torch.no_grad():
        assert torch.equal(vocoder.load_checkpoint(loaded)(mel, audio)[0], model(mel, audio)[0])


def test_interrupted_save_keeps_the_previous_checkpoint(tmp_path, monkeypatch):
    path = tmp_path / "wg.pt"
    atomic_save({"version": 1}, path)

    def broken_save(obj, handle, *args, **kwargs):
        handle.write(b"half a checkpoint")
        raise KeyboardInterrupt

    monkeypatch.setattr(torch, "save", broken_save)
    with pytest.raises(KeyboardInterrupt):
        atomic_save({"version": 2}, path)
    monkeypatch.undo()
    assert torch.load(path, weights_only=True) == {"version": 1}
    assert [p.name for p in tmp_path.iterdir()] == ["wg.pt"]


@pytest.mark.filterwarnings("ignore:Couldn't retrieve source code")
@pytest.mark.parametrize("zip_format", [True, False], ids=["zip", "legacy"])
def test_nvidia_train_py_checkpoint_loads_without_nvidia_code(tmp_path, glow_module, monkeypatch, zip_format):
    reference = _nvidia_model(glow_module, "current")
    path = tmp_path / "waveglow_nvidia.pt"
    optimizer = torch.optim.Adam(reference.parameters(), lr=1e-4)
    torch.save(
        {"model": reference, "iteration": 580000, "optimizer": optimizer.state_dict(), "learning_rate": 1e-4},
        path,
        _use_new_zipfile_serialization=zip_format,
    )
    _forget_glow(monkeypatch)
    with pytest.raises(pickle.UnpicklingError):  # a plain weights-only load refuses the pickled model
        torch.load(path, weights_only=True)

    loaded = vocoder.read_checkpoint(path)
    assert loaded.source == "nvidia"
    assert loaded.config == MATCHING
    assert loaded.extra == {"iteration": 580000, "learning_rate": 1e-4}
    # Parameters map 1:1 by name.
    theirs = reference.state_dict()
    ours = vocoder.load_checkpoint(loaded).state_dict()
    assert set(theirs) == set(ours)
    for name, tensor in theirs.items():
        assert torch.equal(ours[name], tensor), name
    mel, audio = _inputs()
    with torch.no_grad():
        assert torch.allclose(vocoder.load_checkpoint(loaded)(mel, audio)[0], reference(mel, audio), atol=1e-5)


class _LegacyBackend:
    """What every module pickled by PyTorch <= 1.2 carries as ``_backend``: a call of
    ``torch.nn.backends.thnn._get_thnn_function_backend``."""

    def __reduce__(self):
        return (torch.nn.backends.thnn._get_thnn_function_backend, ())


@pytest.mark.filterwarnings("ignore:Couldn't retrieve source code")
@pytest.mark.parametrize("zip_format", [True, False], ids=["zip", "legacy"])
@pytest.mark.parametrize("layout", ["old", "dle"])
def test_old_layouts_are_converted_on_load(tmp_path, glow_module, monkeypatch, layout, zip_format):
    reference = _nvidia_model(glow_module, layout)
    for module in reference.modules():  # as saved by the PyTorch of 2018
        module._backend = _LegacyBackend()
    path = tmp_path / f"waveglow_{layout}.pt"
    torch.save({"model": reference, "iteration": 1}, path, _use_new_zipfile_serialization=zip_format)
    _forget_glow(monkeypatch)
    model = vocoder.load_checkpoint(path)
    assert model.config == MATCHING
    mel, audio = _inputs(1)
    with torch.no_grad():
        z = model(mel, audio)[0]
        assert torch.allclose(z, reference(mel, audio), atol=1e-5)
        assert torch.allclose(model.reverse(mel, z), audio, atol=1e-4)


def test_weight_norm_removed_checkpoint_loads(tmp_path, glow_module, monkeypatch):
    reference = _nvidia_model(glow_module, "current")
    for wn in reference.WN:
        for module in [wn.start, wn.cond_layer, *wn.in_layers, *wn.res_skip_layers]:
            torch.nn.utils.remove_weight_norm(module)
    path = tmp_path / "waveglow_folded.pt"
    torch.save({"model": reference}, path)
    _forget_glow(monkeypatch)
    model = vocoder.load_checkpoint(path)
    mel, audio = _inputs(2)
    with torch.no_grad():
        assert torch.allclose(model(mel, audio)[0], reference(mel, audio), atol=1e-5)


def test_deep_learning_examples_checkpoint(tmp_path, glow_module):
    reference = _nvidia_model(glow_module, "dle")
    state_dict = {f"module.{k}": v for k, v in reference.state_dict().items()}
    config = dict(NVIDIA_HPARAMS, WN_config=WN_CONFIG)
    path = tmp_path / "nvidia_waveglowpyt_fp32.pt"
    torch.save({"state_dict": state_dict, "config": config, "epoch": 3, "iteration": 10}, path)
    loaded = vocoder.read_checkpoint(path)
    assert loaded.source == "nvidia-dle" and loaded.config == MATCHING
    assert loaded.extra == {"epoch": 3, "iteration": 10}
    mel, audio = _inputs(3)
    with torch.no_grad():
        assert torch.allclose(vocoder.load_checkpoint(loaded)(mel, audio)[0], reference(mel, audio), atol=1e-5)


def test_bare_state_dict_infers_its_config(tmp_path):
    torch.manual_seed(0)
    config = WaveGlowConfig(
        n_flows=6, n_group=8, n_early_every=3, n_early_size=2, n_layers=2, n_channels=8, kernel_size=5
    )
    model = WaveGlow(config)
    path = tmp_path / "sd.pt"
    torch.save(model.state_dict(), path)
    loaded = vocoder.read_checkpoint(path)
    assert loaded.source == "state-dict" and loaded.config == config


def test_an_nvidia_pickle_at_another_mel_channel_count_loads(tmp_path, glow_module, monkeypatch, caplog):
    """NVIDIA's files record no mel settings: the channel count comes from the model itself."""
    glow = glow_module("current")
    torch.manual_seed(0)
    reference = randomise_(glow.WaveGlow(**{**NVIDIA_HPARAMS, "n_mel_channels": 40}, WN_config=WN_CONFIG))
    path = tmp_path / "waveglow_40.pt"
    torch.save({"model": reference, "iteration": 10}, path)
    _forget_glow(monkeypatch)
    loaded = vocoder.read_checkpoint(path)
    assert loaded.config.n_mel_channels == 40 and loaded.mel_config is None  # the file records none
    with caplog.at_level(logging.INFO, logger="vocoder"):
        mels = vocoder.mel_config_of(loaded)
    assert mels.n_mel_channels == 40
    assert dataclasses.replace(mels, n_mel_channels=80) == MelConfig()  # NVIDIA's defaults otherwise
    assert "reads 40 mel channels; its file records no mel settings" in caplog.text
    # A bare state dict too.
    torch.save(vocoder.load_checkpoint(loaded).state_dict(), tmp_path / "sd40.pt")
    assert vocoder.mel_config_of(vocoder.read_checkpoint(tmp_path / "sd40.pt")).n_mel_channels == 40


def test_stated_config_that_contradicts_the_tensors_is_refused(tmp_path, glow_module):
    reference = _nvidia_model(glow_module, "dle")
    config = dict(NVIDIA_HPARAMS, WN_config=dict(WN_CONFIG, n_channels=512))
    path = tmp_path / "dle.pt"
    torch.save({"state_dict": reference.state_dict(), "config": config}, path)
    with pytest.raises(CheckpointError, match="n_channels=512 but its tensors imply 16"):
        vocoder.load_checkpoint(path)


class _Payload:
    """Pickles to a call of os.system: what a malicious checkpoint does."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


class _EvalPayload:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (eval, (f"open({str(self.marker)!r}, 'w').close()",))


@pytest.mark.parametrize("payload", [_Payload, _EvalPayload])
def test_malicious_pickle_is_refused_and_never_runs(tmp_path, payload):
    marker = tmp_path / "pwned"
    path = tmp_path / "evil.pt"
    torch.save({"model": payload(marker), "iteration": 1}, path)
    with pytest.raises(CheckpointError, match="refusing to load") as info:
        vocoder.load_checkpoint(path)
    assert str(path) in str(info.value)
    assert "system" in str(info.value) or "eval" in str(info.value)
    assert not marker.exists()


def test_payload_hidden_inside_a_real_looking_model_is_refused(tmp_path, glow_module, monkeypatch):
    marker = tmp_path / "pwned"
    model = _nvidia_model(glow_module, "current")
    model.WN[0].surprise = _Payload(marker)
    path = tmp_path / "trojan.pt"
    torch.save({"model": model}, path)
    _forget_glow(monkeypatch)
    with pytest.raises(CheckpointError, match="refusing"):
        vocoder.load_checkpoint(path)
    assert not marker.exists()


@pytest.mark.filterwarnings("ignore:Detected pickle protocol")
def test_clear_errors_for_unusable_files(tmp_path):
    with pytest.raises(CheckpointError, match="no such checkpoint"):
        vocoder.load_checkpoint(tmp_path / "missing.pt")
    rng = np.random.default_rng(0)
    for i in range(50):  # random bytes, and random bytes behind a pickle header, break in many ways
        garbage = tmp_path / f"garbage{i}.pt"
        prefix = b"\x80\x02" if i % 2 else b""
        garbage.write_bytes(prefix + rng.integers(0, 256, 2000, dtype=np.uint8).tobytes())
        with pytest.raises(CheckpointError, match=f"garbage{i}.pt"):
            vocoder.load_checkpoint(garbage)
    unknown = tmp_path / "unknown.pt"
    torch.save({"weights": torch.zeros(3)}, unknown)
    with pytest.raises(CheckpointError, match="unknown kind of checkpoint"):
        vocoder.load_checkpoint(unknown)
    other_model = tmp_path / "taco.pt"
    torch.save({"format": FORMAT_NAME, "format_version": 1, "model": "tacotron2"}, other_model)
    with pytest.raises(CheckpointError, match="'tacotron2' checkpoint"):
        vocoder.load_checkpoint(other_model)
    truncated = tmp_path / "truncated.pt"
    good = tmp_path / "good.pt"
    vocoder.save_checkpoint(WaveGlow(WaveGlowConfig(n_layers=1, n_channels=4)), good)
    truncated.write_bytes(good.read_bytes()[:5000])
    with pytest.raises(CheckpointError, match="truncated.pt"):
        vocoder.load_checkpoint(truncated)


def test_wrong_shape_tensor_is_named(tmp_path):
    model = WaveGlow(WaveGlowConfig(n_layers=2, n_channels=8))
    state = model.state_dict()
    state["WN.3.end.bias"] = torch.zeros(5)
    path = tmp_path / "bad.pt"
    torch.save(
        {
            "format": FORMAT_NAME,
            "format_version": 1,
            "model": "waveglow",
            "config": model.config.to_dict(),
            "mel_config": MelConfig().to_dict(),
            "state_dict": state,
        },
        path,
    )
    with pytest.raises(CheckpointError, match=r"WN\.3\.end\.bias has shape \(5,\)"):
        vocoder.load_checkpoint(path)


def test_both_models_share_one_checkpoint_api(tmp_path):
    """The same dataclass, source words, signatures and reserved keys for the two models."""
    import inspect

    import acoustic
    from acoustic.model import Tacotron2, Tacotron2Config
    from base.checkpoint import RESERVED_KEYS, SOURCES, Checkpoint
    from base.mel_scale import MelConfig

    wave = WaveGlow(WaveGlowConfig(n_flows=2, n_group=8, n_early_every=1, n_early_size=2, n_layers=2, n_channels=8))
    taco = Tacotron2(
        Tacotron2Config(
            n_symbols=12,
            encoder_embedding_dim=32,
            symbols_embedding_dim=32,
            attention_rnn_dim=32,
            decoder_rnn_dim=32,
            prenet_dim=16,
            attention_dim=16,
            postnet_embedding_dim=16,
        )
    )
    mels = MelConfig(mel_fmax=7600.0)
    paths = [
        vocoder.save_checkpoint(wave, tmp_path / "w.pt", mels, training={"step": 3}),
        acoustic.save_checkpoint(taco, tmp_path / "a.pt", mels, training={"step": 3}),
    ]
    for module, path in ((vocoder, paths[0]), (acoustic, paths[1])):
        read = module.read_checkpoint(path)
        assert isinstance(read, Checkpoint) and read.source == "swaratts" and read.source in SOURCES
        assert read.mel_config == mels and read.extra == {"training": {"step": 3}}
        model = module.load_checkpoint(read, "cpu")
        assert not model.training and model.config == read.config
        assert list(inspect.signature(module.load_checkpoint).parameters) == ["path", "device", "overrides"]
        assert list(inspect.signature(module.save_checkpoint).parameters) == ["model", "path", "mel_config", "extra"]
        for key in RESERVED_KEYS - {"model", "mel_config"}:  # those two are parameters
            with pytest.raises(ValueError, match="reserved"):
                module.save_checkpoint(model, tmp_path / "x.pt", mels, **{key: 1})
