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
from pathlib import Path
from typing import Any

import torch

from base import checkpoint as checkpoint_io
from base.audio import MelConfig
from base.checkpoint import Checkpoint
from base.errors import CheckpointError
from vocoder import nvidia
from vocoder.waveglow import WaveGlow, WaveGlowConfig

log = logging.getLogger(__name__)

MODEL_NAME = "waveglow"


VocoderCheckpoint = Checkpoint[WaveGlowConfig]


def save_checkpoint(
    model: WaveGlow,
    path: str | os.PathLike,
    mel_config: MelConfig | Mapping[str, Any] | None = MelConfig(),
    **extra: Any,
) -> Path:
    """Write ``model`` in this project's format, atomically, with the mel definition it was trained
    on. ``extra`` (training state, ...) must be tensors, numbers, strings or containers of them;
    the format's own keys are refused (:data:`base.checkpoint.RESERVED_KEYS`)."""
    model = getattr(model, "module", model)  # unwrap DataParallel / DistributedDataParallel
    if not isinstance(model, WaveGlow):
        raise TypeError(f"save_checkpoint expects a WaveGlow, got {type(model).__name__}")
    return checkpoint_io.save_project(MODEL_NAME, model.config.to_dict(), model.state_dict(), path, mel_config, extra)


def load_checkpoint(
    path: str | os.PathLike | VocoderCheckpoint, device: str | torch.device = "cpu", **overrides: Any
) -> WaveGlow:
    """Build the WaveGlow a checkpoint of any supported kind describes (see the module docstring)
    and load its weights; returned in eval mode on ``device``. ``path`` may also be what
    :func:`read_checkpoint` returned. Keyword arguments override config fields; the tensors must
    still fit.

    Raises:
        CheckpointError: unreadable or unknown file, or tensors that do not fit the config.
        TypeError: an override that is not a :class:`WaveGlowConfig` field.
    """
    checkpoint = path if isinstance(path, Checkpoint) else read_checkpoint(path)
    unknown = set(overrides) - {f.name for f in dataclasses.fields(WaveGlowConfig)}
    if unknown:
        raise TypeError(f"load_checkpoint: {sorted(unknown)} are not WaveGlowConfig fields")
    config = dataclasses.replace(checkpoint.config, **overrides) if overrides else checkpoint.config
    model = WaveGlow(config)
    expected = model.state_dict()
    state_dict = checkpoint.state_dict
    missing = sorted(set(expected) - set(state_dict))
    unexpected = sorted(set(state_dict) - set(expected))
    if missing or unexpected:
        raise CheckpointError(
            f"{checkpoint.path}: tensors do not match a WaveGlow with {config}: "
            f"missing {_few(missing)}; unexpected {_few(unexpected)}"
        )
    for name, tensor in state_dict.items():
        if tensor.shape != expected[name].shape:
            raise CheckpointError(
                f"{checkpoint.path}: tensor {name} has shape {tuple(tensor.shape)}, the model expects "
                f"{tuple(expected[name].shape)}"
            )
    model.load_state_dict({k: v.float() for k, v in state_dict.items()})
    model.to(device).eval()
    log.debug("loaded %s WaveGlow checkpoint %s (%s)", checkpoint.source, checkpoint.path, config)
    return model


def read_checkpoint(path: str | os.PathLike) -> VocoderCheckpoint:
    """Read a WaveGlow file of any supported kind into its source, config, state dict, mel
    definition (where recorded: this project's files) and extra training state, without building
    the model (:func:`load_checkpoint`)."""
    path = Path(path)
    try:
        obj = checkpoint_io.load_weights_only(path)
    except CheckpointError as exc:
        if not isinstance(exc.__cause__, pickle.UnpicklingError):
            raise
        # Whole pickled objects: the only such kind we accept is NVIDIA's train.py output.
        loaded = nvidia.load_nvidia_pickle(str(path))
        state_dict = nvidia.upgrade_state_dict(loaded["state_dict"])
        config = _infer_config(path, state_dict, loaded["hparams"])
        extra = {k: loaded[k] for k in ("iteration", "learning_rate") if k in loaded}
        return _checked(Checkpoint(path, "nvidia", config, state_dict, None, extra))

    if checkpoint_io.is_project_checkpoint(obj):
        checkpoint = checkpoint_io.read_project(path, obj, MODEL_NAME, WaveGlowConfig.from_dict)
        if checkpoint.mel_config is None:
            raise CheckpointError(f"{path}: damaged checkpoint: it records no mel_config")
        return _checked(checkpoint)

    if isinstance(obj, Mapping) and isinstance(obj.get("state_dict"), Mapping):
        state_dict = nvidia.upgrade_state_dict(checkpoint_io.strip_prefix(obj["state_dict"]))
        stated = nvidia.config_from_dle(obj["config"]) if isinstance(obj.get("config"), Mapping) else {}
        config = _infer_config(path, state_dict, stated)
        extra = {k: obj[k] for k in ("epoch", "iteration") if k in obj}
        return _checked(Checkpoint(path, "nvidia-dle", config, state_dict, None, extra))

    bare = checkpoint_io.strip_prefix(obj) if isinstance(obj, Mapping) else {}
    if "upsample.weight" in bare:
        state_dict = nvidia.upgrade_state_dict(bare)
        config = _infer_config(path, state_dict, {})
        return _checked(Checkpoint(path, "state-dict", config, state_dict, None, {}))

    keys = ", ".join(map(str, list(obj)[:8])) if isinstance(obj, Mapping) else type(obj).__name__
    raise CheckpointError(
        f"{path}: unknown kind of checkpoint (top level: {keys}); expected this project's WaveGlow "
        "format, NVIDIA's waveglow train.py output, a DeepLearningExamples checkpoint or a WaveGlow "
        "state dict"
    )


def mel_config_of(checkpoint: VocoderCheckpoint) -> MelConfig:
    """The mel definition a WaveGlow reads: the one its file records, else (NVIDIA's files record
    none) NVIDIA's defaults with the model's own channel count."""
    if checkpoint.mel_config is not None:
        return checkpoint.mel_config
    return _nvidia_mels(checkpoint.path, checkpoint.config)


def _checked(checkpoint: VocoderCheckpoint) -> VocoderCheckpoint:
    mel_config = checkpoint.mel_config
    if mel_config is not None and checkpoint.config.n_mel_channels != mel_config.n_mel_channels:
        raise CheckpointError(
            f"{checkpoint.path}: the model reads {checkpoint.config.n_mel_channels} mel channels but its mel config "
            f"has {mel_config.n_mel_channels}"
        )
    return checkpoint


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


def _few(names: list[str], limit: int = 5) -> str:
    if not names:
        return "none"
    more = f" and {len(names) - limit} more" if len(names) > limit else ""
    return ", ".join(names[:limit]) + more
