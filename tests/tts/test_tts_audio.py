"""The shared mel definition against independent references, and robust audio loading."""

from __future__ import annotations

import math

import librosa
import numpy as np
import pytest
import scipy.signal
import soundfile
import torch

from base.audio import MelConfig, load_wav, mel_filterbank, mel_spectrogram, save_wav
from base.errors import AudioError

CONFIG = MelConfig()


def _signals() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(0)
    t = np.arange(22050) / 22050
    return {
        "noise": (0.5 * rng.uniform(-1, 1, 22050)).astype(np.float32),
        "chord": (0.3 * np.sin(2 * np.pi * 220 * t) + 0.2 * np.sin(2 * np.pi * 3100 * t)).astype(np.float32),
        "odd_length": (0.9 * rng.standard_normal(12345).clip(-1, 1)).astype(np.float32),
        "silence": np.zeros(4000, dtype=np.float32),
    }


def _librosa_reference(audio: np.ndarray, c: MelConfig) -> np.ndarray:
    magnitude = np.abs(
        librosa.stft(
            audio.astype(np.float64),
            n_fft=c.filter_length,
            hop_length=c.hop_length,
            win_length=c.win_length,
            window="hann",
            center=True,
            pad_mode="reflect",
        )
    )
    basis = librosa.filters.mel(
        sr=c.sampling_rate, n_fft=c.filter_length, n_mels=c.n_mel_channels, fmin=c.mel_fmin, fmax=c.mel_fmax
    )
    return np.log(np.clip(basis.astype(np.float64) @ magnitude, 1e-5, None))


