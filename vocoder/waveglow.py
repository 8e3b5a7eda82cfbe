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

import math
from dataclasses import dataclass

import torch
from torch import nn
from torch.nn import functional as F

from tts.config import DictConfig


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
        if self.upsample_stride <= 0 or self.upsample_kernel_size < self.upsample_stride:
            raise ValueError("need upsample_kernel_size >= upsample_stride > 0")
        if self.upsample_stride % self.n_group:
            raise ValueError(
                f"upsample_stride ({self.upsample_stride}) must be a multiple of n_group ({self.n_group})"
            )

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
            with torch.no_grad():
                self._folded = g * v / _norm_per_output_channel(v)
            self._folded_key = key
        return self._folded

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self._conv_forward(x, self.folded_weight(), self.bias)


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
        """``W^-1 z`` for ``z`` of shape ``[B, C, G]``."""
        return F.conv1d(z, self.inverse_weight().to(z.dtype))

    def inverse_weight(self) -> torch.Tensor:
        """``W^-1`` as a ``[C, C, 1]`` kernel, cached until the weight changes."""
        w = self.conv.weight
        key = (w.data_ptr(), w._version, w.dtype, w.device)
        if key != self._inverse_key:
            with torch.no_grad():
                self._inverse = torch.linalg.inv(w.squeeze(-1).double()).to(w.dtype).unsqueeze(-1)
            self._inverse_key = key
        return self._inverse


class WN(nn.Module):
    """The coupling network: non-causal WaveNet with dilations ``2**i``, gated tanh·sigmoid units,
    fused residual/skip 1x1 layers and one 1x1 conditioning layer for all layers.

    Args:
        n_in_channels: channels of the half of the audio groups it reads.
        n_mel_channels: channels of the grouped, upsampled mel (``n_mel * n_group``).
    """

    def __init__(
        self, n_in_channels: int, n_mel_channels: int, n_layers: int, n_channels: int, kernel_size: int
    ) -> None:
        super().__init__()
        self.n_layers = n_layers
        self.n_channels = n_channels
        self.start = WeightNormConv1d(n_in_channels, n_channels, 1)
        self.cond_layer = WeightNormConv1d(n_mel_channels, 2 * n_channels * n_layers, 1)
        self.in_layers = nn.ModuleList()
        self.res_skip_layers = nn.ModuleList()
        for i in range(n_layers):
            dilation = 2**i
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
        nn.init.zeros_(self.end.bias)

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


