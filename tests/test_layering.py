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
    return {m if m.split(".")[0] in ("tts", "base") else m.split(".")[0] for m in result.stdout.split()}


@pytest.mark.parametrize(
    "statement, forbidden",
    [
        (
            "import base.errors, base.audio, base.checkpoint, base.config, base.files, base.mel_scale",
            {"text", "acoustic", "vocoder"},
        ),
        ("import vocoder", {"text", "acoustic"}),
        ("import acoustic", {"text", "vocoder"}),
    ],
)
def test_lower_layers_do_not_import_higher_ones(statement, forbidden):
    loaded = _loaded_after(statement)
    assert not (loaded & forbidden)
    # The base and the models never import the shell (corpora, training, voices, CLI).
    assert not any(m == "tts" or m.startswith("tts.") for m in loaded)
