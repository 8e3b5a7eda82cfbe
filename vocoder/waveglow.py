"""WaveGlow: a flow-based vocoder trained by maximum likelihood (Prenger, Valle, Catanzaro 2018).

The audio is squeezed into groups of ``n_group`` samples (``[B, n_group, T / n_group]``) and passed
through ``n_flows`` steps, each an invertible 1x1 convolution followed by an affine coupling layer
whose scale and shift come from a WaveNet-like network (:class:`WN`) conditioned on the mel
upsampled to the audio rate. Every ``n_early_every`` flows, ``n_early_size`` channels leave the
flow early and go straight to the output ``z``. Training maximises the likelihood of ``z`` under
a Gaussian; synthesis samples ``z`` and runs the flows backwards, all samples in parallel.

Module and parameter names are those of NVIDIA's ``glow.py`` (``upsample``, ``WN.{k}.start``,
``WN.{k}.in_layers.{i}``, ``WN.{k}.res_skip_layers.{i}``, ``WN.{k}.cond_layer``, ``WN.{k}.end``,
``convinv.{k}.conv.weight``; weight-normalised layers hold ``weight_g`` / ``weight_v``), so state
dicts map one to one.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Protocol, cast

import torch
from torch import nn
from torch.nn import functional as F

from base.config import DictConfig

MEL_CONDITIONINGS = ("upsampled", "interpolated")


@dataclass(frozen=True)
class WaveGlowConfig(DictConfig):
    """WaveGlow hyper-parameters; the defaults are the published 256-channel model."""

    n_mel_channels: int = 80
    n_flows: int = 12
    n_group: int = 8
    n_early_every: int = 4
    n_early_size: int = 2
    n_layers: int = 8
    n_channels: int = 256
    kernel_size: int = 3
    # The mel upsampler: stride must equal the mel hop length.
    upsample_kernel_size: int = 1024
    upsample_stride: int = 256
    # How the mel reaches the couplings. "upsampled" (NVIDIA): a learnt transposed convolution to
    # the audio rate, then grouped, so each coupling sees ``n_mel * n_group`` channels.
    # "interpolated" (SqueezeWave, Zhai et al. 2020): the mel linearly interpolated to the group
    # rate, ``n_mel`` channels and no upsampler; far fewer parameters when ``n_group`` is large.
    mel_conditioning: str = "upsampled"
    # WN input layers as a depthwise dilated convolution followed by a pointwise (1x1) one, as
    # SqueezeWave does: ``kernel_size`` times fewer multiply-adds in the layers that dominate
    # the cost. Its parameters are ``in_layers.{i}.depthwise`` / ``.pointwise``, names NVIDIA's
    # checkpoints never use; False (NVIDIA's dense layers) keeps every checkpoint loading.
    depthwise: bool = False

    def __post_init__(self) -> None:
        if self.n_group % 2 or self.n_group < 2:
            raise ValueError(f"n_group must be even and >= 2, got {self.n_group}")
        if self.kernel_size % 2 == 0:
            raise ValueError(f"kernel_size must be odd, got {self.kernel_size}")
        if self.n_channels % 2:
            raise ValueError(f"n_channels must be even, got {self.n_channels}")
        if self.n_early_size % 2:
            raise ValueError(f"n_early_size must be even, got {self.n_early_size}")
        if self.n_flows < 1 or self.n_layers < 1 or self.n_early_every < 1:
            raise ValueError("n_flows, n_layers and n_early_every must be >= 1")
        if self.n_remaining_channels < 2:
            raise ValueError(
                f"n_group={self.n_group} leaves {self.n_remaining_channels} channels after the early "
                f"outputs (n_flows={self.n_flows}, n_early_every={self.n_early_every}, "
                f"n_early_size={self.n_early_size}); at least 2 must remain"
            )
        if self.mel_conditioning not in MEL_CONDITIONINGS:
            raise ValueError(
                f"mel_conditioning must be one of {', '.join(MEL_CONDITIONINGS)}, got {self.mel_conditioning!r}"
            )
        if self.upsample_stride <= 0 or self.upsample_kernel_size < self.upsample_stride:
            raise ValueError("need upsample_kernel_size >= upsample_stride > 0")
        if self.upsample_stride % self.n_group:
            raise ValueError(f"upsample_stride ({self.upsample_stride}) must be a multiple of n_group ({self.n_group})")

    @property
    def n_cond_channels(self) -> int:
        """Channels of the conditioning each coupling network reads."""
        if self.mel_conditioning == "interpolated":
            return self.n_mel_channels
        return self.n_mel_channels * self.n_group

    @property
    def n_early_outputs(self) -> int:
        """How many times channels leave the flow early."""
        return (self.n_flows - 1) // self.n_early_every

    @property
    def n_remaining_channels(self) -> int:
        """Channels that go through the last flow."""
        return self.n_group - self.n_early_size * self.n_early_outputs


class WeightNormConv1d(nn.Conv1d):
    """``Conv1d`` with weight normalisation, ``weight = weight_g * weight_v / ||weight_v||``.

    The norm is taken per output channel, as ``torch.nn.utils.weight_norm(dim=0)`` does, and the
    parameters carry the same names (``weight_g`` ``[out, 1, 1]``, ``weight_v``, ``bias``), so
    state dicts of NVIDIA's weight-normalised layers load unchanged. Outside of autograd the folded
    weight is computed once and reused until a parameter changes (in place or replaced), so
    inference does not pay for the normalisation on every call.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        weight = self.weight.detach()
        del self.weight
        self.weight_g = nn.Parameter(_norm_per_output_channel(weight))
        self.weight_v = nn.Parameter(weight.clone())
        self._folded: torch.Tensor | None = None
        self._folded_key: tuple | None = None

    def folded_weight(self) -> torch.Tensor:
        """The effective convolution weight ``[out, in, kernel]``."""
        g, v = self.weight_g, self.weight_v
        if torch.is_grad_enabled() and (g.requires_grad or v.requires_grad):
            return g * v / _norm_per_output_channel(v)
        key = (g.data_ptr(), g._version, v.data_ptr(), v._version, g.dtype, g.device)
        if key != self._folded_key:
            with _cache_mode():
                self._folded = g * v / _norm_per_output_channel(v)
            self._folded_key = key
        assert self._folded is not None
        return self._folded

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self._conv_forward(x, self.folded_weight(), self.bias)


