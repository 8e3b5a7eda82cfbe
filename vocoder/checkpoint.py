"""Loading and saving WaveGlow checkpoints.

:func:`load_checkpoint` detects the kind of file on its own:

* ``swaratts``: this project's format (state dict + model config + mel config);
* ``nvidia``: written by NVIDIA's waveglow ``train.py`` (a pickled ``glow.WaveGlow`` under
  ``'model'``, e.g. the published ``waveglow_256channels_universal_v5.pt``), read through the
  allow-list unpickler of :mod:`vocoder.nvidia`, older layouts upgraded on load;
* ``nvidia-dle``: NVIDIA DeepLearningExamples (``{'state_dict', 'config'}``, ``module.`` keys);
* ``state-dict``: a bare WaveGlow state dict (config inferred from shapes).

Everything but ``nvidia`` is read with ``torch.load(weights_only=True)``.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import pickle
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

from base.audio import MelConfig
from base.checkpoint import (
    FORMAT_NAME,
    FORMAT_VERSION,
    atomic_save,
    is_project_checkpoint,
    load_weights_only,
    strip_prefix,
)
from base.errors import CheckpointError
from vocoder import nvidia
from vocoder.waveglow import WaveGlow, WaveGlowConfig

log = logging.getLogger(__name__)

MODEL_NAME = "waveglow"


@dataclass
class VocoderCheckpoint:
    """What a checkpoint file holds: the model, the mel definition it expects, where it came from,
    and any training state saved beside it (iteration, optimizer, ...)."""

    model: WaveGlow
    mel_config: MelConfig
    source: str
    extra: dict[str, Any] = field(default_factory=dict)


def save_checkpoint(
    model: WaveGlow, path: str | os.PathLike, mel_config: MelConfig = MelConfig(), **extra: Any
) -> Path:
    """Write ``model`` in this project's format, atomically. ``extra`` (iteration, optimizer
    state, ...) must be tensors, numbers, strings or containers of them."""
    payload = {
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "model": MODEL_NAME,
        "config": model.config.to_dict(),
        "mel_config": mel_config.to_dict(),
        "state_dict": {k: v.detach().cpu() for k, v in model.state_dict().items()},
        **extra,
    }
    return atomic_save(payload, path)


def load_checkpoint(path: str | os.PathLike, device: str | torch.device = "cpu") -> WaveGlow:
    """Load a WaveGlow of any supported kind (see module docstring), in eval mode on ``device``."""
    return read_checkpoint(path, device).model


def read_checkpoint(path: str | os.PathLike, device: str | torch.device = "cpu") -> VocoderCheckpoint:
    """Like :func:`load_checkpoint`, but also returns the mel config, the detected kind and the
    saved training state."""
    path = Path(path)
    try:
        obj = load_weights_only(path)
    except CheckpointError as exc:
        if not isinstance(exc.__cause__, pickle.UnpicklingError):
            raise
        # Whole pickled objects: the only such kind we accept is NVIDIA's train.py output.
        loaded = nvidia.load_nvidia_pickle(str(path))
        state_dict = nvidia.upgrade_state_dict(loaded["state_dict"])
        config = _infer_config(path, state_dict, loaded["hparams"])
        extra = {k: loaded[k] for k in ("iteration", "learning_rate") if k in loaded}
        return _build(path, config, state_dict, _nvidia_mels(path, config), "nvidia", extra, device)

    if is_project_checkpoint(obj):
        if obj.get("model") != MODEL_NAME:
            raise CheckpointError(
                f"{path}: is a {obj.get('model')!r} checkpoint of this project, not a WaveGlow vocoder"
            )
        try:
            config = WaveGlowConfig.from_dict(obj["config"])
            mel_config = MelConfig.from_dict(obj["mel_config"])
        except (KeyError, TypeError, ValueError) as exc:
            raise CheckpointError(f"{path}: damaged config in checkpoint: {exc}") from exc
        skip = {"format", "format_version", "model", "config", "mel_config", "state_dict"}
        extra = {k: v for k, v in obj.items() if k not in skip}
        return _build(path, config, obj["state_dict"], mel_config, "swaratts", extra, device)

    if isinstance(obj, Mapping) and isinstance(obj.get("state_dict"), Mapping):
        state_dict = nvidia.upgrade_state_dict(strip_prefix(obj["state_dict"]))
        stated = nvidia.config_from_dle(obj["config"]) if isinstance(obj.get("config"), Mapping) else {}
        config = _infer_config(path, state_dict, stated)
        extra = {k: obj[k] for k in ("epoch", "iteration") if k in obj}
        return _build(path, config, state_dict, _nvidia_mels(path, config), "nvidia-dle", extra, device)

    bare = strip_prefix(obj) if isinstance(obj, Mapping) else {}
    if "upsample.weight" in bare:
        state_dict = nvidia.upgrade_state_dict(bare)
        config = _infer_config(path, state_dict, {})
        return _build(path, config, state_dict, _nvidia_mels(path, config), "state-dict", {}, device)

    keys = ", ".join(map(str, list(obj)[:8])) if isinstance(obj, Mapping) else type(obj).__name__
    raise CheckpointError(
        f"{path}: unknown kind of checkpoint (top level: {keys}); expected this project's WaveGlow "
        "format, NVIDIA's waveglow train.py output, a DeepLearningExamples checkpoint or a WaveGlow "
        "state dict"
    )


def _nvidia_mels(path: Path, config: WaveGlowConfig) -> MelConfig:
    """The mel definition of a file that records none (NVIDIA's): NVIDIA's defaults, with the mel
    channel count the model itself reads, for a WaveGlow trained at another ``n_mel_channels``."""
    mel_config = MelConfig()
    if config.n_mel_channels != mel_config.n_mel_channels:
        log.info(
            "%s: the WaveGlow reads %d mel channels; its file records no mel settings, so NVIDIA's "
            "defaults are assumed for the rest",
            path,
            config.n_mel_channels,
        )
        mel_config = dataclasses.replace(mel_config, n_mel_channels=config.n_mel_channels)
    return mel_config


def _infer_config(path: Path, state_dict: Mapping, hparams: Mapping) -> WaveGlowConfig:
    try:
        return nvidia.infer_config(state_dict, hparams)
    except CheckpointError as exc:
        raise CheckpointError(f"{path}: {exc}") from None
    except ValueError as exc:
        raise CheckpointError(f"{path}: inconsistent WaveGlow hyper-parameters: {exc}") from None


def _build(
    path: Path,
    config: WaveGlowConfig,
    state_dict: Mapping[str, torch.Tensor],
    mel_config: MelConfig,
    source: str,
    extra: dict,
    device: str | torch.device,
) -> VocoderCheckpoint:
    if config.n_mel_channels != mel_config.n_mel_channels:
        raise CheckpointError(
            f"{path}: the model reads {config.n_mel_channels} mel channels but its mel config "
            f"has {mel_config.n_mel_channels}"
        )
    model = WaveGlow(config)
    expected = model.state_dict()
    missing = sorted(set(expected) - set(state_dict))
    unexpected = sorted(set(state_dict) - set(expected))
    if missing or unexpected:
        raise CheckpointError(
            f"{path}: tensors do not match a WaveGlow with {config}: "
            f"missing {_few(missing)}; unexpected {_few(unexpected)}"
        )
    for name, tensor in state_dict.items():
        if tensor.shape != expected[name].shape:
            raise CheckpointError(
                f"{path}: tensor {name} has shape {tuple(tensor.shape)}, the model expects "
                f"{tuple(expected[name].shape)}"
            )
    model.load_state_dict({k: v.float() for k, v in state_dict.items()})
    model.to(device).eval()
    log.debug("loaded %s WaveGlow checkpoint %s (%s)", source, path, config)
    return VocoderCheckpoint(model=model, mel_config=mel_config, source=source, extra=extra)


def _few(names: list[str], limit: int = 5) -> str:
    if not names:
        return "none"
    more = f" and {len(names) - limit} more" if len(names) > limit else ""
    return ", ".join(names[:limit]) + more
