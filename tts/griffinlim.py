"""Griffin-Lim: audio from a log-mel spectrogram without a trained vocoder.

Our mels (:func:`tts.audio.mel_spectrogram`) are the natural log of the clamped (1e-5) Slaney
mel projection of the STFT *magnitude*. To invert one:

1. ``exp`` back to mel magnitudes;
2. :func:`librosa.feature.inverse.mel_to_stft` (non-negative least squares through the same
   filterbank: Slaney scale and area normalisation, ``power=1``) to a linear magnitude
   spectrogram;
3. :func:`librosa.griffinlim` with the same STFT (periodic Hann window of ``win_length``
   zero-padded to ``filter_length``, hop ``hop_length``, centred frames, reflect padding) to
   estimate a phase.

Quality is well below a trained vocoder (metallic, phasey), but it needs no training: a quick
check of an acoustic model, and the reference point ``tts eval`` compares WaveGlow against.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from tts.audio import MelConfig


def griffin_lim(mel: Any, mel_config: MelConfig, n_iter: int = 32, seed: int | None = 0) -> np.ndarray:
    """Audio of a log-mel spectrogram by Griffin-Lim phase reconstruction.

    Args:
        mel: ``[n_mel_channels, frames]`` natural-log mel magnitudes (a numpy array or a torch
            tensor on any device).
        mel_config: the mel definition it was computed with.
        n_iter: Griffin-Lim iterations (32 is a usual quality/speed trade-off).
        seed: seed of the random initial phase; ``None`` draws a fresh one each call.

    Returns:
        float32 audio ``[frames * hop_length]``.
    """
    import librosa

    if hasattr(mel, "detach"):  # a torch tensor
        mel = mel.detach().float().cpu().numpy()
    log_mel = np.asarray(mel, dtype=np.float64)
    if log_mel.ndim != 2 or log_mel.shape[0] != mel_config.n_mel_channels:
        raise ValueError(f"mel must be [{mel_config.n_mel_channels}, frames], got {log_mel.shape}")
    if n_iter < 1:
        raise ValueError(f"n_iter must be at least 1, got {n_iter}")
    frames = log_mel.shape[1]
    length = frames * mel_config.hop_length
    if frames == 0:
        return np.zeros(0, dtype=np.float32)
    magnitudes = librosa.feature.inverse.mel_to_stft(
        np.exp(log_mel), sr=mel_config.sampling_rate, n_fft=mel_config.filter_length, power=1.0,
        fmin=mel_config.mel_fmin, fmax=mel_config.mel_fmax, norm="slaney", htk=False,
    )
    random_state = None if seed is None else np.random.RandomState(seed)
    audio = librosa.griffinlim(
        magnitudes, n_iter=n_iter, hop_length=mel_config.hop_length, win_length=mel_config.win_length,
        n_fft=mel_config.filter_length, window="hann", center=True, pad_mode="reflect",
        # One sample short of frames*hop: librosa re-analyses its estimate each iteration and needs
        # the same frame count back (a signal of frames*hop samples has frames+1 centred frames).
        length=length - 1, random_state=random_state,
    )
    audio = np.concatenate([audio, np.zeros(1, dtype=audio.dtype)])
    return np.clip(audio, -1.0, 1.0).astype(np.float32)