class WaveGlow(nn.Module):
    """The WaveGlow vocoder.

    Shapes: mel ``[B, n_mel_channels, frames]``; audio ``[B, T]`` with ``T`` a multiple of
    ``n_group``; ``z`` ``[B, n_group, T / n_group]`` (early outputs first, in flow order).
    """

    def __init__(self, config: WaveGlowConfig = WaveGlowConfig()) -> None:
        super().__init__()
        self.config = config
        c = config
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
            self.WN.append(
                WN(remaining // 2, c.n_mel_channels * c.n_group, c.n_layers, c.n_channels, c.kernel_size)
            )

    def _emits_early(self, k: int) -> bool:
        return k > 0 and k % self.config.n_early_every == 0

    def condition(self, mel: torch.Tensor, n_samples: int) -> torch.Tensor:
        """Upsample ``mel`` ``[B, n_mel, frames]`` to ``n_samples`` and group it:
        ``[B, n_mel * n_group, n_samples / n_group]``."""
        c = self.config
        if mel.dim() != 3 or mel.size(1) != c.n_mel_channels:
            raise ValueError(
                f"mel must have shape [batch, {c.n_mel_channels}, frames], got {tuple(mel.shape)}"
            )
        spect = self.upsample(mel)
        if spect.size(2) < n_samples:
            raise ValueError(
                f"{mel.size(2)} mel frames cover at most {spect.size(2)} samples, "
                f"{n_samples} were asked for"
            )
        spect = spect[:, :, :n_samples]
        batch, n_mel, _ = spect.shape
        # [B, n_mel, G, n_group] -> [B, G, n_mel, n_group] -> [B, n_mel * n_group, G]
        spect = spect.unfold(2, c.n_group, c.n_group).permute(0, 2, 1, 3)
        return spect.reshape(batch, spect.size(1), n_mel * c.n_group).transpose(1, 2)

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
                f"audio must have shape [batch, T] with T a multiple of n_group={c.n_group}, "
                f"got {tuple(audio.shape)}"
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
            x, log_det_w = self.convinv[k](x)
            log_det_w_list.append(log_det_w)
            half = x.size(1) // 2
            x_a, x_b = x[:, :half], x[:, half:]
            out = self.WN[k](x_a, spect)
            shift, log_s = out[:, :half], out[:, half:]
            x = torch.cat([x_a, torch.exp(log_s) * x_b + shift], dim=1)
            log_s_list.append(log_s)
        return torch.cat(early + [x], dim=1), log_s_list, log_det_w_list

    def reverse(self, mel: torch.Tensor, z: torch.Tensor) -> torch.Tensor:
        """Invert :meth:`forward`: ``z`` ``[B, n_group, G]`` and its mel -> audio ``[B, G * n_group]``."""
        c = self.config
        if z.dim() != 3 or z.size(1) != c.n_group:
            raise ValueError(f"z must have shape [batch, {c.n_group}, groups], got {tuple(z.shape)}")
        spect = self.condition(mel, z.size(2) * c.n_group).to(z.dtype)
        n_early = c.n_early_size * c.n_early_outputs
        early, x = z[:, :n_early], z[:, n_early:]
        for k in reversed(range(c.n_flows)):
            half = x.size(1) // 2
            x_a, x_b = x[:, :half], x[:, half:]
            out = self.WN[k](x_a, spect)
            shift, log_s = out[:, :half], out[:, half:]
            x = torch.cat([x_a, (x_b - shift) * torch.exp(-log_s)], dim=1)
            x = self.convinv[k].inverse(x)
            if self._emits_early(k):
                x = torch.cat([early[:, -c.n_early_size :], x], dim=1)
                early = early[:, : -c.n_early_size]
        return x.transpose(1, 2).reshape(x.size(0), -1)

    @torch.no_grad()
    def infer(
        self, mel: torch.Tensor, sigma: float = 0.666, generator: torch.Generator | None = None
    ) -> torch.Tensor:
        """Synthesise audio from ``mel`` ``[B, n_mel_channels, frames]`` -> ``[B, frames * hop]``.

        ``sigma`` scales the sampled latent (0.666 is the paper's choice at synthesis); a
        ``torch.Generator`` makes the result reproducible. The samples are not clipped.
        """
        c = self.config
        n_samples = mel.size(2) * c.upsample_stride
        shape = (mel.size(0), c.n_group, n_samples // c.n_group)
        device = generator.device if generator is not None else mel.device
        z = torch.randn(shape, generator=generator, device=device, dtype=torch.float32)
        dtype = self.upsample.weight.dtype
        z = (sigma * z).to(device=mel.device, dtype=dtype)
        return self.reverse(mel.to(dtype), z)

    def log_prob(self, mel: torch.Tensor, audio: torch.Tensor, sigma: float = 1.0) -> torch.Tensor:
        """Exact log-likelihood ``log p(audio | mel)`` in nats, per item: ``[B]``.

        Includes the Gaussian normalisation constant that :class:`WaveGlowLoss` leaves out.
        """
        z, log_s_list, log_det_w_list = self(mel, audio)
        batch = z.size(0)
        log_det = sum(log_s.sum(dim=(1, 2)) for log_s in log_s_list)
        log_det = log_det + sum(log_det_w_list) / batch
        gauss = -(z * z).sum(dim=(1, 2)) / (2 * sigma**2) - z[0].numel() * math.log(
            sigma * math.sqrt(2 * math.pi)
        )
        return gauss + log_det


class WaveGlowLoss(nn.Module):
    """Negative log-likelihood of the paper, normalised as the reference does: per element of
    ``z``, without the constant ``log(sigma * sqrt(2 pi))`` term."""

    def __init__(self, sigma: float = 1.0) -> None:
        super().__init__()
        self.sigma = sigma

    def forward(
        self, model_output: tuple[torch.Tensor, list[torch.Tensor], list[torch.Tensor]]
    ) -> torch.Tensor:
        z, log_s_list, log_det_w_list = model_output
        log_s_total = sum(log_s.sum() for log_s in log_s_list)
        log_det_w_total = sum(log_det_w_list)
        nll = (z * z).sum() / (2 * self.sigma**2) - log_s_total - log_det_w_total
        return nll / z.numel()
