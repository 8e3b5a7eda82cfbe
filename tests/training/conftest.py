"""A small prepared data directory (the layout `tts prepare` writes), made from synthetic tones."""

from __future__ import annotations

import pytest

from tts.testing import make_synthetic_prepared_data

TEXTS = ["a low tone.", "the pitch goes up, then down.", "one more sound", "hum along!"]


@pytest.fixture
def prepared_data(tmp_path):
    """8 training and 2 validation clips (harmonic tones with a moving pitch, about 0.6 s) of two
    speakers, with their mels."""
    return make_synthetic_prepared_data(
        tmp_path / "data", n_items=8, seconds=0.6, n_val=2, texts=TEXTS, speakers=2, spread=0.3
    )
