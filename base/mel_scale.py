"""The mel definition (:class:`MelConfig`) and the Slaney mel filterbank, in numpy alone: shared by
the torch features (:mod:`base.audio`), the torch-free voice and Griffin-Lim (:mod:`tts.voice`,
:mod:`tts.griffinlim`), so all use the same numbers."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from base.config import DictConfig

# Slaney's Auditory Toolbox mel scale: linear below 1 kHz (200/3 Hz per mel), logarithmic above.
_HZ_PER_MEL = 200.0 / 3
_MIN_LOG_HZ = 1000.0
_MIN_LOG_MEL = _MIN_LOG_HZ / _HZ_PER_MEL
_LOG_STEP = math.log(6.4) / 27.0


def hz_to_mel(freq: float) -> float:
    """Slaney mel of a frequency in Hz."""
    if freq < _MIN_LOG_HZ:
        return freq / _HZ_PER_MEL
    return _MIN_LOG_MEL + math.log(freq / _MIN_LOG_HZ) / _LOG_STEP


def mel_to_hz(mels: np.ndarray) -> np.ndarray:
    """Frequencies in Hz of Slaney mels."""
    mels = np.asarray(mels, dtype=np.float64)
    return np.where(mels >= _MIN_LOG_MEL, _MIN_LOG_HZ * np.exp(_LOG_STEP * (mels - _MIN_LOG_MEL)), _HZ_PER_MEL * mels)


def mel_filterbank(sampling_rate: int, n_fft: int, n_mels: int, fmin: float, fmax: float) -> np.ndarray:
    """Slaney-normalised triangular mel filterbank ``[n_mels, n_fft // 2 + 1]`` (float64).

    Triangles are spaced evenly on the Slaney mel scale and scaled by ``2 / bandwidth`` so each
    has unit area (what ``librosa.filters.mel`` does by default).
    """
    fft_freqs = np.linspace(0.0, sampling_rate / 2, n_fft // 2 + 1)
    hz_edges = mel_to_hz(np.linspace(hz_to_mel(fmin), hz_to_mel(fmax), n_mels + 2))
    widths = np.diff(hz_edges)
    ramps = hz_edges[:, None] - fft_freqs[None, :]
    weights = np.maximum(0.0, np.minimum(-ramps[:-2] / widths[:-1, None], ramps[2:] / widths[1:, None]))
    return weights * (2.0 / (hz_edges[2:] - hz_edges[:-2]))[:, None]


@dataclass(frozen=True)
class MelConfig(DictConfig):
    """The mel-spectrogram definition; names and defaults are NVIDIA's hparams."""

    sampling_rate: int = 22050
    filter_length: int = 1024
    hop_length: int = 256
    win_length: int = 1024
    n_mel_channels: int = 80
    mel_fmin: float = 0.0
    mel_fmax: float = 8000.0
    max_wav_value: float = 32768.0

    def __post_init__(self) -> None:
        if self.win_length > self.filter_length:
            raise ValueError(f"win_length ({self.win_length}) must not exceed filter_length ({self.filter_length})")
        if not 0 <= self.mel_fmin < self.mel_fmax <= self.sampling_rate / 2:
            raise ValueError(
                f"need 0 <= mel_fmin < mel_fmax <= sampling_rate/2, got mel_fmin={self.mel_fmin}, "
                f"mel_fmax={self.mel_fmax}, sampling_rate={self.sampling_rate}"
            )
        for name in ("sampling_rate", "filter_length", "hop_length", "win_length", "n_mel_channels"):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be positive, got {getattr(self, name)}")
