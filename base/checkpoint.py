"""Safe checkpoint I/O shared by both models.

Every file is read with ``torch.load(weights_only=True)``: tensors, containers and primitive values
only, never arbitrary objects, so loading a checkpoint cannot run code. Files are written atomically
(temporary file in the same folder, fsync, rename), so an interrupted save never leaves a half
written checkpoint in place of a good one.

This project's own format is a plain dict::

    {"format": "swaratts", "format_version": 1, "model": "waveglow" | "tacotron2",
     "config": {...}, "mel_config": {...}, "state_dict": {...}, ...extra training state}
"""

from __future__ import annotations

import os
import pickle
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar

import torch

from base.errors import CheckpointError
from base.files import atomic_path
from base.mel_scale import MelConfig

FORMAT_NAME = "swaratts"
FORMAT_VERSION = 1
# Where a file came from, the same words for both models: this project's format, a file of
# NVIDIA's reference code (tacotron2 / waveglow train.py), one of NVIDIA DeepLearningExamples, or
# a bare state dict.
SOURCES = ("swaratts", "nvidia", "nvidia-dle", "state-dict")
# The keys of this project's format; training state saved beside them must use other names.
RESERVED_KEYS = frozenset({"format", "format_version", "model", "config", "mel_config", "state_dict"})

ConfigT = TypeVar("ConfigT")


@dataclass
class Checkpoint(Generic[ConfigT]):
    """What a model file holds, read without building the model (``acoustic.read_checkpoint``,
    ``vocoder.read_checkpoint``; their ``load_checkpoint`` builds it)."""

    path: Path
    source: str  # one of SOURCES
    config: ConfigT  # as stored, or inferred from the tensors' shapes where the file has none
    state_dict: dict[str, torch.Tensor]  # without any parallel wrapper's "module." prefix
    mel_config: MelConfig | None  # the features the model was trained on, where the file says
    extra: dict[str, Any] = field(default_factory=dict)  # training state: step, optimizer, ...


def save_project(
    model: str,
    config: Mapping[str, Any],
    state_dict: Mapping[str, torch.Tensor],
    path: str | os.PathLike,
    mel_config: MelConfig | Mapping[str, Any] | None,
    extra: Mapping[str, Any],
) -> Path:
    """Write ``model``'s (``"tacotron2"``, ``"waveglow"``) ``config`` and ``state_dict`` in this
    project's format to ``path``, atomically, with the mel definition and ``extra`` training state.

    Raises:
        ValueError: ``extra`` uses a key of the format (:data:`RESERVED_KEYS`).
    """
    clash = RESERVED_KEYS.intersection(extra)
    if clash:
        raise ValueError(f"save_checkpoint: extra keys {sorted(clash)} are reserved by the format")
    payload: dict[str, Any] = {
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "model": model,
        "config": dict(config),
        "state_dict": {k: v.detach().cpu() for k, v in state_dict.items()},
    }
    if mel_config is not None:
        payload["mel_config"] = mel_config.to_dict() if isinstance(mel_config, MelConfig) else dict(mel_config)
    return atomic_save({**payload, **extra}, path)


def read_project(
    path: Path, obj: Mapping[str, Any], model: str, make_config: Callable[[Mapping[str, Any]], ConfigT]
) -> Checkpoint[ConfigT]:
    """A file in this project's format (``obj``, read from ``path``), checked for both models alike:
    it holds ``model``, in a format version this code reads, with config and state-dict dicts.
    ``make_config`` builds the config from the stored dict; its ``TypeError`` or ``ValueError``
    says what is wrong with it.
    """
    if obj.get("model") != model:
        raise CheckpointError(
            f"{path}: this is a {obj.get('model')!r} checkpoint, not a {model} one; pass it to the matching loader"
        )
    version = obj.get("format_version")
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise CheckpointError(
            f"{path}: format version {version!r} is newer than this swaratts reads ({FORMAT_VERSION}); upgrade swaratts"
        )
    stored = obj.get("config")
    if not isinstance(stored, Mapping) or not isinstance(obj.get("state_dict"), Mapping):
        raise CheckpointError(
            f"{path}: a {FORMAT_NAME} checkpoint must hold 'config' and 'state_dict' dicts; the file is damaged"
        )
    try:
        config = make_config(stored)
    except (TypeError, ValueError) as exc:
        raise CheckpointError(f"{path}: invalid {model} config in the file: {exc}") from exc
    extra = {k: v for k, v in obj.items() if k not in RESERVED_KEYS}
    return Checkpoint(path, FORMAT_NAME, config, strip_prefix(obj["state_dict"]), recorded_mel_config(path, obj), extra)


