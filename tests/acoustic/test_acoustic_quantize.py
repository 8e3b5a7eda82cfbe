"""acoustic.quantize: the int8 Tacotron2 runs the one decoder step with int8 layers swapped in,
as accurately as its quantization allows."""

from __future__ import annotations

import math

import pytest
import torch
from torch.nn import functional as F

import acoustic
from acoustic.quantize import QuantizedLinear, QuantizedLSTMCell
from base.cpu import LowPrecision, low_precision
from tts.testing import random_tacotron2

STEPS = 24


def decode(model: acoustic.Tacotron2, batch: int = 2, stepwise: bool = False) -> torch.Tensor:
    """The pre-postnet mel of a fixed number of decoder steps (the gate never fires)."""
    g = torch.Generator().manual_seed(2)
    text = torch.randint(1, model.config.n_symbols, (2, 9), generator=g)[:batch]
    lengths = torch.tensor([9, 6][:batch])
    with torch.inference_mode():
        memory = model.encode(text, lengths)
        mask = torch.arange(9)[None] < lengths[:, None]
        decoder = model.decoder
        run = decoder.infer_stepwise if stepwise else decoder.infer
        return run(memory, mask, torch.full((batch,), STEPS))[0]


def fixed_steps_model(**overrides) -> acoustic.Tacotron2:
    return random_tacotron2("tiny", 20, gate_bias=-10.0, prenet_dropout=0.0, max_frames_per_symbol=None, **overrides)


class Exact:
    """A float64 stand-in for an :class:`~base.lowp.Int8Linear`: its :meth:`reference` (what it
    computes, without the kernels), or with ``exact`` the unrounded fp32 weights."""

    def __init__(self, int8, weight=None, bias=None):
        self.int8, self.weight, self.bias = int8, weight, bias

    def __call__(self, x):
        if self.weight is not None:
            return F.linear(x, self.weight, self.bias)
        return self.int8.reference(x)


def described(model: acoustic.Tacotron2) -> acoustic.Tacotron2:
    """``model`` quantized, with every int8 product computed by its float64 description."""
    int8 = acoustic.quantize(model, min_weights=0)
    for module in int8.modules():
        if isinstance(module, QuantizedLSTMCell):
            module.ih, module.hh = Exact(module.ih), Exact(module.hh)
        elif isinstance(module, QuantizedLinear):
            module.int8 = Exact(module.int8)
    return int8


def rms(x: torch.Tensor) -> float:
    return math.sqrt(float((x.double() ** 2).mean()))


def test_the_int8_cell_is_the_lstm_cell():
    """With its products exact, the int8 cell's gate arithmetic is nn.LSTMCell's."""
    torch.manual_seed(0)
    cell = torch.nn.LSTMCell(12, 7)
    quantized = QuantizedLSTMCell(cell, low_precision())
    quantized.ih = Exact(None, cell.weight_ih, cell.bias_ih)
    quantized.hh = Exact(None, cell.weight_hh, cell.bias_hh)
    x, h, c = torch.randn(3, 12), torch.randn(3, 7), torch.randn(3, 7)
    with torch.no_grad():
        for got, want in zip(quantized(x, (h, c)), cell(x, (h, c))):
            torch.testing.assert_close(got, want, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("r", [1, 3])
def test_int8_decoding_is_as_accurate_as_its_quantization(r):
    """The mel of 24 free-running steps: the int8 model's deviation from fp32 is at most 1.5x that
    of the same quantization computed in float64 (kernel rounding that lands elsewhere, fed back
    through the steps), and it is the decoder's own step: the fast loop and the reference loop
    give the same bits."""
    model = fixed_steps_model(n_frames_per_step=r)
    exact = decode(model)
    int8 = acoustic.quantize(model, min_weights=0)
    got = decode(int8)
    assert torch.equal(got, decode(int8, stepwise=True))
    quantization_error = rms(decode(described(model)) - exact)
    assert 0 < rms(got - exact) <= 1.5 * quantization_error + 1e-6
    assert quantization_error < 0.05 * rms(exact)


def test_what_is_quantized():
    model = fixed_steps_model()
    small = acoustic.quantize(model)  # every layer of a tiny model is below MIN_INT8_WEIGHTS
    assert type(small.decoder.attention_rnn) is torch.nn.LSTMCell
    assert torch.equal(decode(small), decode(model))
    cells = acoustic.quantize(model, min_weights=10_000)
    assert isinstance(cells.decoder.attention_rnn, QuantizedLSTMCell)
    assert isinstance(cells.decoder.decoder_rnn, QuantizedLSTMCell)
    assert type(cells.decoder.linear_projection.linear_layer) is torch.nn.Linear
    everything = acoustic.quantize(model, min_weights=0)
    assert isinstance(everything.decoder.linear_projection.linear_layer, QuantizedLinear)
    assert isinstance(everything.decoder.attention_layer.query_layer.linear_layer, QuantizedLinear)
    assert rms(decode(everything) - decode(model)) < 0.05 * rms(decode(model))
    # The model given is untouched.
    assert type(model.decoder.attention_rnn) is torch.nn.LSTMCell


def test_whole_inference_and_the_bf16_branch():
    """Tacotron2.infer end to end (encoder, gate, postnet) in int8, and with the float layers in
    bf16 (the branch of CPUs with native bf16; emulated, slower, on others): the mel within a
    few percent of fp32 (bf16 keeps 8 significant bits, through a handful of layers)."""
    model = fixed_steps_model(max_decoder_steps=STEPS)
    text, lengths = torch.randint(1, 20, (1, 8), generator=torch.Generator().manual_seed(3)), torch.tensor([8])
    exact = model.infer(text, lengths).mel_postnet
    base = low_precision()
    for bf16 in (False, True):
        int8 = acoustic.quantize(model, LowPrecision(base.engine, base.reduce_range, bf16, "test"), min_weights=0)
        out = int8.infer(text, lengths)
        assert out.mel_postnet.shape == exact.shape and out.mel_postnet.dtype == torch.float32
        assert rms(out.mel_postnet - exact) < 0.05 * rms(exact)
