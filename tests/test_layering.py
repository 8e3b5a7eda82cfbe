"""The package layering the project promises: data flows one way, checked in fresh interpreters."""

from __future__ import annotations

import subprocess
import sys

import pytest


def _loaded_after(statement: str) -> set[str]:
    code = f"import sys; {statement}; print(' '.join(sorted(m.split('.')[0] for m in sys.modules)))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return set(result.stdout.split())


@pytest.mark.parametrize(
    "statement, forbidden",
    [
        ("import tts.errors, tts.audio, tts.checkpoint", {"text", "acoustic", "vocoder"}),
        ("import vocoder", {"text", "acoustic"}),
        ("import acoustic", {"text", "vocoder"}),
    ],
)
def test_lower_layers_do_not_import_higher_ones(statement, forbidden):
    assert not (_loaded_after(statement) & forbidden)
