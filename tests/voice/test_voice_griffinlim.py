"""Griffin-Lim in numpy (:mod:`tts.griffinlim`): the librosa pipeline it replaced, in numpy alone."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import librosa
import numpy as np
import pytest
import torch

from base.audio import MelConfig, mel_filterbank, mel_spectrogram
from base.mel_scale import mel_filterbank as numpy_filterbank
from tts.griffinlim import ITERATIONS, griffin_lim

CONFIG = MelConfig()


def _speech_like(seconds: float = 1.0, seed: int = 0) -> np.ndarray:
    """Three syllables of a gliding 30-harmonic voice with noise between them, ending in noise."""
    rate = CONFIG.sampling_rate
    t = np.arange(int(seconds * rate)) / rate
    phase = 2 * np.pi * np.cumsum(120 + 100 * t / seconds) / rate
    voiced = sum(np.sin(k * phase) / k for k in range(1, 30))
    envelope = 0.5 * (1 - np.cos(2 * np.pi * 3 * t / seconds))
    noise = np.random.default_rng(seed).normal(0, 0.3, t.size) * (1 - envelope)
    return (0.2 * (voiced * envelope + noise)).astype(np.float32)


@pytest.fixture(scope="module")
def mel() -> np.ndarray:
    return mel_spectrogram(torch.from_numpy(_speech_like()), CONFIG).numpy()


def _librosa_griffin_lim(mel: np.ndarray, n_iter: int, seed: int) -> np.ndarray:
    """What tts.griffinlim computed before it was numpy alone: librosa's mel_to_stft (NNLS) and
    griffinlim, one sample short of frames * hop plus a zero."""
    c = CONFIG
    magnitudes = librosa.feature.inverse.mel_to_stft(
        np.exp(mel.astype(np.float64)),
        sr=c.sampling_rate,
        n_fft=c.filter_length,
        power=1.0,
        fmin=c.mel_fmin,
        fmax=c.mel_fmax,
        norm="slaney",
        htk=False,
    )
    audio = librosa.griffinlim(
        magnitudes,
        n_iter=n_iter,
        hop_length=c.hop_length,
        win_length=c.win_length,
        n_fft=c.filter_length,
        window="hann",
        center=True,
        pad_mode="reflect",
        length=mel.shape[1] * c.hop_length - 1,
        random_state=np.random.RandomState(seed),
    )
    return np.clip(np.append(audio, 0.0), -1, 1).astype(np.float32)


def test_filterbank_is_the_one_of_the_mels():
    ours = numpy_filterbank(
        CONFIG.sampling_rate, CONFIG.filter_length, CONFIG.n_mel_channels, CONFIG.mel_fmin, CONFIG.mel_fmax
    )
    assert ours.shape == (80, 513)
    np.testing.assert_allclose(ours, mel_filterbank(CONFIG).numpy(), rtol=0, atol=1e-7)


def test_numpy_griffin_lim_is_the_librosa_pipeline_it_replaced(mel):
    ours = griffin_lim(mel, CONFIG, n_iter=ITERATIONS, seed=0, precision="float64")
    reference = _librosa_griffin_lim(mel, ITERATIONS, seed=0)
    assert ours.dtype == np.float32 and ours.shape == reference.shape == (mel.shape[1] * 256,)
    assert np.abs(reference).max() > 0.3  # a real signal, not two silences
    np.testing.assert_allclose(ours, reference, rtol=0, atol=1e-5)


def test_float32_is_the_float64_computation(mel):
    """Synthesis runs in float32: the same iterations, apart only by single-precision rounding
    accumulated over 32 momentum steps (measured: 6e-5 at most here, 5e-4 on an 8 s espeak-ng clip)."""
    fast = griffin_lim(mel, CONFIG, seed=0)
    exact = griffin_lim(mel, CONFIG, seed=0, precision="float64")
    assert fast.shape == exact.shape
    np.testing.assert_allclose(fast, exact, rtol=0, atol=1e-3)
    assert np.abs(fast - exact).std() < 1e-3 * exact.std()
    with pytest.raises(ValueError, match="precision"):
        griffin_lim(mel, CONFIG, precision="float16")


def test_it_reconstructs_the_mel(mel):
    audio = griffin_lim(mel, CONFIG, seed=0)
    again = mel_spectrogram(torch.from_numpy(audio), CONFIG).numpy()[:, : mel.shape[1]]
    error = np.abs(again - mel).mean()
    noise = np.random.default_rng(1).normal(0, audio.std(), audio.size).astype(np.float32)
    noise_error = np.abs(mel_spectrogram(torch.from_numpy(noise), CONFIG).numpy()[:, : mel.shape[1]] - mel).mean()
    # Measured: 0.15 mean absolute log-mel error, 1.02 for noise of the same power.
    assert error < 0.25 and noise_error > 4 * error, (error, noise_error)


def test_seed_config_and_input_forms(mel):
    short = mel[:, :30]
    first = griffin_lim(short, CONFIG, n_iter=4, seed=3)
    np.testing.assert_array_equal(first, griffin_lim(torch.from_numpy(short), CONFIG.to_dict(), n_iter=4, seed=3))
    assert not np.allclose(first, griffin_lim(short, CONFIG, n_iter=4, seed=4))
    assert not np.allclose(
        griffin_lim(short, CONFIG, n_iter=4, seed=None), griffin_lim(short, CONFIG, n_iter=4, seed=None)
    )  # None: a fresh phase each call
    assert griffin_lim(short[:, :0], CONFIG).shape == (0,)
    with pytest.raises(ValueError, match=r"\[80, frames\]"):
        griffin_lim(short[:40], CONFIG)
    with pytest.raises(ValueError, match="n_iter"):
        griffin_lim(short, CONFIG, n_iter=0)
    partial = {k: v for k, v in CONFIG.to_dict().items() if k != "hop_length"}
    with pytest.raises(ValueError, match="mel_config lacks hop_length"):
        griffin_lim(short, partial)


def test_other_mel_definitions():
    config = MelConfig(sampling_rate=16000, filter_length=800, hop_length=200, win_length=600, mel_fmax=7600.0)
    audio = _speech_like(0.5)[:8000]
    mel = mel_spectrogram(torch.from_numpy(audio), config).numpy()
    out = griffin_lim(mel, config, seed=0)
    assert out.shape == (mel.shape[1] * 200,)
    again = mel_spectrogram(torch.from_numpy(out), config).numpy()[:, : mel.shape[1]]
    assert np.abs(again - mel).mean() < 0.4


def test_the_module_needs_neither_torch_nor_librosa():
    script = textwrap.dedent("""
        import sys

        class Block:
            def find_spec(self, name, path=None, target=None):
                if name.split(".")[0] in ("torch", "librosa"):
                    raise ImportError(f"blocked: {name}")
                return None

        sys.meta_path.insert(0, Block())
        import numpy as np
        from tts.griffinlim import griffin_lim

        config = {"sampling_rate": 22050, "filter_length": 1024, "hop_length": 256, "win_length": 1024,
                  "n_mel_channels": 80, "mel_fmin": 0.0, "mel_fmax": 8000.0}
        audio = griffin_lim(np.random.default_rng(0).normal(-5, 1, (80, 20)), config, n_iter=2)
        print("ok", audio.shape[0])
    """)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["ok", str(20 * 256)]
