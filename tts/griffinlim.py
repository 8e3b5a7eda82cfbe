"""Griffin-Lim: audio from a log-mel spectrogram without a trained vocoder, in numpy alone.

Our mels (:func:`base.audio.mel_spectrogram`) are the natural log of the clamped (1e-5) Slaney
mel projection of the STFT *magnitude*. To invert one:

1. ``exp`` back to mel magnitudes;
2. a linear magnitude spectrogram through the pseudo-inverse of the same filterbank (Slaney
   scale, area normalisation), negative values set to zero. That is where
   :func:`librosa.feature.inverse.mel_to_stft` (non-negative least squares by L-BFGS-B) starts,
   and on speech mels also where it stops: its solver takes no step there (measured equal to
   1e-19), so the projection gives its result at a small fraction of the cost;
3. fast Griffin-Lim (Perraudin et al., 2013: momentum 0.99, as :func:`librosa.griffinlim`) from a
   random phase, with the analysis STFT (periodic Hann window of ``win_length`` zero-padded to
   ``filter_length``, hop ``hop_length``, centred frames, reflect padding) and its overlap-add
   inverse normalised by the summed squared window.

It imports neither torch nor librosa, so the torch voice, ``tts eval`` and the torch-free ONNX
runtime all run this one function. In float64 it gives the audio of the librosa pipeline it
replaced (within 1e-5, ``tests/voice/test_voice_griffinlim.py``). Synthesis runs it in float32
(the default): the iterations are FFTs and element-wise complex arithmetic, which float32 does
in about half the time (scipy's pocketfft vectorises single precision; numpy's does not), and the
result is the float64 one within float32 rounding (the same test). Spectra are kept frames-major
(``[frames, bins]``), so that every FFT runs over contiguous rows.

Quality is below a well-trained vocoder (phasey, a little metallic) but needs no training: the
reference ``tts eval`` measures WaveGlow against, and a voice's vocoder wherever it measures
better than the voice's WaveGlow (:func:`tts.voice_manifest.choose_vocoder`).
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping
from typing import Any

import numpy as np
import scipy.fft

from base.mel_scale import mel_filterbank

# What every synthesis path and ``tts eval`` use. Fast Griffin-Lim converges quickly: copy synthesis
# of 24 held-out espeak-ng sentences (12 hinglish, 12 bn) measured PESQ 2.784 / 2.856 / 2.913 /
# 2.936 / 2.957 and STOI 0.950 / 0.955 / 0.957 / 0.960 / 0.960 at 8 / 12 / 16 / 24 / 32
# iterations. 16 costs 0.04 PESQ against 32 at half the time, which end-to-end synthesis needs.
ITERATIONS = 16
MOMENTUM = 0.99  # fast Griffin-Lim's momentum (librosa's default)
# The mel definition fields used here (names of base.audio.MelConfig and of voice.json's mel_config).
MEL_FIELDS = ("sampling_rate", "filter_length", "hop_length", "win_length", "n_mel_channels", "mel_fmin", "mel_fmax")
PRECISIONS: dict[str, type[np.floating]] = {"float32": np.float32, "float64": np.float64}


def griffin_lim(
    mel: Any,
    mel_config: Any,
    n_iter: int = ITERATIONS,
    seed: int | None = 0,
    precision: str = "float32",
    workers: int = 1,
) -> np.ndarray:
    """Audio of a log-mel spectrogram by Griffin-Lim phase reconstruction.

    Args:
        mel: ``[n_mel_channels, frames]`` natural-log mel magnitudes (a numpy array, or a torch
            tensor on any device).
        mel_config: the mel definition it was computed with: a :class:`base.audio.MelConfig` or a
            mapping with its fields (an ONNX voice's ``voice.json`` ``mel_config``).
        n_iter: Griffin-Lim iterations.
        seed: seed of the random initial phase (``numpy.random.RandomState``); ``None`` draws a
            fresh one each call.
        precision: ``"float32"`` (synthesis) or ``"float64"`` (the librosa pipeline's numerics).
        workers: threads for the FFTs (``scipy.fft``'s ``workers``); the result does not depend on it.

    Returns:
        float32 audio ``[frames * hop_length]`` in [-1, 1].

    Raises:
        ValueError: a mel of the wrong shape, ``n_iter`` < 1, an unknown precision, or a mel config
            without the fields.
    """
    config = _mel_fields(mel_config)
    if precision not in PRECISIONS:
        raise ValueError(f"precision must be one of {', '.join(PRECISIONS)}, got {precision!r}")
    dtype = np.dtype(PRECISIONS[precision])
    if hasattr(mel, "detach"):  # a torch tensor (duck-typed: this module never imports torch)
        mel = mel.detach().float().cpu().numpy()
    log_mel = np.asarray(mel, dtype=np.float64)
    n_mels, n_fft, hop = int(config["n_mel_channels"]), int(config["filter_length"]), int(config["hop_length"])
    if log_mel.ndim != 2 or log_mel.shape[0] != n_mels:
        raise ValueError(f"mel must be [{n_mels}, frames], got {log_mel.shape}")
    if n_iter < 1:
        raise ValueError(f"n_iter must be at least 1, got {n_iter}")
    frames = log_mel.shape[1]
    if frames == 0:
        return np.zeros(0, dtype=np.float32)
    inverse = _mel_pseudo_inverse(
        int(config["sampling_rate"]), n_fft, n_mels, float(config["mel_fmin"]), float(config["mel_fmax"])
    )
    magnitudes = np.maximum(inverse @ np.exp(log_mel), 0.0)  # [bins, frames]
    # The estimate is one sample short of frames * hop: a signal of frames * hop samples has
    # frames + 1 centred frames, this one the mel's frames (librosa's convention, kept so that
    # copy-synthesis scores measured before stay this function's); a zero completes the length.
    stft = _Stft(n_fft, hop, int(config["win_length"]), frames, frames * hop - 1, dtype, max(1, int(workers)))
    rng = np.random.RandomState(seed)  # seed None: seeded from the OS
    # The phase is drawn [bins, frames] (the order the float64 numerics were fixed in), then
    # everything runs frames-major.
    phase = rng.random_sample(magnitudes.shape).T
    magnitudes = np.ascontiguousarray(magnitudes.T, dtype=dtype)
    spec = (magnitudes * np.exp(2j * np.pi * phase)).astype(stft.complex_dtype)
    tiny = np.finfo(PRECISIONS[precision]).tiny
    previous = None
    for _ in range(n_iter):
        rebuilt = stft.forward(stft.inverse(spec))
        # Fast Griffin-Lim: step past the new projection, away from the previous one.
        spec = rebuilt.copy() if previous is None else rebuilt - (MOMENTUM / (1 + MOMENTUM)) * previous
        spec *= magnitudes / (np.abs(spec) + tiny)
        previous = rebuilt
    return np.clip(np.append(stft.inverse(spec), 0.0), -1.0, 1.0).astype(np.float32)


def log_mel_spectrogram(audio: np.ndarray, mel_config: Any) -> np.ndarray:
    """The natural-log mel ``[n_mel_channels, 1 + len(audio) // hop_length]`` of float audio, in
    numpy alone: the features' definition (:func:`base.audio.mel_spectrogram`: centred frames of
    the STFT magnitude, Slaney mel, ``log(clamp(mel, 1e-5))``), for pictures of what a voice said
    where torch may be absent (``tts serve``'s page)."""
    config = _mel_fields(mel_config)
    n_fft, hop = int(config["filter_length"]), int(config["hop_length"])
    samples = np.asarray(audio, dtype=np.float32).reshape(-1)
    if len(samples) <= n_fft // 2:  # reflect padding needs more samples than half a frame
        samples = np.pad(samples, (0, n_fft // 2 + 1 - len(samples)))
    frames = 1 + len(samples) // hop
    stft = _Stft(n_fft, hop, int(config["win_length"]), frames, len(samples), np.dtype(np.float32))
    basis = mel_filterbank(
        int(config["sampling_rate"]),
        n_fft,
        int(config["n_mel_channels"]),
        float(config["mel_fmin"]),
        float(config["mel_fmax"]),
    )
    magnitudes = np.abs(stft.forward(samples))  # [frames, bins]
    return np.log(np.maximum(basis.astype(np.float32) @ magnitudes.T, 1e-5)).astype(np.float32)


@functools.lru_cache(maxsize=8)
def _mel_pseudo_inverse(sampling_rate: int, n_fft: int, n_mels: int, fmin: float, fmax: float) -> np.ndarray:
    inverse = np.linalg.pinv(mel_filterbank(sampling_rate, n_fft, n_mels, fmin, fmax))
    inverse.setflags(write=False)  # shared by every call with this mel definition
    return inverse


def _mel_fields(mel_config: Any) -> dict[str, Any]:
    if isinstance(mel_config, Mapping):
        values = {name: mel_config.get(name) for name in MEL_FIELDS}
    else:
        values = {name: getattr(mel_config, name, None) for name in MEL_FIELDS}
    missing = [name for name, value in values.items() if value is None]
    if missing:
        raise ValueError(f"mel_config lacks {', '.join(missing)}")
    return values


class _Stft:
    """The STFT of ``frames`` centred frames (frame ``t`` centred on sample ``t * hop``, as the
    mels were computed) of a signal of ``length`` samples, and its inverse, in ``dtype``."""

    def __init__(
        self,
        n_fft: int,
        hop: int,
        win_length: int,
        frames: int,
        length: int,
        dtype: np.dtype = np.dtype(np.float64),
        workers: int = 1,
    ) -> None:
        self.n_fft, self.hop, self.frames, self.length, self.dtype = n_fft, hop, frames, length, dtype
        self.workers = workers
        self.complex_dtype = np.result_type(dtype, np.complex64)
        periodic_hann = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(win_length) / win_length)
        window = np.zeros(n_fft)
        start = (n_fft - win_length) // 2
        window[start : start + win_length] = periodic_hann
        self.window = window.astype(dtype)
        envelope = self._overlap_add(np.broadcast_to(window**2, (frames, n_fft)))
        # Samples no window reaches stay zero instead of dividing by zero.
        self.envelope = np.where(envelope > np.finfo(np.float64).tiny, envelope, 1.0).astype(dtype)

    def forward(self, audio: np.ndarray) -> np.ndarray:
        """``[length]`` -> complex ``[frames, n_fft // 2 + 1]``."""
        padded = np.pad(audio, self.n_fft // 2, mode="reflect")
        windows = np.lib.stride_tricks.sliding_window_view(padded, self.n_fft)[:: self.hop][: self.frames]
        return scipy.fft.rfft(windows * self.window, axis=1, workers=self.workers)

    def inverse(self, spec: np.ndarray) -> np.ndarray:
        """Complex ``[frames, n_fft // 2 + 1]`` -> ``[length]`` (windowed overlap-add)."""
        frames = scipy.fft.irfft(spec, n=self.n_fft, axis=1, workers=self.workers)
        frames *= self.window
        return self._overlap_add(frames) / self.envelope

    def _overlap_add(self, frames: np.ndarray) -> np.ndarray:
        """Frames ``[frames, n_fft]`` summed ``hop`` apart, less the centring pad: ``[length]``."""
        n_frames, n_fft, hop = frames.shape[0], self.n_fft, self.hop
        spans = -(-n_fft // hop)  # hop-sized blocks one frame covers (the last one maybe partial)
        blocks = np.zeros((n_frames + spans, hop), dtype=frames.dtype)
        for j in range(spans):
            part = frames[:, j * hop : (j + 1) * hop]
            blocks[j : j + n_frames, : part.shape[1]] += part
        start = n_fft // 2
        return blocks.reshape(-1)[start : start + self.length]


class GriffinLim:
    """Griffin-Lim as a voice's vocoder (:class:`tts.voice.Vocoder`): the whole mel in one piece,
    ``seed`` seeding the initial phase (``sigma`` and ``denoise``, WaveGlow's, do not apply).

    ``threads``: FFT threads (the audio does not depend on them; ``None``: one).
    """

    kind = "griffinlim"

    def __init__(self, mel_config: Any, threads: int | None = None, n_iter: int = ITERATIONS) -> None:
        fields = _mel_fields(mel_config)
        self.mel_config = mel_config
        self.n_mel_channels = int(fields["n_mel_channels"])
        self.hop_length = int(fields["hop_length"])
        self.threads = threads
        self.n_iter = n_iter

    def __repr__(self) -> str:
        return f"GriffinLim(n_iter={self.n_iter})"

    def stream(self, mel: np.ndarray, sigma: float, denoise: float, seed: int | None) -> Iterator[np.ndarray]:
        workers = self.threads if self.threads is not None else 1
        yield griffin_lim(mel, self.mel_config, n_iter=self.n_iter, seed=seed, workers=workers)
