"""Removing WaveGlow's bias hiss by spectral subtraction (as NVIDIA's ``denoiser.py``)."""

from __future__ import annotations

import torch
from torch import nn

from vocoder.waveglow import WaveGlow

# The all-zero mel whose WaveGlow output is the bias: NVIDIA's length (frames). The ONNX export
# records it in the vocoder graph, so the torch-free runtime's denoiser renders the same bias.
BIAS_FRAMES = 88


class Denoiser(nn.Module):
    """Subtract ``strength`` times the model's bias spectrum from synthesized audio.

    The bias spectrum is the STFT magnitude of what the model produces for an all-zero mel with
    ``sigma = 0`` (its first frame), computed once at construction. Audio is processed on
    whatever device it is on; the bias follows with ``.to()``.

    Args:
        model: the WaveGlow whose output is to be cleaned.
        strength: default subtraction factor (``forward`` can override it; NVIDIA's 0.1); 0
            disables. Synthesis (``tts synth``, ``Voice``) passes its own, default
            :data:`tts.vocoding.DEFAULT_DENOISE`.
        filter_length, hop_length, win_length: the STFT used for the subtraction.
    """

    window: torch.Tensor  # buffers, registered in __init__
    bias_spec: torch.Tensor

    def __init__(
        self,
        model: WaveGlow,
        strength: float = 0.1,
        filter_length: int = 1024,
        hop_length: int = 256,
        win_length: int = 1024,
    ) -> None:
        super().__init__()
        self.strength = strength
        self.filter_length = filter_length
        self.hop_length = hop_length
        self.win_length = win_length
        weight = model.flow(0)[0].start.weight_g
        self.register_buffer("window", torch.hann_window(win_length, device=weight.device))
        zeros = torch.zeros(1, model.config.n_mel_channels, BIAS_FRAMES, dtype=weight.dtype, device=weight.device)
        bias_audio = model.infer(zeros, sigma=0.0).float()
        bias_spec, _ = self._stft(bias_audio)
        self.register_buffer("bias_spec", bias_spec[:, :, :1])

    def _stft(self, audio: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        spec = torch.stft(
            audio,
            self.filter_length,
            self.hop_length,
            self.win_length,
            window=self.window.to(audio.device),
            center=True,
            pad_mode="reflect",
            return_complex=True,
        )
        return spec.abs(), spec.angle()

    @torch.no_grad()
    def forward(self, audio: torch.Tensor, strength: float | None = None) -> torch.Tensor:
        """``audio`` ``[B, T]`` (or ``[T]``) -> denoised audio of the same shape, float32."""
        strength = self.strength if strength is None else strength
        squeeze = audio.dim() == 1
        audio = audio.float().reshape(-1, audio.size(-1))
        magnitude, phase = self._stft(audio)
        magnitude = torch.clamp(magnitude - self.bias_spec.to(audio.device) * strength, min=0.0)
        denoised = torch.istft(
            torch.polar(magnitude, phase),
            self.filter_length,
            self.hop_length,
            self.win_length,
            window=self.window.to(audio.device),
            center=True,
            length=audio.size(-1),
        )
        return denoised.squeeze(0) if squeeze else denoised