def recorded_mel_config(path: Path, obj: Mapping[str, Any]) -> MelConfig | None:
    """The ``mel_config`` a project file records (None where it records none)."""
    stored = obj.get("mel_config")
    if stored is None:
        return None
    try:
        return MelConfig.from_dict(dict(stored))
    except (TypeError, ValueError) as exc:
        raise CheckpointError(f"{path}: damaged mel_config in the checkpoint: {exc}") from exc


def atomic_save(obj: Any, path: str | os.PathLike) -> Path:
    """``torch.save`` ``obj`` to ``path`` atomically; parent folders are created."""
    with atomic_path(path) as tmp:
        with open(tmp, "wb") as handle:
            torch.save(obj, handle)
            handle.flush()
            os.fsync(handle.fileno())  # on disk before it replaces the previous checkpoint
    return Path(path)


def load_weights_only(path: str | os.PathLike) -> Any:
    """Read a torch checkpoint with ``weights_only=True`` onto the CPU.

    Raises :class:`CheckpointError` naming the file when it is missing, not a torch file, or holds
    objects other than tensors and plain containers.
    """
    path = Path(path)
    if not path.is_file():
        raise CheckpointError(f"{path}: no such checkpoint file")
    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as exc:
        raise CheckpointError(
            f"{path}: holds Python objects that a weights-only load refuses ({_first_line(exc)})"
        ) from exc
    except Exception as exc:  # corrupt bytes surface as almost any exception inside the unpickler
        raise CheckpointError(
            f"{path}: not a readable PyTorch checkpoint (truncated or corrupt?): {_first_line(exc)}"
        ) from exc


def is_project_checkpoint(obj: Any, model: str | None = None) -> bool:
    """True when ``obj`` is a dict in this project's format (for ``model``, if given)."""
    if not isinstance(obj, Mapping) or obj.get("format") != FORMAT_NAME:
        return False
    return model is None or obj.get("model") == model


# DataParallel / DDP wrap keys in "module."; DeepLearningExamples' files also hold "module.1.".
WRAPPER_PREFIXES = ("module.1.", "module.")


def strip_prefix(state_dict: Mapping[str, torch.Tensor], prefixes: tuple[str, ...] = WRAPPER_PREFIXES) -> dict:
    """Drop the first of ``prefixes`` that each key starts with (the parallel wrappers' by default)."""
    cleaned = {}
    for key, value in state_dict.items():
        prefix = next((p for p in prefixes if isinstance(key, str) and key.startswith(p)), None)
        cleaned[key[len(prefix) :] if prefix else key] = value
    return cleaned


def _first_line(exc: BaseException) -> str:
    """The gist of ``exc`` in one line. Of torch's weights-only refusal that is what the unpickler
    met; the rest of torch's text, which suggests loading with ``weights_only=False`` (running
    whatever code the file holds), is not passed on."""
    text = str(exc).strip()
    if "WeightsUnpickler error:" in text:
        detail = [line.strip() for line in text.split("WeightsUnpickler error:", 1)[1].splitlines() if line.strip()]
        return detail[0] if detail else "an object that is not a tensor"
    return text.splitlines()[0] if text else type(exc).__name__
