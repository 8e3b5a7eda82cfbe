"""A spectral-contrast postfilter for predicted mels, in numpy alone.

An acoustic model trained with a squared error predicts the *average* of the spectra it could
say: its mels are over-smoothed. Formant peaks come out lower and the valleys between them
higher than in the recordings, and the speech sounds muffled. Statistical parametric
synthesis has long answered this with a postfilter that scales the mel-cepstrum above ``c0``
by a factor ``beta`` above 1 (HTS, Merlin's default ``beta = 1.4``).

Here the log-mel frame is scaled about its own mean over the bands::

    out[b, t] = m[t] + beta * (mel[b, t] - m[t]),   m[t] = mean_b mel[b, t]

which is exactly the cepstral postfilter on ``c1`` and above (the DCT is linear, and the
frame's mean is its ``c0``): the frame's mean log level stays, its spectral contrast grows by
``beta``. Values are kept at or above the mel floor, ``log(1e-5)``, so the result is still a mel
the vocoders take. ``beta = 1`` is the identity.

It applies to what an acoustic model predicts, never to a recording's mel: ``tts synth`` and
``Voice.stream`` postfilter before vocoding; ``tts vocode`` and copy synthesis do not.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

OFF = 1.0
# What ``tts export voice`` and the recipes record for new voices: Merlin's default factor. The
# bundled voices' speech has much less spectral contrast than the espeak-ng recordings (the RMS
# of the mean-removed c1-c12 on 30 held-out sentences per language: 1.6-1.9x lower); 1.4
# restores part of it and stays below them (1.1-1.3x lower). benchmarks/postfilter.py measures
# it; see docs/voices.md, "Bundled voices".
DEFAULT = 1.4
LIMITS = (1.0, 2.0)  # a beta outside them either sharpens nothing or turns every frame to clicks
LOG_FLOOR = math.log(1e-5)  # the clamp of base.audio.mel_spectrogram (its LOG_CLAMP)


def check_beta(beta: Any, name: str = "postfilter") -> float:
    """``beta`` as a float, if it is a finite number within :data:`LIMITS`.

    Raises:
        ValueError: anything else (the message names ``name`` and the value).
    """
    if isinstance(beta, bool) or not isinstance(beta, (int, float, np.floating, np.integer)):
        raise ValueError(f"{name} must be a number between {LIMITS[0]} and {LIMITS[1]}, got {beta!r}")
    value = float(beta)
    if not (math.isfinite(value) and LIMITS[0] <= value <= LIMITS[1]):
        raise ValueError(f"{name} must be between {LIMITS[0]} (off) and {LIMITS[1]}, got {beta!r}")
    return value


def postfilter(log_mel: Any, beta: float) -> np.ndarray:
    """The mel with each frame's spectral contrast scaled by ``beta`` (see the module docstring).

    Args:
        log_mel: ``[n_mel, frames]`` natural-log mel spectrogram (numpy, or a CPU torch tensor).
        beta: the contrast factor, within :data:`LIMITS` (1: unchanged).

    Returns:
        float32 ``[n_mel, frames]``.

    Raises:
        ValueError: a mel that is not 2-D, or a beta outside :data:`LIMITS`.
    """
    beta = check_beta(beta)
    mel = np.asarray(log_mel, dtype=np.float32)
    if mel.ndim != 2:
        raise ValueError(f"log_mel must be [n_mel, frames], got shape {mel.shape}")
    if beta == OFF:
        return mel.copy()
    frame_mean = mel.mean(axis=0, keepdims=True)
    return np.maximum(frame_mean + np.float32(beta) * (mel - frame_mean), np.float32(LOG_FLOOR))
