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
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import torch

from base.errors import CheckpointError
from base.files import atomic_path

FORMAT_NAME = "swaratts"
FORMAT_VERSION = 1


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
