"""The package layering the project promises: data flows one way, checked in fresh interpreters."""

from __future__ import annotations

import subprocess
import sys

import pytest


def _loaded_after(statement: str) -> set[str]:
    """Our modules (and top-level names of the rest) that ``statement`` imports."""
    code = f"import sys; {statement}; print(' '.join(sorted(sys.modules)))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return {m if m.split(".")[0] == "tts" else m.split(".")[0] for m in result.stdout.split()}


@pytest.mark.parametrize(
    "statement, forbidden",
    [
        ("import tts.errors, tts.audio, tts.checkpoint", {"text", "acoustic", "vocoder"}),
        ("import vocoder", {"text", "acoustic"}),
        ("import acoustic", {"text", "vocoder"}),
    ],
)
def test_lower_layers_do_not_import_higher_ones(statement, forbidden):
    loaded = _loaded_after(statement)
    assert not (loaded & forbidden)
    # Of tts, only its base: never the shell (corpora, training, pipeline, CLI).
    base = {"tts", "tts.audio", "tts.checkpoint", "tts.config", "tts.errors", "tts.files", "tts.mel_scale"}
    assert {m for m in loaded if m.split(".")[0] == "tts"} <= base
