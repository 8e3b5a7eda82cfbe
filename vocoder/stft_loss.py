"""Multi-resolution STFT loss (Yamamoto et al. 2020, Parallel WaveGAN, section 2.3).

WaveGlow is trained by maximum likelihood alone; at a CPU's budget that leaves its samples far
from the reference spectrum. The flow is differentiable in both directions, so samples drawn at the
inference sigma (:meth:`vocoder.WaveGlow.reverse`) can also be pulled towards the reference's
spectrum by this loss while the likelihood term keeps the model a normalising flow.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

# (fft size, hop, window) of Parallel WaveGAN's three resolutions; at 22.05 kHz they span about
# 11-54 ms windows, so both the harmonics and the onsets are seen.
PWG_RESOLUTIONS: tuple[tuple[int, int, int], ...] = ((1024, 120, 600), (2048, 240, 1200), (512, 50, 240))


@dataclass(frozen=True)
class STFTLossTerms:
    """The two terms, each averaged over the resolutions: spectral convergence (relative Frobenius
    error of the magnitudes) and the mean absolute error of the log magnitudes."""

    spectral_convergence: torch.Tensor
    log_magnitude: torch.Tensor

    @property
    def total(self) -> torch.Tensor:
        return self.spectral_convergence + self.log_magnitude


class MultiResolutionSTFTLoss(nn.Module):
    """``loss(predicted [B, T], target [B, T]) -> STFTLossTerms`` (scalars)."""

    def __init__(self, resolutions: tuple[tuple[int, int, int], ...] = PWG_RESOLUTIONS, floor: float = 1e-7) -> None:
        super().__init__()
        if not resolutions:
            raise ValueError("at least one (fft_size, hop, window) resolution is needed")
        for fft_size, hop, window in resolutions:
            if not 0 < hop <= window <= fft_size:
                raise ValueError(f"each resolution needs 0 < hop <= window <= fft_size, got {(fft_size, hop, window)}")
        self.resolutions = tuple(tuple(r) for r in resolutions)
        self.floor = floor
        for i, (_, _, window) in enumerate(self.resolutions):
            self.register_buffer(f"window_{i}", torch.hann_window(window), persistent=False)

    def _magnitude(self, audio: torch.Tensor, i: int) -> torch.Tensor:
        fft_size, hop, window = self.resolutions[i]
        spec = torch.stft(audio, fft_size, hop, window, getattr(self, f"window_{i}"), return_complex=True)
        # The floor keeps the gradient of |X| finite at exact zeros (digital silence).
        return spec.real.square().add(spec.imag.square()).clamp_min(self.floor).sqrt()

    def forward(self, predicted: torch.Tensor, target: torch.Tensor) -> STFTLossTerms:
        if predicted.shape != target.shape or predicted.dim() != 2:
            raise ValueError(
                f"predicted and target must both be [batch, samples], got "
                f"{tuple(predicted.shape)} and {tuple(target.shape)}"
            )
        convergence, log_magnitude = predicted.new_zeros(()), predicted.new_zeros(())
        for i in range(len(self.resolutions)):
            p, t = self._magnitude(predicted, i), self._magnitude(target, i)
            convergence = convergence + torch.linalg.norm(t - p) / torch.linalg.norm(t)
            log_magnitude = log_magnitude + (t.log() - p.log()).abs().mean()
        n = len(self.resolutions)
        return STFTLossTerms(convergence / n, log_magnitude / n)