@contextlib.contextmanager
def _cache_mode() -> Iterator[None]:
    """Where cached weights are computed: no autograd, and never as inference tensors, so that a
    cache filled under ``torch.inference_mode`` stays usable outside it (e.g. saved for backward)."""
    with torch.inference_mode(False), torch.no_grad():
        yield


def _norm_per_output_channel(weight: torch.Tensor) -> torch.Tensor:
    return weight.norm(dim=tuple(range(1, weight.dim())), keepdim=True)


class Invertible1x1Conv(nn.Module):
    """Invertible 1x1 convolution over the channel axis (Kingma & Dhariwal 2018).

    Initialised to a random rotation (orthogonal, determinant +1). Its inverse is computed in
    float64, cast, and cached until the weight changes.
    """

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.conv = nn.Conv1d(channels, channels, kernel_size=1, bias=False)
        q, _ = torch.linalg.qr(torch.randn(channels, channels))
        if torch.det(q) < 0:
            q[:, 0] = -q[:, 0]
        with torch.no_grad():
            self.conv.weight.copy_(q.unsqueeze(-1))
        self._inverse: torch.Tensor | None = None
        self._inverse_key: tuple | None = None

    def forward(self, z: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """``z``: ``[B, C, G]`` -> (``W z`` ``[B, C, G]``, ``log|det|`` of the whole map, a scalar)."""
        batch, _, n_groups = z.shape
        weight = self.conv.weight.squeeze(-1)
        if weight.dtype in (torch.float16, torch.bfloat16):
            weight = weight.float()  # slogdet has no half-precision kernels
        log_det_w = batch * n_groups * torch.linalg.slogdet(weight)[1].to(z.dtype)
        return self.conv(z), log_det_w

    def inverse(self, z: torch.Tensor) -> torch.Tensor:
        """``W^-1 z`` for ``z`` of shape ``[B, C, G]``.

        With autograd on and a trainable weight, ``W^-1`` is recomputed with its gradient (a
        loss on reverse-pass samples trains ``W`` too); otherwise the cached inverse is used.
        """
        w = self.conv.weight
        if torch.is_grad_enabled() and w.requires_grad:
            inverse = torch.linalg.inv(w.squeeze(-1).double()).to(w.dtype).unsqueeze(-1)
            return F.conv1d(z, inverse.to(z.dtype))
        return F.conv1d(z, self.inverse_weight().to(z.dtype))

    def inverse_weight(self) -> torch.Tensor:
        """``W^-1`` as a ``[C, C, 1]`` kernel, cached until the weight changes."""
        w = self.conv.weight
        key = (w.data_ptr(), w._version, w.dtype, w.device)
        if key != self._inverse_key:
            with _cache_mode():
                self._inverse = torch.linalg.inv(w.squeeze(-1).double()).to(w.dtype).unsqueeze(-1)
            self._inverse_key = key
        assert self._inverse is not None
        return self._inverse


class DepthwiseSeparableConv1d(nn.Module):
    """A dilated depthwise convolution (one ``kernel_size`` filter per channel) followed by a
    pointwise one mixing the channels, both weight-normalised (SqueezeWave's WN input layer)."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int, dilation: int) -> None:
        super().__init__()
        self.depthwise = WeightNormConv1d(
            in_channels,
            in_channels,
            kernel_size,
            dilation=dilation,
            padding=dilation * (kernel_size - 1) // 2,
            groups=in_channels,
        )
        self.pointwise = WeightNormConv1d(in_channels, out_channels, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.pointwise(self.depthwise(x))


class WN(nn.Module):
    """The coupling network: non-causal WaveNet with dilations ``2**i``, gated tanh·sigmoid units,
    fused residual/skip 1x1 layers and one 1x1 conditioning layer for all layers.

    Args:
        n_in_channels: channels of the half of the audio groups it reads.
        n_mel_channels: channels of the grouped, upsampled mel (``n_mel * n_group``).
    """

    def __init__(
        self,
        n_in_channels: int,
        n_mel_channels: int,
        n_layers: int,
        n_channels: int,
        kernel_size: int,
        depthwise: bool = False,
    ) -> None:
        super().__init__()
        self.n_layers = n_layers
        self.n_channels = n_channels
        self.kernel_size = kernel_size
        self.depthwise = depthwise
        self.start = WeightNormConv1d(n_in_channels, n_channels, 1)
        self.cond_layer = WeightNormConv1d(n_mel_channels, 2 * n_channels * n_layers, 1)
        self.in_layers = nn.ModuleList()
        self.res_skip_layers = nn.ModuleList()
        for i in range(n_layers):
            dilation = 2**i
            if depthwise:
                self.in_layers.append(DepthwiseSeparableConv1d(n_channels, 2 * n_channels, kernel_size, dilation))
            else:
                self.in_layers.append(
                    WeightNormConv1d(
                        n_channels,
                        2 * n_channels,
                        kernel_size,
                        dilation=dilation,
                        padding=dilation * (kernel_size - 1) // 2,
                    )
                )
            # The last layer only feeds the skip path, so it has no residual half.
            res_skip_channels = 2 * n_channels if i < n_layers - 1 else n_channels
            self.res_skip_layers.append(WeightNormConv1d(n_channels, res_skip_channels, 1))
        # A zero end layer makes every coupling the identity at the start of training, which is
        # what keeps early training stable.
        self.end = nn.Conv1d(n_channels, 2 * n_in_channels, 1)
        nn.init.zeros_(self.end.weight)
        nn.init.zeros_(_bias(self.end))

    def forward(self, audio: torch.Tensor, spect: torch.Tensor) -> torch.Tensor:
        """``audio`` ``[B, n_in, G]``, ``spect`` ``[B, n_mel*n_group, G]`` -> ``[B, 2*n_in, G]``
        (shift in the first half of the channels, log-scale in the second)."""
        hidden = self.start(audio)
        skip = torch.zeros_like(hidden)
        cond = self.cond_layer(spect)
        n = self.n_channels
        for i, (in_layer, res_skip_layer) in enumerate(zip(self.in_layers, self.res_skip_layers)):
            pre = in_layer(hidden) + cond[:, 2 * i * n : 2 * (i + 1) * n]
            acts = torch.tanh(pre[:, :n]) * torch.sigmoid(pre[:, n:])
            res_skip = res_skip_layer(acts)
            if i < self.n_layers - 1:
                hidden = hidden + res_skip[:, :n]
                skip = skip + res_skip[:, n:]
            else:
                skip = skip + res_skip
        return self.end(skip)

    # -- fast inference ---------------------------------------------------------------------

    def packed(self, linear: LinearFactory | None = None) -> _PackedWN:
        """The weights rearranged for :func:`_wn_inference` (weight norm folded, each input
        layer's taps and conditioning side by side in one matrix, biases folded forward), with
        every large product a ``linear(weight, bias)`` (:class:`PackedLinear` by default;
        ``vocoder.quantize`` passes its int8 one), computed once and reused until a parameter
        changes (in place or replaced) or another ``linear`` is asked for."""
        linear = linear or PackedLinear
        params = list(self.parameters())
        key = tuple((p.data_ptr(), p._version) for p in params) + (params[0].dtype, params[0].device, linear)
        if key != getattr(self, "_packed_key", None):
            self._packed = None  # free the old copy before building the new one
            with _cache_mode():
                self._packed = _pack_wn(self, linear)
            self._packed_key = key
        assert self._packed is not None
        return self._packed


def _inference_only() -> bool:
    """True outside autograd, tracing and ONNX export: where :meth:`WaveGlow._reverse_fast` may run."""
    return not (
        torch.is_grad_enabled() or torch.jit.is_tracing() or torch.jit.is_scripting() or torch.onnx.is_in_onnx_export()
    )


def _fold(conv: WeightNormConv1d) -> torch.Tensor:
    """The effective weight of ``conv``, not cached on it (the packed copy is the one kept)."""
    return conv.weight_g * conv.weight_v / _norm_per_output_channel(conv.weight_v)


class Linear(Protocol):
    """A packed ``x @ weight.T + bias`` of the fast path, on positions-major activations: ``x``
    ``[N, in]`` (one row per position) -> ``[N, out]``."""

    def __call__(self, x: torch.Tensor, out: torch.Tensor) -> torch.Tensor:
        """The product, written into ``out`` ``[N, out]`` where the kernel can (else a new
        tensor); returns the tensor holding it."""
        ...

    def accumulate(self, x: torch.Tensor, out: torch.Tensor) -> None:
        """``out += x @ weight.T + bias`` in place."""
        ...


# (weight [out, in], bias [out]) -> Linear; hashable (it is part of the packed weights' cache key).
LinearFactory = Callable[[torch.Tensor, torch.Tensor], Linear]


class PackedLinear:
    """The fp32 (or the model's dtype) :class:`Linear`: one BLAS matrix product, bias included."""

    def __init__(self, weight: torch.Tensor, bias: torch.Tensor) -> None:
        self.weight = weight.contiguous()  # [out, in]
        self.bias = bias.contiguous()  # [out]

    def __call__(self, x: torch.Tensor, out: torch.Tensor) -> torch.Tensor:
        return torch.addmm(self.bias, x, self.weight.t(), out=out)

    def accumulate(self, x: torch.Tensor, out: torch.Tensor) -> None:
        out.addmm_(x, self.weight.t()).add_(self.bias)


@dataclass
class _PackedWN:
    """A :class:`WN`'s weights for :func:`_wn_inference`; ``C`` channels, ``n_cond`` conditioning
    channels, ``k`` taps. Activations are positions-major (``[N, channels]``, one row per
    position), so that every large product is a :class:`Linear` over contiguous rows."""

    start_w: torch.Tensor  # [C, n_in]
    start_b: torch.Tensor  # [C]
    # Per layer, over [taps | conditioning] -> 2C (dense: tap j in columns j*C:(j+1)*C, the
    # depthwise layer: its pointwise weight over the depthwise output), bias: the summed
    # biases (input layer, conditioning, pointwise of the depthwise bias), the tanh half's rows
    # times -2 (see the gate in _wn_inference). None for a first layer folded with the start
    # layer (``first_cond``).
    in_layers: list[Linear | None]
    dw_w: list[torch.Tensor] | None  # per layer [k, C] depthwise taps
    res: list[Linear]  # per layer but the last: gate -> C, the residual half and its bias
    # The skip path is linear up to the end layer, so each layer's skip weight is folded into
    # it: per layer [2 n_in, C] = end weight @ skip weight (a few rows instead of C).
    skip_end_w: list[torch.Tensor]
    end_b: torch.Tensor  # [2 n_in, 1]: end bias plus end weight times the summed skip biases
    # The first input layer straight from the audio when that is smaller: its taps read the
    # start layer's output, a linear map of ``[audio; 1]``, so the two fold into a product over
    # the conditioning (``first_cond``, with the layer's biases) plus one over each tap of the
    # shifted ``[audio; 1]`` (``first_audio_w`` [2C, k * (n_in + 1)]; the shifted ones carry the
    # start bias, zero past the edges).
    first_cond: Linear | None
    first_audio_w: torch.Tensor | None


def _bias(conv: nn.Conv1d) -> torch.Tensor:
    """The bias of a convolution built with one."""
    assert conv.bias is not None
    return conv.bias


def _pack_wn(wn: WN, linear: LinearFactory) -> _PackedWN:
    n, layers = wn.n_channels, wn.n_layers
    cond_w = _fold(wn.cond_layer)[:, :, 0]
    cond_b = _bias(wn.cond_layer)
    in_layers: list[Linear | None] = []
    dw_w: list[torch.Tensor] | None = [] if wn.depthwise else None
    res: list[Linear] = []
    skip_end_w: list[torch.Tensor] = []
    end_w = wn.end.weight[:, :, 0]
    skip_b = torch.zeros_like(_bias(wn.start))
    start_w = _fold(wn.start)[:, :, 0]
    start_wb = torch.cat([start_w, _bias(wn.start).unsqueeze(1)], dim=1)  # [C, n_in + 1]
    k, n_in = wn.kernel_size, start_w.size(1)
    first_cond, first_audio_w = None, None
    # The input layers' tanh half (rows :n) is packed times -2, for _wn_inference's gate
    # (exact: a power of two, in int8 as in float).
    gate_scale = torch.cat([cond_w.new_full((n,), -2.0), cond_w.new_ones(n)])
    for i in range(layers):
        rows = slice(2 * i * n, 2 * (i + 1) * n)
        layer = wn.in_layers[i]
        if isinstance(layer, DepthwiseSeparableConv1d):
            dw = _fold(layer.depthwise)[:, 0, :]
            pw = _fold(layer.pointwise)[:, :, 0]
            assert dw_w is not None
            dw_w.append(dw.t().contiguous())
            taps, bias = pw, _bias(layer.pointwise) + pw @ _bias(layer.depthwise)
        else:
            assert isinstance(layer, WeightNormConv1d)
            w = _fold(layer)
            taps, bias = w.permute(0, 2, 1).reshape(w.size(0), -1), _bias(layer)
        if i == 0 and k * (n_in + 1) < taps.size(1):
            if isinstance(layer, DepthwiseSeparableConv1d):
                folded_taps = [pw @ (dw[:, j : j + 1] * start_wb) for j in range(k)]
            else:
                folded_taps = [w[:, :, j] @ start_wb for j in range(k)]
            first_cond = linear(gate_scale[:, None] * cond_w[rows], gate_scale * (bias + cond_b[rows]))
            first_audio_w = (gate_scale[:, None] * torch.cat(folded_taps, dim=1)).contiguous()
            in_layers.append(None)
        else:
            weight = torch.cat([taps, cond_w[rows]], dim=1)
            in_layers.append(linear(gate_scale[:, None] * weight, gate_scale * (bias + cond_b[rows])))
        res_skip = wn.res_skip_layers[i]
        assert isinstance(res_skip, WeightNormConv1d)
        rs_w, rs_b = _fold(res_skip)[:, :, 0], _bias(res_skip)
        if i < layers - 1:
            res.append(linear(rs_w[:n], rs_b[:n]))
            rs_w, rs_b = rs_w[n:], rs_b[n:]
        skip_end_w.append((end_w @ rs_w).contiguous())
        skip_b = skip_b + rs_b
    return _PackedWN(
        start_w=start_w.contiguous(),
        start_b=_bias(wn.start).clone(),
        in_layers=in_layers,
        dw_w=dw_w,
        res=res,
        skip_end_w=skip_end_w,
        end_b=(_bias(wn.end) + end_w @ skip_b).unsqueeze(1).contiguous(),
        first_cond=first_cond,
        first_audio_w=first_audio_w,
    )


class _Workspace:
    """Buffers shared by every flow of one :meth:`WaveGlow.reverse`, carved out of one
    allocation (large ones go straight to the OS and back, so vocoding chunk after chunk does
    not fragment the heap). Positions-major: ``N = B * G`` rows, one per position. ``cols``
    holds, side by side, what an input layer's product reads: the hidden state shifted by each
    tap (or its depthwise convolution), then the conditioning (copied in once). ``audio_cols``:
    the taps of the shifted ``[audio; 1]`` of a first layer folded with the start layer.

    ``spect``: the conditioning, ``[B, n_cond, G]``, or for the upsampled mel the ungrouped view
    ``[B, n_mel, G, n_group]`` (:meth:`WaveGlow._conditioning`).
    """

    def __init__(self, config: WaveGlowConfig, spect: torch.Tensor, dtype: torch.dtype, audio_taps: int) -> None:
        batch, groups = spect.size(0), spect.size(2)
        n_cond, n, k = config.n_cond_channels, config.n_channels, config.kernel_size
        self.batch, self.groups, self.n_channels, self.kernel_size = batch, groups, n, k
        size = batch * groups
        self.taps = taps = n if config.depthwise else k * n
        widths = [taps + n_cond, audio_taps, n if config.depthwise else 0, 2 * n, n]
        flat = torch.empty(sum(widths) * size, dtype=dtype, device=spect.device)
        self.cols, self.audio_cols, hidden, self.pre, self.gate = (
            part.view(size, w) for part, w in zip(flat.split([w * size for w in widths]), widths)
        )
        block = self.cols[:, taps:]
        if spect.dim() == 4:  # [B, n_mel, G, n_group] -> columns (mel channel, sample in group)
            block.view(batch, groups, spect.size(1), spect.size(3)).copy_(spect.permute(0, 2, 1, 3))
        else:
            block.view(batch, groups, n_cond).copy_(spect.transpose(1, 2))
        centre = (k - 1) // 2
        self.hidden = hidden if config.depthwise else self.cols[:, centre * n : (centre + 1) * n]


def _shifted_copy(dst: torch.Tensor, src: torch.Tensor | float, offset: int) -> None:
    """``dst[:, t] = src[:, t + offset]`` along the positions axis (1) of ``[B, G, ...]``
    views, zero where out of range (``src`` a tensor shaped like ``dst``, or a constant)."""
    length = dst.size(1)
    if abs(offset) >= length:
        dst.zero_()
        return
    inside = dst[:, max(0, -offset) : length - max(0, offset)]
    if isinstance(src, torch.Tensor):
        inside.copy_(src[:, max(0, offset) : length + min(0, offset)])
    else:
        inside.fill_(src)
    dst[:, : max(0, -offset)].zero_()
    dst[:, length - max(0, offset) :].zero_()


def _wn_inference(pack: _PackedWN, audio: torch.Tensor, ws: _Workspace) -> torch.Tensor:
    """:meth:`WN.forward` for ``audio`` ``[n_in, B * G]`` (the conditioning is in ``ws``):
    ``[2 n_in, B * G]``. One :class:`Linear` per input layer (taps and conditioning together,
    biases included) and per residual, on positions-major buffers allocated once; the skip
    outputs go straight through the end layer."""
    n, k, b, g = ws.n_channels, ws.kernel_size, ws.batch, ws.groups
    centre = (k - 1) // 2
    cols, gate, hidden = ws.cols, ws.gate, ws.hidden
    h = hidden.view(b, g, n)
    out = pack.end_b.expand(pack.end_b.size(0), audio.size(1)).clone()
    torch.addmm(pack.start_b, audio.t(), pack.start_w.t(), out=hidden)
    for i, in_layer in enumerate(pack.in_layers):
        dilation = 2**i
        if in_layer is None:  # the first layer, folded with the start layer
            assert pack.first_cond is not None and pack.first_audio_w is not None
            n_in = audio.size(0)
            taps = ws.audio_cols[:, : k * (n_in + 1)]
            x, shifted = audio.t().view(b, g, n_in), taps.view(b, g, k, n_in + 1)
            for j in range(k):
                _shifted_copy(shifted[:, :, j, :n_in], x, (j - centre) * dilation)
                _shifted_copy(shifted[:, :, j, n_in], 1.0, (j - centre) * dilation)
            pre = pack.first_cond(cols[:, ws.taps :], ws.pre)
            pre.addmm_(taps, pack.first_audio_w.t())
        else:
            if pack.dw_w is not None:
                dw_w, dw = pack.dw_w[i], cols[:, :n].view(b, g, n)
                torch.mul(h, dw_w[centre], out=dw)
                for j in range(k):
                    offset = (j - centre) * dilation
                    if j == centre or abs(offset) >= g:
                        continue
                    inside = dw[:, max(0, -offset) : g - max(0, offset)]
                    inside.addcmul_(h[:, max(0, offset) : g + min(0, offset)], dw_w[j])
            else:
                for j in range(k):
                    if j != centre:
                        _shifted_copy(cols[:, j * n : (j + 1) * n].view(b, g, n), h, (j - centre) * dilation)
            pre = in_layer(cols, ws.pre)
        # The gate tanh(a) * sigmoid(b), from pre = [-2a | b] (packed so): tanh(a) is
        # 1 - 2 sigmoid(-2a), so one sigmoid over the contiguous buffer and one fused product
        # (tanh measured 3x slower than sigmoid per element on a Zen 4 CPU).
        pre.sigmoid_()
        torch.addcmul(pre[:, n:], pre[:, :n], pre[:, n:], value=-2.0, out=gate)
        if i < len(pack.res):
            pack.res[i].accumulate(gate, hidden)
        out.addmm_(pack.skip_end_w[i], gate.t())
    return out


class WaveGlow(nn.Module):
    """The WaveGlow vocoder.

    Shapes: mel ``[B, n_mel_channels, frames]``; audio ``[B, T]`` with ``T`` a multiple of
    ``n_group``; ``z`` ``[B, n_group, T / n_group]`` (early outputs first, in flow order).
    """

    def __init__(self, config: WaveGlowConfig = WaveGlowConfig()) -> None:
        super().__init__()
        self.config = config
        c = config
        if c.mel_conditioning == "upsampled":
            self.upsample = nn.ConvTranspose1d(
                c.n_mel_channels, c.n_mel_channels, c.upsample_kernel_size, stride=c.upsample_stride
            )
        self.WN = nn.ModuleList()
        self.convinv = nn.ModuleList()
        remaining = c.n_group
        for k in range(c.n_flows):
            if self._emits_early(k):
                remaining -= c.n_early_size
            self.convinv.append(Invertible1x1Conv(remaining))
            self.WN.append(WN(remaining // 2, c.n_cond_channels, c.n_layers, c.n_channels, c.kernel_size, c.depthwise))

    # Inference (no autograd) takes the fast path of :meth:`_reverse_fast`; False forces the
    # plain one, which is what training, tracing and export use anyway.
    fast_inference: bool = True
    # The products of the fast path (:class:`Linear`); None: fp32 :class:`PackedLinear`.
    # ``vocoder.quantize`` sets its int8 one on the copy it returns.
    fast_linear: LinearFactory | None = None

    def flow(self, k: int) -> tuple[WN, Invertible1x1Conv]:
        """The coupling network and the 1x1 convolution of flow ``k``."""
        wn = self.WN[k]
        assert isinstance(wn, WN)
        # No isinstance check on the 1x1 convolution: an export swaps in one with a fixed inverse.
        return wn, cast(Invertible1x1Conv, self.convinv[k])

    def _emits_early(self, k: int) -> bool:
        return k > 0 and k % self.config.n_early_every == 0

    def condition(self, mel: torch.Tensor, n_samples: int) -> torch.Tensor:
        """The conditioning of ``n_samples`` of audio from ``mel`` ``[B, n_mel, frames]``:
        ``[B, n_cond_channels, n_samples / n_group]``."""
        spect = self._conditioning(mel, n_samples)
        if spect.dim() == 3:
            return spect
        batch, n_mel, groups, n_group = spect.shape
        # [B, n_mel, G, n_group] -> [B, G, n_mel, n_group] -> [B, n_mel * n_group, G]
        return spect.permute(0, 2, 1, 3).reshape(batch, groups, n_mel * n_group).transpose(1, 2)

    def _conditioning(self, mel: torch.Tensor, n_samples: int) -> torch.Tensor:
        """:meth:`condition` before the grouping copy: ``[B, n_mel, G]`` interpolated, or the
        upsampled mel as a view ``[B, n_mel, G, n_group]``."""
        c = self.config
        if mel.dim() != 3 or mel.size(1) != c.n_mel_channels:
            raise ValueError(f"mel must have shape [batch, {c.n_mel_channels}, frames], got {tuple(mel.shape)}")
        if c.mel_conditioning == "interpolated":
            return self._interpolate(mel, n_samples)
        spect = self.upsample(mel)
        if spect.size(2) < n_samples:
            raise ValueError(
                f"{mel.size(2)} mel frames cover at most {spect.size(2)} samples, {n_samples} were asked for"
            )
        # Splitting the (unit-stride) time axis is a view, as unfold would be; unlike unfold it
        # also exports to ONNX with the time axis dynamic.
        return spect[:, :, :n_samples].reshape(spect.size(0), spect.size(1), -1, c.n_group)

    def _interpolate(self, mel: torch.Tensor, n_samples: int) -> torch.Tensor:
        """The mel at the centre of each group of samples, by linear interpolation between frames
        (frame ``i`` is centred on sample ``i * hop``): ``[B, n_mel, n_samples / n_group]``."""
        c = self.config
        frames = mel.size(2)
        if n_samples > frames * c.upsample_stride:
            raise ValueError(
                f"{frames} mel frames cover at most {frames * c.upsample_stride} samples, {n_samples} were asked for"
            )
        n_groups = n_samples // c.n_group
        centres = (torch.arange(n_groups, device=mel.device, dtype=torch.float64) + 0.5) * c.n_group
        position = (centres / c.upsample_stride).clamp(max=frames - 1)
        left = position.floor().long()
        right = (left + 1).clamp(max=frames - 1)
        frac = (position - left).to(mel.dtype)
        return mel[:, :, left] * (1 - frac) + mel[:, :, right] * frac

    def forward(
        self, mel: torch.Tensor, audio: torch.Tensor
    ) -> tuple[torch.Tensor, list[torch.Tensor], list[torch.Tensor]]:
        """Map audio to the latent ``z``.

        Args:
            mel: ``[B, n_mel_channels, frames]``, covering at least the audio.
            audio: ``[B, T]``, ``T`` a multiple of ``n_group``.

        Returns:
            ``(z, log_s_list, log_det_W_list)``: ``z`` ``[B, n_group, T / n_group]``; per flow the
            coupling log-scales ``[B, half, T / n_group]`` and the 1x1 convolution's log-determinant.
        """
        c = self.config
        if audio.dim() != 2 or audio.size(1) % c.n_group:
            raise ValueError(
                f"audio must have shape [batch, T] with T a multiple of n_group={c.n_group}, got {tuple(audio.shape)}"
            )
        spect = self.condition(mel, audio.size(1))
        x = audio.unfold(1, c.n_group, c.n_group).transpose(1, 2)
        early: list[torch.Tensor] = []
        log_s_list: list[torch.Tensor] = []
        log_det_w_list: list[torch.Tensor] = []
        for k in range(c.n_flows):
            if self._emits_early(k):
                early.append(x[:, : c.n_early_size])
                x = x[:, c.n_early_size :]
            wn, convinv = self.flow(k)
            x, log_det_w = convinv(x)
            log_det_w_list.append(log_det_w)
            half = x.size(1) // 2
            x_a, x_b = x[:, :half], x[:, half:]
            out = wn(x_a, spect)
            shift, log_s = out[:, :half], out[:, half:]
            x = torch.cat([x_a, torch.exp(log_s) * x_b + shift], dim=1)
            log_s_list.append(log_s)
        return torch.cat(early + [x], dim=1), log_s_list, log_det_w_list

    def reverse(self, mel: torch.Tensor, z: torch.Tensor) -> torch.Tensor:
        """Invert :meth:`forward`: ``z`` ``[B, n_group, G]`` and its mel -> audio ``[B, G * n_group]``."""
        c = self.config
        if z.dim() != 3 or z.size(1) != c.n_group:
            raise ValueError(f"z must have shape [batch, {c.n_group}, groups], got {tuple(z.shape)}")
        if self.fast_inference and _inference_only():
            return self._reverse_fast(mel, z)
        spect = self.condition(mel, z.size(2) * c.n_group).to(z.dtype)
        n_early = c.n_early_size * c.n_early_outputs
        early, x = z[:, :n_early], z[:, n_early:]
        for k in reversed(range(c.n_flows)):
            half = x.size(1) // 2
            x_a, x_b = x[:, :half], x[:, half:]
            wn, convinv = self.flow(k)
            out = wn(x_a, spect)
            shift, log_s = out[:, :half], out[:, half:]
            x = torch.cat([x_a, (x_b - shift) * torch.exp(-log_s)], dim=1)
            x = convinv.inverse(x)
            if self._emits_early(k):
                x = torch.cat([early[:, -c.n_early_size :], x], dim=1)
                early = early[:, : -c.n_early_size]
        return x.transpose(1, 2).reshape(x.size(0), -1)

    def _reverse_fast(self, mel: torch.Tensor, z: torch.Tensor) -> torch.Tensor:
        """:meth:`reverse` without autograd, the same result to float rounding: the flows work on
        one ``[n_group, B * G]`` buffer in place (the channels leaving early are already where
        they rejoin, so nothing is concatenated) and each WN runs as :func:`_wn_inference`."""
        c = self.config
        batch, _, groups = z.shape
        x_all = z.transpose(0, 1).reshape(c.n_group, batch * groups).clone()
        packs = [self.flow(k)[0].packed(self.fast_linear) for k in range(c.n_flows)]
        audio_taps = [c.kernel_size * (p.start_w.size(1) + 1) for p in packs if p.first_cond is not None]
        ws = _Workspace(c, self._conditioning(mel, groups * c.n_group), z.dtype, max(audio_taps, default=0))
        start = c.n_early_size * c.n_early_outputs
        for k in reversed(range(c.n_flows)):
            x = x_all[start:]
            half = x.size(0) // 2
            out = _wn_inference(packs[k], x[:half], ws)
            shift, log_s = out[:half], out[half:]
            x[half:].sub_(shift).mul_(log_s.neg_().exp_())
            x.copy_(torch.mm(self.flow(k)[1].inverse_weight()[:, :, 0].to(x.dtype), x))
            if self._emits_early(k):
                start -= c.n_early_size
        return x_all.view(c.n_group, batch, groups).permute(1, 2, 0).reshape(batch, -1)

    @torch.no_grad()
    def infer(self, mel: torch.Tensor, sigma: float = 0.666, generator: torch.Generator | None = None) -> torch.Tensor:
        """Synthesise audio from ``mel`` ``[B, n_mel_channels, frames]`` -> ``[B, frames * hop]``.

        ``sigma`` scales the sampled latent (0.666 is the paper's choice at synthesis); a
        ``torch.Generator`` makes the result reproducible. The samples are not clipped.
        """
        c = self.config
        n_samples = mel.size(2) * c.upsample_stride
        shape = (mel.size(0), c.n_group, n_samples // c.n_group)
        device = generator.device if generator is not None else mel.device
        z = torch.randn(shape, generator=generator, device=device, dtype=torch.float32)
        dtype = self.flow(0)[0].start.weight_g.dtype
        z = (sigma * z).to(device=mel.device, dtype=dtype)
        # inference_mode skips autograd's bookkeeping (a few % on small models); the copy out of
        # it returns an ordinary tensor, which callers may modify in place.
        with torch.inference_mode():
            audio = self.reverse(mel.to(dtype), z)
        return audio.clone()

    def log_prob(self, mel: torch.Tensor, audio: torch.Tensor, sigma: float = 1.0) -> torch.Tensor:
        """Exact log-likelihood ``log p(audio | mel)`` in nats, per item: ``[B]``.

        Includes the Gaussian normalisation constant that :class:`WaveGlowLoss` leaves out.
        """
        z, log_s_list, log_det_w_list = self(mel, audio)
        batch = z.size(0)
        log_det = sum(log_s.sum(dim=(1, 2)) for log_s in log_s_list)
        log_det = log_det + sum(log_det_w_list) / batch
        gauss = -(z * z).sum(dim=(1, 2)) / (2 * sigma**2) - z[0].numel() * math.log(sigma * math.sqrt(2 * math.pi))
        return gauss + log_det


class WaveGlowLoss(nn.Module):
    """Negative log-likelihood of the paper, normalised as the reference does: per element of
    ``z``, without the constant ``log(sigma * sqrt(2 pi))`` term."""

    def __init__(self, sigma: float = 1.0) -> None:
        super().__init__()
        self.sigma = sigma

    def forward(self, model_output: tuple[torch.Tensor, list[torch.Tensor], list[torch.Tensor]]) -> torch.Tensor:
        z, log_s_list, log_det_w_list = model_output
        log_s_total = sum(log_s.sum() for log_s in log_s_list)
        log_det_w_total = sum(log_det_w_list)
        nll = (z * z).sum() / (2 * self.sigma**2) - log_s_total - log_det_w_total
        return nll / z.numel()
