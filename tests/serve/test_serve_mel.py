"""The page's mel picture is drawn from the features' own log-mel, computed in numpy alone."""

from __future__ import annotations

import numpy as np
import torch

from base.audio import MelConfig, mel_spectrogram
from tts.griffinlim import log_mel_spectrogram


def test_the_numpy_log_mel_is_the_features_log_mel():
    rng = np.random.default_rng(0)
    t = np.arange(22050) / 22050
    audio = (0.3 * np.sin(2 * np.pi * 220 * t) + 0.01 * rng.standard_normal(t.size)).astype(np.float32)
    for samples in (audio, audio[:3000], audio[:700]):
        expected = mel_spectrogram(torch.from_numpy(samples), MelConfig()).numpy()
        np.testing.assert_allclose(log_mel_spectrogram(samples, MelConfig()), expected, atol=1e-4)
    # Shorter than half a frame: zero-padded to one frame, as the features cannot reflect-pad it.
    assert log_mel_spectrogram(audio[:100], MelConfig().to_dict()).shape == (80, 3)
