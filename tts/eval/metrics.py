"""What ``tts eval`` measures per sentence: MCD (DTW on mel cepstra) and copy-synthesis PESQ /
STOI."""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from base.errors import TTSError

log = logging.getLogger(__name__)


MCD_CONSTANT = 10.0 / math.log(10.0)  # dB per neper, times sqrt(2) below
N_CEPS = 25
WAVEGLOW_SIGMA = 0.666
VOCODER_SEED = 0
PESQ_RATE = 16000
# DTW step weights for librosa's steps (1,1), (0,1), (1,0): the symmetric form (see dtw_distance).
EVAL_EXTRA_HINT = "install the evaluation extras: pip install 'swaratts[eval]'"


# -- metrics ------------------------------------------------------------------------------------


def mel_cepstrum(log_mel: np.ndarray, n_ceps: int = N_CEPS) -> np.ndarray:
    """Cepstral coefficients of each frame: ``c_d = (2 / n_mel) * sum_k log_mel_k cos(pi d (k + 1/2) / n_mel)``,
    the DCT-II over the mel axis scaled so that ``log_mel = c0 / 2 + sum_d c_d cos(...)``.

    Args:
        log_mel: ``[n_mel, frames]`` natural-log mel spectrogram.
        n_ceps: coefficients kept (``c0`` .. ``c{n_ceps-1}``), at most ``n_mel``.

    Returns:
        ``[n_ceps, frames]`` float64.
    """
    from scipy.fft import dct

    log_mel = as_mel_array(log_mel, "log_mel")
    if not 1 <= n_ceps <= log_mel.shape[0]:
        raise ValueError(f"n_ceps must be between 1 and n_mel ({log_mel.shape[0]}), got {n_ceps}")
    return dct(log_mel, type=2, axis=0)[:n_ceps] / log_mel.shape[0]


def cepstral_distances(ceps_a: np.ndarray, ceps_b: np.ndarray) -> np.ndarray:
    """MCD in dB of every pair of frames: ``[frames_a, frames_b]``, ``c0`` excluded.

    ``(10 / ln 10) * sqrt(2 * sum_{d >= 1} (a_d - b_d)^2)``.
    """
    from scipy.spatial.distance import cdist

    return MCD_CONSTANT * math.sqrt(2.0) * cdist(ceps_a[1:].T, ceps_b[1:].T, metric="euclidean")


def mcd_aligned(log_mel_a: np.ndarray, log_mel_b: np.ndarray, n_ceps: int = N_CEPS) -> float:
    """MCD (dB) of two equally long mels frame by frame, without alignment (``c0`` excluded)."""
    a, b = as_mel_array(log_mel_a, "log_mel_a"), as_mel_array(log_mel_b, "log_mel_b")
    if a.shape != b.shape:
        raise ValueError(f"mcd_aligned needs equal shapes, got {a.shape} and {b.shape}; use mcd_dtw")
    diff = mel_cepstrum(a, n_ceps)[1:] - mel_cepstrum(b, n_ceps)[1:]
    return float(np.mean(MCD_CONSTANT * np.sqrt(2.0 * (diff * diff).sum(0))))


def mcd_dtw(log_mel_a: np.ndarray, log_mel_b: np.ndarray, n_ceps: int = N_CEPS) -> float:
    """Mel-cepstral distortion (dB) of two log-mels of any lengths, aligned by DTW.

    Frames are matched by dynamic time warping (steps (1,1), (1,0), (0,1), equal weights) on the
    per-frame MCD of coefficients ``1..n_ceps-1``; the result is the mean MCD over the warping
    path. ``c0`` (overall level) is excluded, so a gain change alone costs nothing. Symmetric.
    """
    import librosa

    a, b = as_mel_array(log_mel_a, "log_mel_a"), as_mel_array(log_mel_b, "log_mel_b")
    if a.shape[0] != b.shape[0]:
        raise ValueError(f"the mels have different mel channels: {a.shape[0]} and {b.shape[0]}")
    if a.shape[1] == 0 or b.shape[1] == 0:
        raise ValueError("cannot compare an empty mel (0 frames)")
    cost = cepstral_distances(mel_cepstrum(a, n_ceps), mel_cepstrum(b, n_ceps))
    _, path = librosa.sequence.dtw(C=cost, backtrack=True)
    return float(cost[path[:, 0], path[:, 1]].mean())


