"""int8 Tacotron2 for CPU inference: :func:`quantize`.

The int8 model is the same :class:`~acoustic.model.Tacotron2` with some of its layers swapped:
:meth:`Decoder.step <acoustic.model.Decoder.step>` (the one definition of a decoder step, which
the fast loop, the reference loop and the ONNX graph call) applies its LSTM cells and linear
layers through ``_lstm_cell`` / ``apply_linear``, which call whatever module sits there. The
swapped-in modules compute the same functions with int8 weights (:class:`base.lowp.Int8Linear`:
dynamic quantization, activations quantized per call, fp32 biases), for the layers with at
least ``min_weights`` weights (:data:`MIN_INT8_WEIGHTS`, 2^20, by default):

* the decoder's two LSTM cells. NVIDIA's cells
  (7.3 M and 10.5 M weights) are bound by memory bandwidth at batch 1: a step reads every weight
  once, and int8 weights are a quarter of the bytes (measured 3.9x faster per step). Small
  cells, such as the bundled voices' (0.5 M and 0.7 M), are bound by the per-call overhead
  instead: int8 measured no faster at batch 1 (0.82 against 0.77 ms per step for the ``tiny``
  preset), though 1.6x faster at batch 8, so by default they stay fp32 and such a model keeps
  fp32's exact behaviour (``min_weights=0`` quantizes them);
* the decoder's per-step linear layers: none of NVIDIA's reaches the threshold. Its largest,
  the projection to the mel frames and the attention query (123 k and 131 k weights), measured
  no faster in int8 at batch 1, and quantizing them multiplied the mel's deviation from fp32 by
  five.

The items of a batch share each product's activation scale, and a rounding step of an input
moves a whole step of the output: a sentence decoded in a batch equals it decoded alone only to
within the int8 noise (about 1e-3 of the mel), not to fp32's 1e-5. Quantizing each item on its
own does not restore that (a 1e-8 difference upstream flips a rounding just the same) and cost
10-20 % of the speed in a trial, so it is not done.

The encoder (run once per sentence), the attention's location features and the postnet stay
in float: fp32, or bfloat16 where the CPU computes it natively and a probe measured it faster
(:func:`base.cpu.choose_low_precision`). Gate, stop rule and step limits are untouched.
"""

from __future__ import annotations

import copy
import logging

import torch
from torch import Tensor, nn

from acoustic.model import Tacotron2
from base.cpu import LowPrecision, low_precision
from base.lowp import Bf16, Int8Linear

log = logging.getLogger(__name__)

# Layers with fewer weights stay fp32 (see the module docstring).
MIN_INT8_WEIGHTS = 1_048_576


class QuantizedLinear(nn.Module):
    """An ``nn.Linear`` with int8 weights (:class:`base.lowp.Int8Linear`): (..., in) -> (..., out)."""

    def __init__(self, linear: nn.Linear, kernels: LowPrecision) -> None:
        super().__init__()
        self.in_features, self.out_features = linear.in_features, linear.out_features
        self.int8 = Int8Linear(linear.weight, linear.bias, kernels)

    def forward(self, x: Tensor) -> Tensor:
        return self.int8(x)

    def extra_repr(self) -> str:
        return repr(self.int8)


class QuantizedLSTMCell(nn.Module):
    """An ``nn.LSTMCell`` with int8 weights: the input and the hidden state are quantized each
    on its own (their ranges differ), the gates summed in fp32 with both biases, and the cell
    update is ``nn.LSTMCell``'s (gates in its order: input, forget, cell, output)."""

    def __init__(self, cell: nn.LSTMCell, kernels: LowPrecision) -> None:
        super().__init__()
        self.input_size, self.hidden_size = cell.input_size, cell.hidden_size
        self.ih = Int8Linear(cell.weight_ih, cell.bias_ih, kernels)
        self.hh = Int8Linear(cell.weight_hh, cell.bias_hh, kernels)

    def forward(self, inputs: Tensor, state: tuple[Tensor, Tensor]) -> tuple[Tensor, Tensor]:
        """(B, input_size) and ((B, hidden), (B, hidden)) -> the new (hidden, cell)."""
        hidden, cell = state
        n = self.hidden_size
        gates = self.ih(inputs).add_(self.hh(hidden))  # (B, 4 * hidden)
        gates[:, : 2 * n].sigmoid_()
        gates[:, 2 * n : 3 * n].tanh_()
        gates[:, 3 * n :].sigmoid_()
        cell = torch.addcmul(gates[:, n : 2 * n] * cell, gates[:, :n], gates[:, 2 * n : 3 * n])
        return gates[:, 3 * n :] * torch.tanh(cell), cell

    def extra_repr(self) -> str:
        return f"{self.input_size}, {self.hidden_size}, int8"


def quantize(
    model: Tacotron2,
    kernels: LowPrecision | None = None,
    inplace: bool = False,
    min_weights: int = MIN_INT8_WEIGHTS,
) -> Tacotron2:
    """A CPU inference Tacotron2 whose decoder runs its large LSTM cells (and linear layers) in int8.

    Args:
        model: a Tacotron2 (any device or dtype; the result is CPU float32 in eval mode).
        kernels: the int8 kernels; default: chosen for this CPU (:func:`base.cpu.low_precision`).
        inplace: change ``model`` itself instead of a copy.
        min_weights: layers (LSTM cells: input and hidden weights together) with fewer weights
            stay fp32; 0 quantizes every cell and per-step linear layer.

    Returns:
        the model for :meth:`Tacotron2.infer` (training it is not supported: the int8 layers have
        no gradients).
    """
    kernels = kernels or low_precision()
    quantized = model if inplace else copy.deepcopy(model)
    quantized = quantized.float().cpu().eval()
    decoder = quantized.decoder
    for name in ("attention_rnn", "decoder_rnn"):
        cell = getattr(decoder, name)
        if isinstance(cell, nn.LSTMCell) and cell.weight_ih.numel() + cell.weight_hh.numel() >= min_weights:
            setattr(decoder, name, QuantizedLSTMCell(cell, kernels))
    for holder in (decoder.linear_projection, decoder.attention_layer.query_layer, *decoder.prenet.layers):
        linear = holder.linear_layer
        if isinstance(linear, nn.Linear) and linear.weight.numel() >= min_weights:
            holder.linear_layer = QuantizedLinear(linear, kernels)
    if kernels.bf16:
        encoder = quantized.encoder
        for i, conv in enumerate(encoder.convolutions):
            encoder.convolutions[i] = Bf16(conv)
        quantized.postnet = Bf16(quantized.postnet)  # type: ignore[assignment]
    log.debug("int8 Tacotron2 (%s): %s", kernels.reason, quantized.decoder)
    return quantized
