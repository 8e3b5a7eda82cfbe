"""Chunked vocoding: same length, the unchunked audio's spectrum, no clicks at the joins."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from base.audio import MelConfig, mel_spectrogram
from tts.vocoding import ChunkConfig, chunk_bounds, fade_in, vocode_in_chunks

HOP = 256


def test_chunk_bounds_cover_everything_and_merge_a_short_tail():
    assert chunk_bounds(1000, 256) == [0, 256, 512, 768, 1000]
    assert chunk_bounds(800, 256) == [0, 256, 512, 800]  # a 32-frame tail joins the chunk before
    assert chunk_bounds(100, 256) == [0, 100]


def test_fade_in_and_out_sum_to_one():
    ramp = fade_in(64)
    assert ramp[0] > 0 and ramp[-1] < 1 and np.all(np.diff(ramp) > 0)
    np.testing.assert_allclose(ramp + ramp[::-1], 1.0, atol=1e-6)


def test_pieces_tile_the_audio_exactly():
    # A "vocoder" that writes each sample's index: chunking must give back exactly 0..T-1.
    frames = 700
    ramp = lambda a, b: np.arange(a * HOP, b * HOP, dtype=np.float32)  # noqa: E731
    audio = np.concatenate(list(vocode_in_chunks(ramp, frames, HOP, ChunkConfig(128, 16, 8))))
    assert audio.shape == (frames * HOP,)
    np.testing.assert_allclose(audio, np.arange(frames * HOP), rtol=1e-6)


def _speech_like_mel(frames: int) -> torch.Tensor:
    """Mel of a real-ish signal: a chirp with harmonics and an amplitude envelope."""
    t = np.arange(frames * HOP) / 22050
    f0 = 120 + 60 * np.sin(2 * np.pi * 0.7 * t)
    phase = 2 * np.pi * np.cumsum(f0) / 22050
    signal = sum(np.sin(k * phase) / k for k in range(1, 8)) * (0.3 + 0.2 * np.sin(2 * np.pi * 2 * t) ** 2)
    return mel_spectrogram(torch.tensor(signal, dtype=torch.float32), MelConfig())[:, :frames]


def test_chunked_waveglow_matches_one_pass_and_has_no_clicks(waveglow):
    model = waveglow
    frames = 600
    mel = _speech_like_mel(frames)
    generator = torch.Generator().manual_seed(0)
    z = 0.666 * torch.randn(1, 8, frames * HOP // 8, generator=generator)
    with torch.inference_mode():
        whole = model.reverse(mel.unsqueeze(0), z)[0].numpy()

        def vocode(a: int, b: int) -> np.ndarray:
            return model.reverse(mel[:, a:b].unsqueeze(0), z[:, :, a * HOP // 8 : b * HOP // 8])[0].numpy()

        config = ChunkConfig(chunk_frames=128, context_frames=16, fade_frames=8)
        chunked = np.concatenate(list(vocode_in_chunks(vocode, frames, HOP, config)))
    assert chunked.shape == whole.shape

    # The same audio in its spectrum: log-magnitude STFTs agree closely everywhere.
    def spec(x):
        stft = torch.stft(torch.tensor(x), 1024, 256, window=torch.hann_window(1024), return_complex=True)
        return np.log(np.abs(stft.numpy()) + 1e-5)

    diff = np.abs(spec(chunked) - spec(whole))
    assert diff.mean() < 0.01 * np.abs(spec(whole)).mean()
    # Away from the joins, chunking changes nothing measurable.
    assert np.abs(chunked[: 100 * HOP] - whole[: 100 * HOP]).max() < 1e-4
    # At each join, no step between samples larger than the signal's own largest step.
    own_step = np.abs(np.diff(whole)).max()
    for join in chunk_bounds(frames, config.chunk_frames)[1:-1]:
        window = chunked[join * HOP - 4 * HOP : join * HOP + 4 * HOP]
        assert np.abs(np.diff(window)).max() <= own_step


@pytest.mark.parametrize(
    "bad", [dict(fade_frames=3), dict(context_frames=2, fade_frames=8), dict(chunk_frames=10, fade_frames=8)]
)
def test_chunk_config_refuses_impossible_settings(bad):
    with pytest.raises(ValueError):
        ChunkConfig(**bad)
