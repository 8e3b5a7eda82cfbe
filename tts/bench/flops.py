"""Analytic operation counts, the yardstick of achieved GFLOP/s."""

from __future__ import annotations

from typing import Any

# -- analytic operation counts ---------------------------------------------------------------


def waveglow_flops(config: Any, n_samples: int, batch: int = 1) -> int:
    """Floating-point operations (2 per multiply-add) of every convolution in
    :meth:`vocoder.WaveGlow.reverse` for ``n_samples`` of audio: the mel upsampler (when the
    config has one), and per flow the inverse 1x1 convolution and the coupling network (start,
    conditioning, input layers -- dense or depthwise + pointwise --, residual/skip, end layers).
    Elementwise work (gates, coupling, interpolation) is not counted. This is the reference
    computation; the fast inference path does somewhat fewer operations (it folds the skip
    outputs into the end layer and the start layer into the first input layer), so the achieved
    rate it is divided by is an effective one."""
    c = config
    groups = n_samples // c.n_group
    macs = 0
    if c.mel_conditioning == "upsampled":
        frames = -(-n_samples // c.upsample_stride)
        macs += frames * c.n_mel_channels * c.n_mel_channels * c.upsample_kernel_size
    n, layers, k = c.n_channels, c.n_layers, c.kernel_size
    remaining, per_group = c.n_group, 0
    for flow in range(c.n_flows):
        if flow > 0 and flow % c.n_early_every == 0:
            remaining -= c.n_early_size
        half = remaining // 2
        per_group += remaining * remaining  # inverse 1x1 convolution
        per_group += n * half  # start
        per_group += 2 * n * layers * c.n_cond_channels  # conditioning
        if getattr(c, "depthwise", False):
            per_group += layers * (n * k + 2 * n * n)
        else:
            per_group += layers * 2 * n * n * k
        per_group += (layers - 1) * 2 * n * n + n * n  # residual / skip
        per_group += 2 * half * n  # end
    macs += per_group * groups
    return 2 * macs * batch


def count_parameters(model: Any) -> int:
    return sum(p.numel() for p in model.parameters())
