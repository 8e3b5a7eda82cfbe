"""Training configuration: the loop's settings, shared by both stages, and config files.

A config file (YAML or JSON) has up to three sections, each overriding the defaults of its
dataclass; anything not named keeps the reference value::

    model:    {n_channels: 32}          # the stage's model config (WaveGlowConfig / Tacotron2Config)
    data:     {segment_length: 4096}    # the stage's data settings
    training: {batch_size: 4, learning_rate: 1.0e-3, max_steps: 300}

Presets ship with the package (``tts/training/presets/<stage>/<name>.yaml``): ``base`` (the
papers' sizes) and ``tiny`` (CPU smoke tests and demo voices). ``--config`` takes a preset name
or a file path.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from base.config import DictConfig
from base.errors import TTSError

AMP_MODES = ("off", "fp16", "bf16")
LR_SCHEDULES = ("constant", "exponential")


@dataclass(frozen=True)
class TrainingConfig(DictConfig):
    """The training loop's settings (the same for both stages)."""

    batch_size: int = 12  # global batch: split evenly over the processes of a distributed run
    learning_rate: float = 1e-4
    betas: tuple[float, float] = (0.9, 0.999)
    eps: float = 1e-8
    weight_decay: float = 0.0
    grad_clip_thresh: float = 0.0  # 0 disables clipping
    lr_schedule: str = "constant"
    lr_decay_start: int = 0  # exponential: lr * lr_decay_rate ** ((step - start) / 1000)
    lr_decay_rate: float = 1.0
    lr_min: float = 0.0
    max_steps: int = 1_000_000
    epochs: int = 100_000
    checkpoint_every: int = 1000
    keep_last: int = 3
    log_every: int = 10
    seed: int = 1234
    amp: str = "off"  # "fp16" or "bf16" on CUDA; always off on CPU
    num_workers: int = 0
    max_consecutive_nonfinite: int = 20
    # Batches of similar length: each window of bucket_windows batches' worth of shuffled items
    # is sorted by length before it is cut into batches (0: plain random batches, as NVIDIA).
    # Padding is what a step spends on nothing; on a CPU it is most of a random batch.
    bucket_windows: int = 0
    # An exponential moving average of the weights (Polyak averaging), updated after every step
    # (with TensorFlow's warm-up: the decay is at most (1 + step) / (10 + step)): checkpoints then
    # hold the average as the model (what synthesis loads) and the raw weights only for resuming.
    # 0 disables it; 0.999 averages over about the last 1000 steps.
    ema_decay: float = 0.0

    def __post_init__(self) -> None:
        if self.amp not in AMP_MODES:
            raise ValueError(f"amp must be one of {AMP_MODES}, got {self.amp!r}")
        if self.lr_schedule not in LR_SCHEDULES:
            raise ValueError(f"lr_schedule must be one of {LR_SCHEDULES}, got {self.lr_schedule!r}")
        if self.bucket_windows < 0:
            raise ValueError(f"bucket_windows must be >= 0, got {self.bucket_windows}")
        for name in ("batch_size", "max_steps", "epochs", "checkpoint_every", "keep_last", "log_every"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be >= 1, got {getattr(self, name)}")
        if not 0 <= self.ema_decay < 1:
            raise ValueError(f"ema_decay must be 0 (off) or in (0, 1) such as 0.999, got {self.ema_decay}")
        if self.learning_rate <= 0:
            raise ValueError(f"learning_rate must be positive, got {self.learning_rate}")
        object.__setattr__(self, "betas", tuple(self.betas))

    def learning_rate_at(self, step: int) -> float:
        """The learning rate for optimiser step ``step`` (0-based)."""
        if self.lr_schedule == "constant" or step < self.lr_decay_start:
            return self.learning_rate
        decayed = self.learning_rate * self.lr_decay_rate ** ((step - self.lr_decay_start) / 1000)
        return max(decayed, self.lr_min)


@dataclass(frozen=True)
class ConfigFile:
    """The three sections of a config file, as plain dicts still to be applied."""

    model: dict[str, Any] = field(default_factory=dict)
    data: dict[str, Any] = field(default_factory=dict)
    training: dict[str, Any] = field(default_factory=dict)
    source: str = "defaults"


def read_config_file(stage: str, name_or_path: str | os.PathLike | None) -> ConfigFile:
    """Read a preset (``base``, ``tiny``) of ``stage`` or a YAML/JSON file."""
    if name_or_path is None:
        name_or_path = "base"
    text, source = _config_text(stage, str(name_or_path))
    try:
        if source.endswith(".json"):
            values = json.loads(text)
        else:
            import yaml

            values = yaml.safe_load(text) or {}
    except Exception as exc:  # yaml and json raise many kinds; all mean the same to the user
        raise TTSError(f"{source}: not valid YAML/JSON: {' '.join(str(exc).split())}") from exc
    if not isinstance(values, dict):
        raise TTSError(f"{source}: expected a mapping with sections model/data/training")
    unknown = sorted(set(values) - {"model", "data", "training"})
    if unknown:
        raise TTSError(f"{source}: unknown sections {unknown}; use model, data and training")
    sections = {}
    for key in ("model", "data", "training"):
        section = values.get(key) or {}
        if not isinstance(section, dict):
            raise TTSError(f"{source}: section {key!r} must be a mapping")
        sections[key] = section
    return ConfigFile(**sections, source=source)


def build_section(config_cls: Any, values: dict[str, Any], source: str, section: str, **base: Any) -> Any:
    """``config_cls(**base, **values)`` with errors that name the file and the section."""
    try:
        return config_cls.from_dict({**base, **values})
    except (TypeError, ValueError) as exc:
        raise TTSError(f"{source}: section {section!r}: {exc}") from exc


def _config_text(stage: str, name_or_path: str) -> tuple[str, str]:
    path = Path(name_or_path)
    if path.suffix in (".yaml", ".yml", ".json"):
        if not path.is_file():
            raise TTSError(f"{path}: no such config file")
        return path.read_text(encoding="utf-8"), str(path)
    presets = resources.files("tts.training") / "presets" / stage
    preset = presets / f"{name_or_path}.yaml"
    if not preset.is_file():
        names = sorted(p.name.removesuffix(".yaml") for p in presets.iterdir() if p.name.endswith(".yaml"))
        raise TTSError(
            f"unknown {stage} config {name_or_path!r}: give a preset ({', '.join(names)}) or a .yaml/.json file"
        )
    return preset.read_text(encoding="utf-8"), f"preset {stage}/{name_or_path}"
