"""Shared helpers for the corpus tests: tiny real recordings written with soundfile."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile


def write_tone(path: Path, seconds: float = 0.2, rate: int = 22050, hz: float = 220.0) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    t = np.arange(int(seconds * rate)) / rate
    soundfile.write(path, 0.3 * np.sin(2 * np.pi * hz * t), rate, subtype="PCM_16")
    return path


@pytest.fixture
def tone():
    """``tone(path, seconds=0.2, rate=22050)`` writes a short sine recording and returns its path."""
    return write_tone
