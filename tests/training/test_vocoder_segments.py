"""Vocoder training segments: aligned crops and the dither that keeps digital silence's likelihood bounded."""

from __future__ import annotations

import pytest
import torch

import vocoder
from base.audio import MelConfig
from tts.training.data import VocoderSegments, read_split
from tts.training.vocoder_task import VocoderDataConfig, VocoderTask

SEGMENT = 4096


def _segments(prepared_data, **kwargs):
    return VocoderSegments(read_split(prepared_data, "train"), MelConfig(), SEGMENT, seed=3, **kwargs)


def test_dither_adds_seeded_noise_and_leaves_the_crop_alone(prepared_data):
    plain, dithered = _segments(prepared_data), _segments(prepared_data, dither=1e-3)
    for index in range(len(plain)):
        mel, audio = plain[index]
        mel_d, audio_d = dithered[index]
        assert torch.equal(mel, mel_d)  # the same crop: the noise is drawn after it
        noise = audio_d - audio
        assert noise.std().item() == pytest.approx(1e-3, rel=0.1)
        assert abs(noise.mean().item()) < 1e-4
        assert torch.equal(dithered[index][1], audio_d)  # the same (seed, epoch, item): the same noise
    first = dithered[0][1]
    dithered.set_epoch(1)
    assert not torch.equal(dithered[0][1], first)


def test_padded_silence_is_dithered_too(prepared_data):
    """A clip shorter than a segment is padded with zeros; with dither none stay exactly zero."""
    long = VocoderSegments(read_split(prepared_data, "train"), MelConfig(), 65536, dither=3e-4)
    _, audio = long[0]
    plain = VocoderSegments(read_split(prepared_data, "train"), MelConfig(), 65536)[0][1]
    assert (plain == 0).sum() > 20000  # 0.6 s clips in 3 s segments
    assert (audio == 0).sum() == 0


def test_the_task_dithers_by_default(prepared_data):
    micro = vocoder.WaveGlowConfig(n_flows=2, n_group=8, n_early_every=1, n_early_size=2, n_layers=2, n_channels=8)
    assert VocoderDataConfig().dither == 3e-4
    task = VocoderTask(prepared_data, micro, VocoderDataConfig(segment_length=SEGMENT))
    assert task.train_dataset().dither == 3e-4 and task.val_dataset().dither == 3e-4
    exact = VocoderTask(prepared_data, micro, VocoderDataConfig(segment_length=SEGMENT, dither=0.0))
    assert exact.train_dataset().dither == 0.0
    with pytest.raises(ValueError, match="dither must be 0"):
        VocoderDataConfig(dither=-1e-4)
