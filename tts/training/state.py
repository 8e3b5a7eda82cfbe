"""Training checkpoints on disk: atomic saves, the last K and the best kept, exact resume.

A training checkpoint is a model checkpoint in this project's format (so ``vocoder.load_checkpoint``
or ``acoustic.load_checkpoint`` read it directly) with one more entry, ``"training"``: step, epoch,
position in the epoch, optimizer and grad-scaler state, the random number generators of torch,
CUDA, numpy and Python, and the best validation loss so far. Everything in it loads with
``torch.load(weights_only=True)``.
"""

from __future__ import annotations

import logging
import os
import random
import re
from pathlib import Path
from typing import Any

import numpy as np
import torch

log = logging.getLogger(__name__)

_STEP_FILE = re.compile(r"^step_(\d{8})\.pt$")


def capture_rng_state() -> dict[str, Any]:
    """The state of every random number generator training draws from."""
    version, internal, gauss = random.getstate()
    np_kind, np_keys, np_pos, np_has_gauss, np_gauss = np.random.get_state()
    return {
        "torch": torch.get_rng_state(),
        "cuda": torch.cuda.get_rng_state_all() if torch.cuda.is_available() else [],
        "numpy": {
            "kind": np_kind,
            "keys": torch.from_numpy(np.asarray(np_keys).astype(np.int64)),
            "pos": int(np_pos),
            "has_gauss": int(np_has_gauss),
            "gauss": float(np_gauss),
        },
        "python": {"version": version, "internal": list(internal), "gauss": gauss},
    }


def restore_rng_state(state: dict[str, Any]) -> None:
    torch.set_rng_state(state["torch"])
    if state["cuda"] and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])
    np_state = state["numpy"]
    np.random.set_state(
        (
            np_state["kind"],
            np_state["keys"].numpy().astype(np.uint32),
            np_state["pos"],
            np_state["has_gauss"],
            np_state["gauss"],
        )
    )
    py = state["python"]
    random.setstate((py["version"], tuple(py["internal"]), py["gauss"]))


class CheckpointDirectory:
    """``<run>/checkpoints/``: ``step_00001000.pt`` files, the last ``keep_last`` of them kept,
    and ``best.pt``, the model at the lowest validation loss so far."""

    def __init__(self, root: str | os.PathLike, keep_last: int) -> None:
        self.root = Path(root)
        self.keep_last = keep_last

    def step_path(self, step: int) -> Path:
        return self.root / f"step_{step:08d}.pt"

    @property
    def best_path(self) -> Path:
        return self.root / "best.pt"

    def steps(self) -> list[int]:
        if not self.root.is_dir():
            return []
        return sorted(int(m.group(1)) for p in self.root.iterdir() if (m := _STEP_FILE.match(p.name)))

    def latest(self) -> Path | None:
        steps = self.steps()
        return self.step_path(steps[-1]) if steps else None

    def remove_temporaries(self) -> None:
        """Delete the half-written temporary files of a run that was killed while saving
        (``.step_*.pt.*.tmp``, ``.best.pt.*.tmp``): one run writes a folder at a time, so any there
        when it starts are a dead process's."""
        if not self.root.is_dir():
            return
        for path in self.root.glob(".*.pt.*.tmp"):
            path.unlink(missing_ok=True)
            log.info("removed %s, left by an interrupted save", path)

    def prune(self) -> None:
        """Delete all but the newest ``keep_last`` step files (``best.pt`` is a separate file)."""
        for step in self.steps()[: -self.keep_last]:
            self.step_path(step).unlink(missing_ok=True)
            log.debug("removed old checkpoint of step %d", step)
