"""Low-precision building blocks shared by ``acoustic.quantize`` and ``vocoder.quantize``.

* :class:`Int8Linear`: ``x @ weight.T + bias`` with the weight stored in int8 (symmetric, one
  scale per output channel) and ``x`` quantized on the fly (dynamic quantization: one scale and
  zero point per call, from its minimum and maximum), by PyTorch's quantized CPU kernels
  (fbgemm on x86, qnnpack on ARM) as :class:`base.cpu.LowPrecision` says. The bias stays fp32
  and is added after the integer product, so it is exact.
* :class:`Bf16`: a float module run in bfloat16 (inputs cast down, outputs cast back).

PyTorch 2.13 marks its quantized-tensor constructors deprecated; the int8 weights are packed
with them (the warning is silenced here) and a build without the kernels is reported as a
:class:`~base.errors.TTSError` that says to use fp32.
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Iterator
from typing import Any

import torch
from torch import Tensor, nn

from base.cpu import LowPrecision
from base.errors import TTSError

INT8_LEVELS = 127  # symmetric int8 weights: [-127, 127]


@contextlib.contextmanager
def quantized_engine(engine: str) -> Iterator[None]:
    """``torch.backends.quantized.engine`` set to ``engine`` for the block (packing is
    engine-specific; the packed weights then run whatever the global setting is)."""
    before = torch.backends.quantized.engine
    torch.backends.quantized.engine = engine
    try:
        yield
    finally:
        torch.backends.quantized.engine = before


def weight_scales(weight: Tensor) -> Tensor:
    """Per output channel scale of symmetric int8 weights: ``max |row| / 127`` (1 for a zero row)."""
    peak = weight.detach().abs().amax(dim=1).double()
    return torch.where(peak > 0, peak / INT8_LEVELS, torch.ones_like(peak))


class Int8Linear:
    """``x @ weight.T + bias`` in int8, for activations ``x`` ``[..., in]`` (float32).

    The weight ``[out, in]`` is rounded once to ``round(w / s) * s`` with ``s`` =
    :func:`weight_scales`; each call quantizes ``x`` to 8 bits (7 with ``reduce_range``) with
    one scale and zero point from its range, multiplies in integers and rescales to fp32, then
    adds the fp32 bias. Also a :class:`vocoder.waveglow.Linear` (``__call__(x, out)``,
    ``accumulate``).

    One scale for the whole ``x``: the rows of a batch share it, so a row's result depends (by
    at most a rounding step of its input) on the other rows.
    """

    def __init__(self, weight: Tensor, bias: Tensor | None, kernels: LowPrecision) -> None:
        if not (
            hasattr(torch.ops.quantized, "linear_dynamic") and hasattr(torch, "_make_per_channel_quantized_tensor")
        ):
            raise TTSError(f"this PyTorch ({torch.__version__}) has no int8 linear kernels: use precision 'fp32'")
        weight = weight.detach().float()
        self.out_features, self.in_features = weight.shape
        self.reduce_range = kernels.reduce_range
        scales = weight_scales(weight)
        q = torch.round(weight.double() / scales[:, None]).clamp_(-INT8_LEVELS, INT8_LEVELS).to(torch.int8)
        with warnings.catch_warnings(), quantized_engine(kernels.engine):
            warnings.simplefilter("ignore", UserWarning)  # "quantized tensor creation ... deprecated"
            qweight = torch._make_per_channel_quantized_tensor(q, scales, torch.zeros_like(scales, dtype=torch.long), 0)
            self.packed = torch.ops.quantized.linear_prepack(
                qweight, None if bias is None else bias.detach().float().contiguous()
            )

    def __call__(self, x: Tensor, out: Tensor | None = None) -> Tensor:
        """The product ``[..., out]`` (a new tensor: the kernel writes its own; ``out`` is
        accepted for the :class:`vocoder.waveglow.Linear` protocol and left alone)."""
        return torch.ops.quantized.linear_dynamic(x, self.packed, self.reduce_range)

    def accumulate(self, x: Tensor, out: Tensor) -> None:
        """``out += x @ weight.T + bias``."""
        out.add_(self(x))

    def dequantized(self) -> tuple[Tensor, Tensor | None]:
        """The weight as the kernel sees it (``round(w / s) * s``, fp32 ``[out, in]``) and the bias."""
        weight, bias = torch.ops.quantized.linear_unpack(self.packed)
        return weight.dequantize(), bias

    def reference(self, x: Tensor) -> Tensor:
        """What the kernel computes, in float64: ``x`` rounded to its quantization grid
        (:func:`fake_quantize_activations`) times the dequantized weight, plus the bias. It differs
        from the kernel's result only where the kernel places the grid a rounding step apart."""
        weight, bias = self.dequantized()
        y = fake_quantize_activations(x.double(), self.reduce_range) @ weight.double().t()
        return (y if bias is None else y + bias.double()).to(x.dtype)

    def __repr__(self) -> str:
        return f"Int8Linear(in={self.in_features}, out={self.out_features}, reduce_range={self.reduce_range})"


def activation_step(x: Tensor, reduce_range: bool) -> float:
    """The quantization step of ``x`` under dynamic quantization: its range (stretched to hold
    0) over 255 levels, or 127 with ``reduce_range``."""
    low, high = min(float(x.min()), 0.0), max(float(x.max()), 0.0)
    return (high - low) / (127 if reduce_range else 255) or 1.0


def fake_quantize_activations(x: Tensor, reduce_range: bool) -> Tensor:
    """``x`` rounded to its dynamic-quantization grid (one scale and zero point for the tensor,
    :func:`activation_step`), in ``x``'s dtype: what the int8 kernels multiply."""
    step = activation_step(x, reduce_range)
    levels = 127 if reduce_range else 255
    zero = min(max(round(-min(float(x.min()), 0.0) / step), 0), levels)
    return (torch.round(x / step).add_(zero).clamp_(0, levels).sub_(zero)) * step


class Bf16(nn.Module):
    """``module`` run in bfloat16: floating-point tensor arguments are cast to bf16, floating
    outputs (a tensor or a tuple of them) back to fp32. Its parameters are held in bf16."""

    def __init__(self, module: nn.Module) -> None:
        super().__init__()
        self.module = module.to(torch.bfloat16)

    def forward(self, *args: Any) -> Any:
        return _cast(self.module(*_cast(args, torch.bfloat16)), torch.float32)


def _cast(value: Any, dtype: torch.dtype) -> Any:
    if isinstance(value, Tensor):
        return value.to(dtype) if value.is_floating_point() else value
    if isinstance(value, tuple):
        return tuple(_cast(v, dtype) for v in value)
    return value
