"""vocoder.quantize: the int8 WaveGlow is the fast path with int8 products, as accurate as its
quantization allows, and exact wherever the flow's invertibility lives."""

from __future__ import annotations

import math
from dataclasses import dataclass

import pytest
import torch

import vocoder
from base.cpu import LowPrecision, low_precision
from base.lowp import Int8Linear
from tts.testing import random_waveglow

CONFIGS = {
    "upsampled": dict(),
    "interpolated": dict(n_flows=4, n_group=32, n_early_every=2, n_early_size=4, mel_conditioning="interpolated"),
    "depthwise": dict(n_group=16, mel_conditioning="interpolated", depthwise=True, kernel_size=5),
}


@dataclass(frozen=True)
class ReferenceInt8:
    """The int8 products described in float64 (:meth:`Int8Linear.reference`): what the int8
    model computes, without the kernels."""

    kernels: LowPrecision

    def __call__(self, weight, bias):
        layer = Int8Linear(weight, bias, self.kernels)

        class Reference:
            def __call__(self, x, out):
                return layer.reference(x)

            def accumulate(self, x, out):
                out.add_(layer.reference(x))

        return Reference()


def snr_db(reference: torch.Tensor, other: torch.Tensor) -> float:
    return 10 * math.log10(float((reference.double() ** 2).sum() / ((reference - other).double() ** 2).sum()))


def inputs(model: vocoder.WaveGlow, frames: int = 4, seed: int = 0):
    g = torch.Generator().manual_seed(seed)
    c = model.config
    mel = -5 + 2 * torch.randn(1, c.n_mel_channels, frames, generator=g)
    z = 0.666 * torch.randn(1, c.n_group, frames * c.upsample_stride // c.n_group, generator=g)
    return mel, z


@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_int8_is_as_accurate_as_its_quantization(name):
    """The int8 model's audio against fp32: its signal-to-error ratio must be within 3 dB of that
    of the same quantization computed exactly in float64 (the kernels may put the activation
    grid half a step elsewhere, an independent rounding of the same size, hence the 3 dB), and
    that quantization must leave the audio above 25 dB."""
    model = random_waveglow("small", end_std=0.2, upsample_kernel_size=512, **CONFIGS[name])
    mel, z = inputs(model)
    int8 = vocoder.quantize(model)
    emulated = vocoder.quantize(model)
    emulated.fast_linear = ReferenceInt8(low_precision())
    with torch.inference_mode():
        exact, got, described = model.reverse(mel, z), int8.reverse(mel, z), emulated.reverse(mel, z)
    assert snr_db(exact, described) >= 25
    assert snr_db(exact, got) >= snr_db(exact, described) - 3


def test_the_flow_stays_exact():
    """Likelihood, log-determinant and the plain path (training, export) are the fp32 model's,
    bit for bit: quantize only adds int8 products to the inference path."""
    model = random_waveglow("tiny", end_std=0.2, upsample_kernel_size=256)
    int8 = vocoder.quantize(model)
    mel, z = inputs(model)
    audio = model.infer(mel, generator=torch.Generator().manual_seed(0))
    assert torch.equal(int8.log_prob(mel, audio), model.log_prob(mel, audio))
    for k in range(model.config.n_flows):
        assert torch.equal(int8.flow(k)[1].inverse_weight(), model.flow(k)[1].inverse_weight())
    with torch.no_grad():
        int8.fast_inference = model.fast_inference = False
        assert torch.equal(int8.reverse(mel, z), model.reverse(mel, z))


def test_the_model_given_is_left_alone():
    model = random_waveglow("tiny", end_std=0.2, upsample_kernel_size=256)
    before = {k: v.clone() for k, v in model.state_dict().items()}
    mel, z = inputs(model)
    with torch.inference_mode():
        fp32 = model.reverse(mel, z)
    vocoder.quantize(model)
    assert model.fast_linear is None
    assert all(torch.equal(v, before[k]) for k, v in model.state_dict().items())
    with torch.inference_mode():
        assert torch.equal(model.reverse(mel, z), fp32)
    in_place = vocoder.quantize(model, inplace=True)
    assert in_place is model and model.fast_linear is not None


def test_8_bit_activations_run_here_too():
    """The VNNI branch (no reduce_range) on whatever CPU this is: same shape, finite audio."""
    model = random_waveglow("tiny", end_std=0.2, upsample_kernel_size=256)
    int8 = vocoder.quantize(model, LowPrecision(low_precision().engine, False, False, "test"))
    mel, z = inputs(model)
    with torch.inference_mode():
        audio = int8.reverse(mel, z)
    assert audio.shape == (1, z.numel()) and bool(torch.isfinite(audio).all())