def _fourier_basis_reference(audio: np.ndarray, c: MelConfig) -> np.ndarray:
    """NVIDIA's STFT as they build it: Fourier basis from the FFT of the identity, windowed by a
    scipy Hann window, applied as a strided correlation over the reflect-padded signal."""
    n = c.filter_length
    fourier = np.fft.fft(np.eye(n))[: n // 2 + 1]
    window = scipy.signal.get_window("hann", c.win_length, fftbins=True)
    window = np.pad(window, ((n - c.win_length) // 2, (n - c.win_length + 1) // 2))
    basis = np.concatenate([fourier.real, fourier.imag]) * window
    padded = np.pad(audio.astype(np.float64), n // 2, mode="reflect")
    frames = np.lib.stride_tricks.sliding_window_view(padded, n)[:: c.hop_length]
    spec = frames @ basis.T
    half = n // 2 + 1
    magnitude = np.sqrt(spec[:, :half] ** 2 + spec[:, half:] ** 2).T
    mel_basis = librosa.filters.mel(
        sr=c.sampling_rate, n_fft=n, n_mels=c.n_mel_channels, fmin=c.mel_fmin, fmax=c.mel_fmax
    )
    return np.log(np.clip(mel_basis.astype(np.float64) @ magnitude, 1e-5, None))


@pytest.mark.parametrize("name", list(_signals()))
@pytest.mark.parametrize("reference", [_librosa_reference, _fourier_basis_reference], ids=["librosa", "fourier_basis"])
def test_mel_matches_independent_reference(name, reference):
    audio = _signals()[name]
    ours = mel_spectrogram(torch.from_numpy(audio), CONFIG).numpy()
    expected = reference(audio, CONFIG)
    assert ours.shape == expected.shape == (80, len(audio) // 256 + 1)
    error = np.abs(ours - expected).max()
    print(f"mel max abs error vs {reference.__name__} on {name}: {error:.3e}")
    assert error < 1e-4


def test_mel_with_other_settings_matches_reference():
    config = MelConfig(
        sampling_rate=16000,
        filter_length=512,
        hop_length=128,
        win_length=400,
        n_mel_channels=64,
        mel_fmin=50.0,
        mel_fmax=7000.0,
    )
    audio = _signals()["noise"][:16000]
    error = np.abs(
        mel_spectrogram(torch.from_numpy(audio), config).numpy() - _fourier_basis_reference(audio, config)
    ).max()
    assert error < 1e-4


def test_mel_filterbank_equals_librosa_slaney():
    expected = librosa.filters.mel(sr=22050, n_fft=1024, n_mels=80, fmin=0.0, fmax=8000.0)
    assert np.abs(mel_filterbank(CONFIG).numpy() - expected).max() < 1e-7


def test_batched_mel_equals_per_item():
    signals = _signals()
    batch = torch.stack([torch.from_numpy(signals["noise"]), torch.from_numpy(signals["chord"])])
    mels = mel_spectrogram(batch, CONFIG)
    assert mels.shape == (2, 80, 87)
    for i in range(2):
        assert torch.allclose(mels[i], mel_spectrogram(batch[i], CONFIG), atol=1e-5)


def test_mel_rejects_bad_input():
    with pytest.raises(ValueError, match="too short"):
        mel_spectrogram(torch.zeros(100), CONFIG)
    with pytest.raises(ValueError, match="float"):
        mel_spectrogram(torch.zeros(4000, dtype=torch.int16), CONFIG)
    with pytest.raises(ValueError, match=r"\[T\] or \[B, T\]"):
        mel_spectrogram(torch.zeros(1, 1, 4000), CONFIG)


def test_mel_config_defaults_are_nvidia_hparams():
    assert MelConfig() == MelConfig(22050, 1024, 256, 1024, 80, 0.0, 8000.0, 32768.0)
    with pytest.raises(ValueError, match="mel_fmax"):
        MelConfig(mel_fmax=20000.0)


def _sine(rate: int, seconds: float = 0.5, freq: float = 440.0) -> np.ndarray:
    t = np.arange(int(rate * seconds)) / rate
    return 0.5 * np.sin(2 * np.pi * freq * t)


def test_load_wav_int16_float_and_stereo(tmp_path):
    sine = _sine(22050)
    soundfile.write(tmp_path / "pcm16.wav", sine, 22050, subtype="PCM_16")
    soundfile.write(tmp_path / "float.wav", sine, 22050, subtype="FLOAT")
    soundfile.write(tmp_path / "stereo.flac", np.stack([sine, 0.5 * sine], axis=1), 22050)
    pcm = load_wav(tmp_path / "pcm16.wav", 22050)
    flt = load_wav(tmp_path / "float.wav", 22050)
    stereo = load_wav(tmp_path / "stereo.flac", 22050)
    assert pcm.dtype == torch.float32 and pcm.shape == (11025,)
    assert torch.allclose(pcm, torch.from_numpy(sine).float(), atol=1 / 32768 + 1e-6)
    assert torch.allclose(flt, torch.from_numpy(sine).float(), atol=1e-7)
    assert torch.allclose(stereo, torch.from_numpy(0.75 * sine).float(), atol=1e-4)


def test_load_wav_resamples(tmp_path):
    soundfile.write(tmp_path / "16k.wav", _sine(16000, seconds=1.0, freq=1000.0), 16000)
    audio = load_wav(tmp_path / "16k.wav", 22050).numpy()
    assert abs(len(audio) - 22050) <= 1
    spectrum = np.abs(np.fft.rfft(audio))
    peak_hz = np.argmax(spectrum) * 22050 / len(audio)
    assert abs(peak_hz - 1000.0) < 2.0


def test_save_wav_round_trip(tmp_path):
    audio = torch.from_numpy(_sine(22050)).float()
    path = save_wav(tmp_path / "out" / "x.wav", audio, 22050)
    assert torch.allclose(load_wav(path, 22050), audio, atol=1 / 32768 + 1e-6)
    info = soundfile.info(path)
    assert info.samplerate == 22050 and info.subtype == "PCM_16"
    assert path.stat().st_mode & 0o777 == 0o666 & ~_umask()  # as a plain open() would make it
    assert [p.name for p in path.parent.iterdir()] == ["x.wav"]  # no temporary left
    with pytest.raises(AudioError, match="NaN or infinite samples; nothing was written"):
        save_wav(tmp_path / "out" / "nan.wav", torch.tensor([0.0, float("nan")]), 22050)
    assert not (tmp_path / "out" / "nan.wav").exists()


def _umask() -> int:
    import os

    current = os.umask(0)
    os.umask(current)
    return current


def _expect_audio_error(path, match):
    with pytest.raises(AudioError, match=match) as info:
        load_wav(path, 22050)
    assert str(path) in str(info.value)


def test_load_wav_clear_errors(tmp_path):
    _expect_audio_error(tmp_path / "missing.wav", "no such audio file")

    (tmp_path / "zero_bytes.wav").write_bytes(b"")
    _expect_audio_error(tmp_path / "zero_bytes.wav", "cannot read audio")

    soundfile.write(tmp_path / "no_samples.wav", np.zeros(0), 22050)
    _expect_audio_error(tmp_path / "no_samples.wav", "no audio samples")

    (tmp_path / "corrupt.wav").write_bytes(b"RIFF\x00\x00\x00\x00WAVEfmt " + bytes(range(200)))
    _expect_audio_error(tmp_path / "corrupt.wav", "truncated WAV|cannot read audio")

    (tmp_path / "text.flac").write_text("this is not audio at all\n" * 20)
    _expect_audio_error(tmp_path / "text.flac", "cannot read audio")

    soundfile.write(tmp_path / "full.wav", _sine(22050), 22050, subtype="PCM_16")
    data = (tmp_path / "full.wav").read_bytes()
    (tmp_path / "truncated.wav").write_bytes(data[: len(data) // 2])
    _expect_audio_error(tmp_path / "truncated.wav", "truncated WAV")
    (tmp_path / "header_only.wav").write_bytes(data[:30])
    _expect_audio_error(tmp_path / "header_only.wav", "truncated WAV")

    bad = _sine(22050)
    bad[100] = math.nan
    soundfile.write(tmp_path / "nan.wav", bad, 22050, subtype="FLOAT")
    _expect_audio_error(tmp_path / "nan.wav", "NaN")
