"""Audio features shared by both stages: reading waveforms and the one mel-spectrogram definition.

The mel-spectrogram is NVIDIA's ``TacotronSTFT.mel_spectrogram`` (tacotron2 ``layers.py`` +
``stft.py``), which both the published Tacotron2 and WaveGlow models were trained on:

1. reflect-pad the waveform by ``filter_length // 2`` on each side;
2. STFT with a periodic Hann window of ``win_length`` (zero-padded to ``filter_length``),
   hop ``hop_length``; take the magnitude (not the power);
3. project onto a Slaney-style mel filterbank (librosa's default: Slaney mel scale, area
   normalisation) of ``n_mel_channels`` bands between ``mel_fmin`` and ``mel_fmax``;
4. natural log of ``clamp(x, min=1e-5)``.

Waveforms are float tensors in [-1, 1]; ``max_wav_value`` is kept for 16-bit PCM interop only.
"""

from __future__ import annotations

import os
import struct
from pathlib import Path

import numpy as np
import torch

from base import mel_scale
from base.errors import AudioError
from base.files import atomic_path
from base.mel_scale import MelConfig

LOG_CLAMP = 1e-5


def mel_filterbank(config: MelConfig) -> torch.Tensor:
    """Slaney-normalised triangular mel filterbank, shape ``[n_mel_channels, filter_length//2 + 1]``
    (:func:`base.mel_scale.mel_filterbank`, as float32)."""
    weights = mel_scale.mel_filterbank(
        config.sampling_rate, config.filter_length, config.n_mel_channels, config.mel_fmin, config.mel_fmax
    )
    return torch.from_numpy(weights.astype(np.float32))


def linear_spectrogram(audio: torch.Tensor, config: MelConfig) -> torch.Tensor:
    """STFT magnitude as NVIDIA's STFT computes it: ``[..., T]`` -> ``[..., n_freqs, frames]``.

    ``frames = T // hop_length + 1``.
    """
    window = torch.hann_window(config.win_length, periodic=True, dtype=audio.dtype, device=audio.device)
    spec = torch.stft(
        audio,
        n_fft=config.filter_length,
        hop_length=config.hop_length,
        win_length=config.win_length,
        window=window,
        center=True,
        pad_mode="reflect",
        return_complex=True,
    )
    return spec.abs()


def mel_spectrogram(audio: torch.Tensor, config: MelConfig = MelConfig()) -> torch.Tensor:
    """Log-mel spectrogram of ``audio`` in [-1, 1].

    Args:
        audio: ``[T]`` or ``[B, T]`` float tensor, ``T > filter_length // 2`` (reflect padding).
        config: the mel definition.

    Returns:
        ``[n_mel_channels, frames]`` or ``[B, n_mel_channels, frames]`` with
        ``frames = T // hop_length + 1``; natural log of the clamped mel magnitudes.
    """
    if audio.dim() not in (1, 2):
        raise ValueError(f"audio must have shape [T] or [B, T], got {tuple(audio.shape)}")
    if not audio.is_floating_point():
        raise ValueError(f"audio must be a float tensor in [-1, 1], got dtype {audio.dtype}")
    if audio.size(-1) <= config.filter_length // 2:
        raise ValueError(
            f"audio of {audio.size(-1)} samples is too short for filter_length "
            f"{config.filter_length}: need more than {config.filter_length // 2}"
        )
    # Computed in float64: near-silent bands sit close to the 1e-5 clamp, where float32 rounding
    # in the STFT sums shows up as visible differences after the log.
    magnitudes = linear_spectrogram(audio.double(), config)
    basis = mel_filterbank(config).to(device=audio.device, dtype=torch.float64)
    mel = torch.matmul(basis, magnitudes)
    return torch.log(torch.clamp(mel, min=LOG_CLAMP)).to(audio.dtype)


def load_wav(path: str | os.PathLike, sampling_rate: int) -> torch.Tensor:
    """Read an audio file into a mono float32 tensor ``[T]`` in [-1, 1] at ``sampling_rate``.

    Any format libsndfile reads (WAV, FLAC, OGG, ...); integer or float samples; channels are
    averaged; other rates are resampled with soxr (high quality).

    Raises:
        AudioError: naming the file, when it is missing, unreadable, corrupt, truncated, empty
            or holds non-finite samples.
    """
    import soundfile

    path = Path(path)
    if not path.is_file():
        raise AudioError(f"{path}: no such audio file")
    _check_wav_not_truncated(path)
    try:
        data, file_rate = soundfile.read(str(path), dtype="float32", always_2d=True)
    except (soundfile.LibsndfileError, RuntimeError, ValueError, TypeError, OSError) as exc:
        raise AudioError(f"{path}: cannot read audio ({exc}); is it a valid audio file?") from exc
    if data.shape[0] == 0:
        raise AudioError(f"{path}: the file holds no audio samples (empty)")
    if not np.isfinite(data).all():
        raise AudioError(f"{path}: the file holds NaN or infinite samples")
    mono = data.mean(axis=1)
    if file_rate != sampling_rate:
        import soxr

        mono = soxr.resample(mono, file_rate, sampling_rate, quality="HQ").astype(np.float32)
    return torch.from_numpy(np.ascontiguousarray(mono))


def save_wav(path: str | os.PathLike, audio: torch.Tensor, sampling_rate: int) -> Path:
    """Write ``audio`` (``[T]`` float in [-1, 1]) as 16-bit PCM WAV, atomically.

    Samples outside [-1, 1] are clipped.
    """
    import soundfile

    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise AudioError(f"{path}: cannot create its folder: {exc}") from exc
    samples = audio.detach().float().cpu().clamp(-1.0, 1.0).numpy()
    if samples.ndim != 1:
        raise ValueError(f"save_wav expects audio of shape [T], got {samples.shape}")
    if not np.isfinite(samples).all():
        raise AudioError(f"{path}: the audio holds NaN or infinite samples; nothing was written")
    try:
        with atomic_path(path) as tmp:
            soundfile.write(str(tmp), samples, sampling_rate, subtype="PCM_16", format="WAV")
    except (OSError, RuntimeError) as exc:  # soundfile reports unwritable paths as RuntimeError
        raise AudioError(f"{path}: cannot write audio: {exc}") from exc
    return path


def _check_wav_not_truncated(path: Path) -> None:
    """Refuse a RIFF/WAVE file whose ``data`` chunk claims more bytes than the file has.

    libsndfile reads such a file silently up to where it ends, so a copy cut short would
    otherwise pass for a shorter recording.
    """
    with open(path, "rb") as handle:
        header = handle.read(12)
        if len(header) < 12 or header[:4] != b"RIFF" or header[8:12] != b"WAVE":
            return
        file_size = path.stat().st_size
        while True:
            chunk = handle.read(8)
            if len(chunk) < 8:
                raise AudioError(f"{path}: truncated WAV file (no 'data' chunk before the end)")
            chunk_id, chunk_size = chunk[:4], struct.unpack("<I", chunk[4:])[0]
            if chunk_id == b"data":
                # 0 and 0xFFFFFFFF are what streaming writers leave when they cannot seek back.
                if chunk_size in (0, 0xFFFFFFFF):
                    return
                available = file_size - handle.tell()
                if chunk_size > available:
                    raise AudioError(
                        f"{path}: truncated WAV file: the header announces {chunk_size} bytes of "
                        f"audio but only {available} are present; re-copy or re-export the file"
                    )
                return
            handle.seek(chunk_size + (chunk_size & 1), os.SEEK_CUR)
