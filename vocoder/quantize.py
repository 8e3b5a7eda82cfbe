"""int8 WaveGlow for CPU inference: :func:`quantize`.

The int8 model is the model's own fast inference path (:meth:`WaveGlow._reverse_fast
<vocoder.waveglow.WaveGlow._reverse_fast>`, :func:`vocoder.waveglow._wn_inference`) with its
large products made by :class:`base.lowp.Int8Linear` instead of fp32 ones: the packing, the
buffers, the coupling and the flows are the same code. What stays fp32, and why:

* the invertible 1x1 convolutions (their inverse is computed in float64 and applied in fp32) and
  the affine coupling (``exp``, shift): errors there would not stay small through the flows, and
  they are a few multiply-adds per sample;
* every small product: the start layer (``n_in`` inputs), the first layer's audio taps, the skip
  outputs folded into the end layer (``2 n_in`` outputs) and the mel upsampler (0.2 % of the
  published model's operations);
* the parameters themselves, so ``forward``, ``log_prob`` (the log-determinant) and the plain
  path under autograd or export are exactly the fp32 model's.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

import torch

from base.cpu import LowPrecision, low_precision
from base.lowp import Int8Linear
from vocoder.waveglow import WaveGlow


@dataclass(frozen=True)
class Int8Linears:
    """The :data:`vocoder.waveglow.LinearFactory` of an int8 WaveGlow (hashable: it is part of
    the packed weights' cache key)."""

    kernels: LowPrecision

    def __call__(self, weight: torch.Tensor, bias: torch.Tensor) -> Int8Linear:
        return Int8Linear(weight, bias, self.kernels)


def quantize(model: WaveGlow, kernels: LowPrecision | None = None, inplace: bool = False) -> WaveGlow:
    """A CPU inference WaveGlow with int8 weights in every large product of its fast path.

    ``reverse`` and ``infer`` outside autograd (what synthesis runs) use them: the input
    layers (taps and conditioning in one product per layer) and the residual layers of every
    coupling network, with activations quantized per call. Everything else is exact (see the
    module docstring).

    Args:
        model: a WaveGlow (any device or dtype; the result is CPU float32 in eval mode).
        kernels: the int8 kernels; default: chosen for this CPU (:func:`base.cpu.low_precision`).
        inplace: change ``model`` itself instead of a copy (no second copy of the weights in memory).

    Returns:
        the int8 model. Its weights are packed at the first synthesis, as the fp32 fast path's
        are (:meth:`WN.packed <vocoder.waveglow.WN.packed>`), and kept until a parameter changes.
    """
    kernels = kernels or low_precision()
    quantized = model if inplace else copy.deepcopy(model)
    quantized = quantized.float().cpu().eval()
    quantized.fast_inference = True
    quantized.fast_linear = Int8Linears(kernels)
    return quantized
