"""Stand-ins for NVIDIA's ``glow`` module, to build NVIDIA-format checkpoint fixtures in the tests.

The classes below are written for these tests (nothing of NVIDIA's is imported or downloaded):
they have NVIDIA's class, module, attribute and parameter names, use ``torch.nn.utils.weight_norm``
as NVIDIA's code does, and compute the reference forward pass independently of ``vocoder``, so a
file saved from them is what NVIDIA's ``train.py`` writes, and their output is a second opinion on
ours. Three layouts exist in the wild:

* ``current``: fused ``res_skip_layers`` and one ``cond_layer`` (glow.py today);
* ``old``: separate ``res_layers`` / ``skip_layers`` and per-layer ``cond_layers``
  (the first release, what ``convert_model.py`` upgrades);
* ``dle``: fused ``res_skip_layers`` but per-layer ``cond_layers`` (DeepLearningExamples).
"""

from __future__ import annotations

import sys
import types
import warnings

import pytest
import torch
from torch import nn

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from torch.nn.utils import weight_norm as _weight_norm


def _wn(conv: nn.Conv1d) -> nn.Conv1d:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return _weight_norm(conv, name="weight")


def make_glow_module(layout: str) -> types.ModuleType:
    """A module named ``glow`` holding WaveGlow / WN / Invertible1x1Conv stand-ins."""
    module = types.ModuleType("glow")

    class Invertible1x1Conv(nn.Module):
        def __init__(self, c: int) -> None:
            super().__init__()
            self.conv = nn.Conv1d(c, c, kernel_size=1, bias=False)
            w = torch.linalg.qr(torch.randn(c, c))[0]
            if torch.det(w) < 0:
                w[:, 0] *= -1
            self.conv.weight.data = w.unsqueeze(-1)

        def forward(self, z):
            return self.conv(z)

    class WN(nn.Module):
        def __init__(self, n_in, n_cond, n_layers, n_channels, kernel_size):
            super().__init__()
            self.n_layers, self.n_channels = n_layers, n_channels
            self.start = _wn(nn.Conv1d(n_in, n_channels, 1))
            self.end = nn.Conv1d(n_channels, 2 * n_in, 1)
            self.in_layers = nn.ModuleList()
            if layout == "current":
                self.cond_layer = _wn(nn.Conv1d(n_cond, 2 * n_channels * n_layers, 1))
            else:
                self.cond_layers = nn.ModuleList(_wn(nn.Conv1d(n_cond, 2 * n_channels, 1)) for _ in range(n_layers))
            if layout == "old":
                self.res_layers = nn.ModuleList(_wn(nn.Conv1d(n_channels, n_channels, 1)) for _ in range(n_layers - 1))
                self.skip_layers = nn.ModuleList(_wn(nn.Conv1d(n_channels, n_channels, 1)) for _ in range(n_layers))
            else:
                self.res_skip_layers = nn.ModuleList(
                    _wn(nn.Conv1d(n_channels, 2 * n_channels if i < n_layers - 1 else n_channels, 1))
                    for i in range(n_layers)
                )
            for i in range(n_layers):
                d = 2**i
                self.in_layers.append(
                    _wn(
                        nn.Conv1d(
                            n_channels, 2 * n_channels, kernel_size, dilation=d, padding=d * (kernel_size - 1) // 2
                        )
                    )
                )

        def forward(self, audio, spect):
            h = self.start(audio)
            out = 0
            n = self.n_channels
            for i in range(self.n_layers):
                if layout == "current":
                    cond = self.cond_layer(spect)[:, 2 * n * i : 2 * n * (i + 1)]
                else:
                    cond = self.cond_layers[i](spect)
                a = self.in_layers[i](h) + cond
                acts = torch.tanh(a[:, :n]) * torch.sigmoid(a[:, n:])
                if layout == "old":
                    if i < self.n_layers - 1:
                        h = h + self.res_layers[i](acts)
                    out = out + self.skip_layers[i](acts)
                else:
                    rs = self.res_skip_layers[i](acts)
                    if i < self.n_layers - 1:
                        h = h + rs[:, :n]
                        out = out + rs[:, n:]
                    else:
                        out = out + rs
            return self.end(out)

    class WaveGlow(nn.Module):
        def __init__(self, n_mel_channels, n_flows, n_group, n_early_every, n_early_size, WN_config):
            super().__init__()
            self.upsample = nn.ConvTranspose1d(n_mel_channels, n_mel_channels, 1024, stride=256)
            self.n_flows, self.n_group = n_flows, n_group
            self.n_early_every, self.n_early_size = n_early_every, n_early_size
            self.WN, self.convinv = nn.ModuleList(), nn.ModuleList()
            remaining = n_group
            for k in range(n_flows):
                if k > 0 and k % n_early_every == 0:
                    remaining -= n_early_size
                self.convinv.append(Invertible1x1Conv(remaining))
                self.WN.append(WN(remaining // 2, n_mel_channels * n_group, **WN_config))
            self.n_remaining_channels = remaining

        def forward(self, spect, audio):
            """Reference forward: returns z only."""
            spect = self.upsample(spect)[:, :, : audio.size(1)]
            b, m, t = spect.shape
            g = self.n_group
            spect = spect.reshape(b, m, t // g, g).permute(0, 1, 3, 2).reshape(b, m * g, t // g)
            x = audio.reshape(b, t // g, g).transpose(1, 2)
            outs = []
            for k in range(self.n_flows):
                if k > 0 and k % self.n_early_every == 0:
                    outs.append(x[:, : self.n_early_size])
                    x = x[:, self.n_early_size :]
                x = self.convinv[k](x)
                h = x.size(1) // 2
                o = self.WN[k](x[:, :h], spect)
                x = torch.cat([x[:, :h], torch.exp(o[:, h:]) * x[:, h:] + o[:, :h]], 1)
            return torch.cat(outs + [x], 1)

    for cls in (Invertible1x1Conv, WN, WaveGlow):
        cls.__module__ = "glow"
        cls.__qualname__ = cls.__name__
        setattr(module, cls.__name__, cls)
    return module


@pytest.fixture
def glow_module(monkeypatch):
    """Factory: install a stand-in ``glow`` module in sys.modules (for saving) and return it."""

    def install(layout: str = "current") -> types.ModuleType:
        module = make_glow_module(layout)
        monkeypatch.setitem(sys.modules, "glow", module)
        return module

    return install
