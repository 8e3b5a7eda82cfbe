"""Tacotron2 training loss: the reference's MSE + MSE + BCE, plus an optional guided attention term.

The guided attention loss (Tachibana et al., 2017, "Efficiently trainable text-to-speech system
based on deep convolutional networks with guided attention") penalises attention far from the
diagonal of the (decoder step, symbol) plane. It makes small corpora and new languages align in
hundreds instead of tens of thousands of steps; its weight decays so that it does not fight the
natural, not quite linear, alignment later in training.
"""

from __future__ import annotations

from typing import NamedTuple

import torch
from torch import Tensor, nn
from torch.nn import functional as F

from acoustic.model import Tacotron2Config, Tacotron2Output, lengths_to_mask


class LossTerms(NamedTuple):
    """The loss and its parts (B: batch); back-propagate ``total``."""

    total: Tensor  # mel + mel_postnet + gate + guided_attention_scale(step) * guided_attention
    mel: Tensor  # MSE of the decoder mel
    mel_postnet: Tensor  # MSE of the postnet mel
    gate: Tensor  # BCE of the stop logits
    guided_attention: Tensor  # unweighted guided attention penalty (a useful alignment gauge)


def gate_targets(mel_lengths: Tensor, n_frames_per_step: int, n_steps: int) -> Tensor:
    """(B,) frame counts -> (B, S) float targets: 1 from the step holding the last frame on."""
    last_step = (mel_lengths + n_frames_per_step - 1) // n_frames_per_step - 1
    return (torch.arange(n_steps, device=mel_lengths.device).unsqueeze(0) >= last_step.unsqueeze(1)).float()


def guided_attention_weights(
    text_lengths: Tensor, step_lengths: Tensor, n_steps: int, n_symbols: int, sigma: float
) -> Tensor:
    """Penalty ``1 - exp(-(n/N - s/S)^2 / (2 sigma^2))`` per item, zero outside (S_i, N_i).

    Args:
        text_lengths: (B,) symbols N_i; step_lengths: (B,) decoder steps S_i.
        n_steps, n_symbols: padded sizes of the (B, n_steps, n_symbols) result.
    """
    s = torch.arange(n_steps, device=text_lengths.device).view(1, -1, 1)
    n = torch.arange(n_symbols, device=text_lengths.device).view(1, 1, -1)
    distance = n / text_lengths.view(-1, 1, 1).float() - s / step_lengths.view(-1, 1, 1).float()
    weights = 1.0 - torch.exp(-distance.square() / (2.0 * sigma**2))
    valid = lengths_to_mask(step_lengths, n_steps).unsqueeze(2) & lengths_to_mask(text_lengths, n_symbols).unsqueeze(1)
    return weights * valid


class Tacotron2Loss(nn.Module):
    """MSE(mel) + MSE(postnet mel) + BCE(gate) [+ decaying guided attention], per the config.

    With ``gate_positive_weight`` 1 and ``guided_attention_weight`` 0 (the defaults) this is the
    reference loss.
    The MSE terms average over the whole padded batch, as the reference does (padding contributes
    zero error when ``mask_padding`` is on, because outputs and targets are both zero there).
    """

    def __init__(self, config: Tacotron2Config):
        super().__init__()
        self.config = config

    def guided_attention_scale(self, step: int) -> float:
        """Weight of the guided attention term at training step ``step``."""
        config = self.config
        return config.guided_attention_weight * 0.5 ** (step / config.guided_attention_half_life)

    def forward(
        self, outputs: Tacotron2Output, mels: Tensor, mel_lengths: Tensor, text_lengths: Tensor, step: int = 0
    ) -> LossTerms:
        """Loss of a teacher-forced pass.

        Args:
            outputs: what :meth:`Tacotron2.forward` returned for this batch.
            mels: (B, M, T) targets (as given to the model); mel_lengths: (B,) frames.
            text_lengths: (B,) symbols per item.
            step: global training step, for the guided attention decay.
        """
        r = self.config.n_frames_per_step
        n_steps = outputs.gate.size(1)
        target = mels.masked_fill(~lengths_to_mask(mel_lengths, mels.size(2)).unsqueeze(1), 0.0)
        mel_loss = F.mse_loss(outputs.mel, target)
        postnet_loss = F.mse_loss(outputs.mel_postnet, target)
        gate_loss = F.binary_cross_entropy_with_logits(
            outputs.gate,
            gate_targets(mel_lengths, r, n_steps),
            pos_weight=outputs.gate.new_tensor(self.config.gate_positive_weight),
        )
        step_lengths = (mel_lengths + r - 1) // r
        penalty = guided_attention_weights(
            text_lengths, step_lengths, n_steps, outputs.alignments.size(2), self.config.guided_attention_sigma
        )
        guided = (outputs.alignments * penalty).sum() / step_lengths.sum()
        total = mel_loss + postnet_loss + gate_loss
        scale = self.guided_attention_scale(step)
        if scale > 0:
            total = total + scale * guided
        return LossTerms(total, mel_loss, postnet_loss, gate_loss, guided)