def mean_frame_baseline(mean_frame: Sequence[float] | np.ndarray, frames: int) -> np.ndarray:
    """The text-blind baseline: ``mean_frame`` ``[n_mel]`` repeated ``frames`` times ``[n_mel, frames]``."""
    mean = np.asarray(mean_frame, dtype=np.float64)
    if mean.ndim != 1 or mean.size == 0:
        raise ValueError(f"mean_frame must be a non-empty [n_mel] vector, got shape {mean.shape}")
    if frames < 1:
        raise ValueError(f"frames must be at least 1, got {frames}")
    return np.repeat(mean[:, None], frames, axis=1)


def copy_synthesis_scores(reference_audio: Any, generated_audio: Any, sample_rate: int) -> dict[str, float]:
    """PESQ (wide-band, at 16 kHz) and STOI of ``generated_audio`` against ``reference_audio``.

    Both are cut to the shorter of the two first (vocoders return ``frames * hop`` samples).

    Returns:
        ``{"pesq": 1.0-4.64, "stoi": 0-1}``.

    Raises:
        TTSError: the packages are missing, or the pair cannot be scored (too short, silent,
            non-finite samples, no speech found by PESQ).
    """
    try:
        import pesq as pesq_module
        import pystoi
        import soxr
    except ImportError as exc:
        raise TTSError(f"copy-synthesis scores need pesq, pystoi and soxr ({exc}); {EVAL_EXTRA_HINT}") from None
    reference = as_audio_array(reference_audio, "reference_audio")
    generated = as_audio_array(generated_audio, "generated_audio")
    n = min(reference.size, generated.size)
    reference, generated = reference[:n], generated[:n]
    if n < sample_rate // 4:
        raise TTSError(f"audio too short to score: {n} samples ({n / sample_rate:.2f} s); need at least 0.25 s")
    for audio, what in ((reference, "reference"), (generated, "generated")):
        if not np.isfinite(audio).all():
            raise TTSError(f"the {what} audio holds NaN or infinite samples")
        if not np.any(audio):
            raise TTSError(f"the {what} audio is silent (all zeros): PESQ cannot score it")
    if sample_rate != PESQ_RATE:
        ref16 = soxr.resample(reference, sample_rate, PESQ_RATE, quality="HQ")
        deg16 = soxr.resample(generated, sample_rate, PESQ_RATE, quality="HQ")
    else:
        ref16, deg16 = reference, generated
    try:
        pesq_score = float(pesq_module.pesq(PESQ_RATE, ref16.astype(np.float64), deg16.astype(np.float64), "wb"))
    except pesq_module.NoUtterancesError:
        raise TTSError("PESQ found no speech in the reference audio") from None
    except pesq_module.PesqError as exc:
        raise TTSError(f"PESQ cannot score this audio: {type(exc).__name__}: {exc}") from None
    stoi_score = float(pystoi.stoi(reference, generated, sample_rate, extended=False))
    return {"pesq": pesq_score, "stoi": stoi_score}


def as_mel_array(mel: Any, name: str) -> np.ndarray:
    """``mel`` (numpy or torch) as a float64 ``[n_mel, frames]`` array; ValueError naming it otherwise."""
    return _float64_array(mel, name, 2, "[n_mel, frames]")


def as_audio_array(audio: Any, name: str) -> np.ndarray:
    """``audio`` (numpy or torch) as a float64 mono ``[T]`` array; ValueError naming it otherwise."""
    return _float64_array(audio, name, 1, "mono [T]")


def _float64_array(value: Any, name: str, ndim: int, shape: str) -> np.ndarray:
    if hasattr(value, "detach"):
        value = value.detach().float().cpu().numpy()
    value = np.asarray(value, dtype=np.float64)
    if value.ndim != ndim:
        raise ValueError(f"{name} must be {shape}, got shape {value.shape}")
    return value
