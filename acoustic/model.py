"""Tacotron2: symbol ids to an 80-band log-mel spectrogram (Shen et al., 2018).

Module and parameter names, initialisation and numerics follow NVIDIA's reference implementation
(github.com/NVIDIA/tacotron2, ``model.py`` / ``layers.py``) so that its state dicts load with no
missing or unexpected keys. Beyond the reference, all behind config fields whose defaults give the
reference behaviour:

* ``n_frames_per_step`` (r) may be greater than 1: each decoder step predicts r frames and one gate.
* optional speaker and language tables whose vectors are projected to the encoder width and added
  to every encoder output (see :class:`Tacotron2`); with none configured the model is the reference.
* batched inference in which every item stops on its own gate, under a step limit that scales with
  the input length, and padding never leaks into an item's result (encoder convolutions, attention
  and postnet see zeros past each item's length), so a padded item equals the item run alone.

Shapes use B (batch), N (input symbols), T (mel frames), S = ceil(T / r) (decoder steps),
M (``n_mel_channels``), E (``encoder_embedding_dim``).
"""

from __future__ import annotations

import dataclasses
import logging
import math
from dataclasses import dataclass
from typing import Literal, NamedTuple

import torch
from torch import Tensor, nn
from torch.nn import functional as F

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Tacotron2Config:
    """Every hyper-parameter of :class:`Tacotron2`.

    Names and defaults are those of NVIDIA's ``hparams.py``; the fields after ``mask_padding`` are
    this project's additions, and their defaults reproduce the reference model.
    """

    # Symbols and mel.
    n_symbols: int = 148  # size of the text frontend's symbol table (148 is NVIDIA's English set)
    symbols_embedding_dim: int = 512
    n_mel_channels: int = 80
    # Encoder: conv stack then a bidirectional LSTM of encoder_embedding_dim // 2 per direction.
    encoder_kernel_size: int = 5
    encoder_n_convolutions: int = 3
    encoder_embedding_dim: int = 512
    # Decoder.
    n_frames_per_step: int = 1
    decoder_rnn_dim: int = 1024
    prenet_dim: int = 256
    max_decoder_steps: int = 1000  # hard cap on decoder steps at inference (each gives r frames)
    gate_threshold: float = 0.5
    p_attention_dropout: float = 0.1
    p_decoder_dropout: float = 0.1
    # Location-sensitive attention.
    attention_rnn_dim: int = 1024
    attention_dim: int = 128
    attention_location_n_filters: int = 32
    attention_location_kernel_size: int = 31
    # Postnet.
    postnet_embedding_dim: int = 512
    postnet_kernel_size: int = 5
    postnet_n_convolutions: int = 5
    # Outputs past each item's length are set to 0 (mel) and a saturated "stop" (gate).
    mask_padding: bool = True

    # Dropout probabilities the reference hard-codes (0.5 each). The prenet's stays active at
    # inference, as in the paper ("to introduce output variation at inference time") and the
    # reference code. Set prenet_dropout to 0 for deterministic, reproducible output.
    prenet_dropout: float = 0.5
    encoder_dropout: float = 0.5
    postnet_dropout: float = 0.5
    # Inference stops an item after max_frames_per_symbol * (its input length) frames even when the
    # gate never fires (still capped by max_decoder_steps); None leaves only the hard cap.
    max_frames_per_symbol: float | None = 20.0
    # Guided attention loss (Tachibana et al., 2017), used by Tacotron2Loss: weight 0 turns it off
    # (the reference). The weight halves every guided_attention_half_life training steps.
    guided_attention_weight: float = 0.0
    guided_attention_sigma: float = 0.2
    guided_attention_half_life: int = 5000
    # Weight of the positive ("stop") gate targets in the BCE, as ESPnet's bce_pos_weight: an item
    # has one positive step against hundreds of negatives, so the gate learns late without it.
    gate_positive_weight: float = 1.0
    # Optional speaker / language tables; 0 entries means no table.
    n_speakers: int = 0
    speaker_embedding_dim: int = 64
    n_languages: int = 0
    language_embedding_dim: int = 32

    def __post_init__(self) -> None:
        def check(ok: bool, name: str, requirement: str) -> None:
            if not ok:
                raise ValueError(f"Tacotron2Config.{name} must be {requirement}, got {getattr(self, name)!r}")

        def is_int(value: object) -> bool:
            return isinstance(value, int) and not isinstance(value, bool)

        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if f.name in ("n_speakers", "n_languages"):
                check(is_int(value) and value >= 0, f.name, "an integer >= 0")
            elif f.type in ("int", int):  # annotations are strings under __future__
                check(is_int(value) and value >= 1, f.name, "a positive integer")
        for name in ("encoder_kernel_size", "attention_location_kernel_size", "postnet_kernel_size"):
            check(getattr(self, name) % 2 == 1, name, "odd, so that 'same' padding keeps length")
        check(
            self.postnet_n_convolutions >= 2, "postnet_n_convolutions", "at least 2 (its first and last layers differ)"
        )
        check(
            self.symbols_embedding_dim == self.encoder_embedding_dim,
            "symbols_embedding_dim",
            "equal to encoder_embedding_dim (the first encoder convolution reads it)",
        )
        check(
            self.encoder_embedding_dim % 2 == 0, "encoder_embedding_dim", "even (two LSTM directions of half the width)"
        )
        for name in (
            "p_attention_dropout",
            "p_decoder_dropout",
            "prenet_dropout",
            "encoder_dropout",
            "postnet_dropout",
        ):
            check(0.0 <= getattr(self, name) < 1.0, name, "in [0, 1)")
        check(0.0 < self.gate_threshold < 1.0, "gate_threshold", "in (0, 1)")
        check(
            self.max_frames_per_symbol is None or self.max_frames_per_symbol > 0,
            "max_frames_per_symbol",
            "positive or None",
        )
        check(self.guided_attention_weight >= 0, "guided_attention_weight", ">= 0")
        check(self.guided_attention_sigma > 0, "guided_attention_sigma", "positive")
        check(self.gate_positive_weight > 0, "gate_positive_weight", "positive")

    def replace(self, **changes) -> Tacotron2Config:
        """A copy with ``changes`` applied (validated like a new config)."""
        return dataclasses.replace(self, **changes)


class Tacotron2Output(NamedTuple):
    """Teacher-forced outputs of :meth:`Tacotron2.forward`."""

    mel: Tensor  # (B, M, T) decoder output
    mel_postnet: Tensor  # (B, M, T) decoder output plus the postnet's residual
    gate: Tensor  # (B, S) stop logits, one per decoder step
    alignments: Tensor  # (B, S, N) attention weights


class Tacotron2Inference(NamedTuple):
    """Outputs of :meth:`Tacotron2.infer`."""

    mel_postnet: Tensor  # (B, M, T_max), zero past each item's length
    mel_lengths: Tensor  # (B,) frames per item, a multiple of r
    alignments: Tensor  # (B, S_max, N), zero past each item's steps
    stopped: Tensor  # (B,) bool: True when the gate ended the item, False when a step limit did


# The nonlinearity after a layer, whose gain scales its Xavier initialisation.
Gain = Literal["linear", "tanh", "relu", "sigmoid"]


def lengths_to_mask(lengths: Tensor, max_len: int) -> Tensor:
    """(B,) lengths to a (B, max_len) bool mask that is True on valid positions."""
    return torch.arange(max_len, device=lengths.device).unsqueeze(0) < lengths.unsqueeze(1)


class LinearNorm(nn.Module):
    """``nn.Linear`` with Xavier-uniform weights scaled by the gain of the next nonlinearity."""

    def __init__(self, in_dim: int, out_dim: int, bias: bool = True, w_init_gain: Gain = "linear"):
        super().__init__()
        self.linear_layer = nn.Linear(in_dim, out_dim, bias=bias)
        nn.init.xavier_uniform_(self.linear_layer.weight, gain=nn.init.calculate_gain(w_init_gain))

    def forward(self, x: Tensor) -> Tensor:
        return self.linear_layer(x)


class ConvNorm(nn.Module):
    """Length-preserving ``nn.Conv1d`` (odd kernel) with gain-scaled Xavier-uniform weights."""

    def __init__(
        self, in_channels: int, out_channels: int, kernel_size: int = 1, bias: bool = True, w_init_gain: Gain = "linear"
    ):
        super().__init__()
        self.conv = nn.Conv1d(
            in_channels, out_channels, kernel_size=kernel_size, padding=(kernel_size - 1) // 2, bias=bias
        )
        nn.init.xavier_uniform_(self.conv.weight, gain=nn.init.calculate_gain(w_init_gain))

    def forward(self, x: Tensor) -> Tensor:
        return self.conv(x)


class LocationLayer(nn.Module):
    """Convolves the previous and cumulative attention weights into location features."""

    def __init__(self, attention_n_filters: int, attention_kernel_size: int, attention_dim: int):
        super().__init__()
        self.location_conv = ConvNorm(2, attention_n_filters, kernel_size=attention_kernel_size, bias=False)
        self.location_dense = LinearNorm(attention_n_filters, attention_dim, bias=False, w_init_gain="tanh")

    def forward(self, attention_weights_cat: Tensor) -> Tensor:
        """(B, 2, N) previous and cumulative weights -> (B, N, attention_dim)."""
        return self.location_dense(self.location_conv(attention_weights_cat).transpose(1, 2))


class Attention(nn.Module):
    """Location-sensitive additive attention (Chorowski et al., 2015)."""

    def __init__(
        self,
        attention_rnn_dim: int,
        embedding_dim: int,
        attention_dim: int,
        attention_location_n_filters: int,
        attention_location_kernel_size: int,
    ):
        super().__init__()
        self.query_layer = LinearNorm(attention_rnn_dim, attention_dim, bias=False, w_init_gain="tanh")
        self.memory_layer = LinearNorm(embedding_dim, attention_dim, bias=False, w_init_gain="tanh")
        self.v = LinearNorm(attention_dim, 1, bias=False)
        self.location_layer = LocationLayer(attention_location_n_filters, attention_location_kernel_size, attention_dim)

    def forward(
        self, query: Tensor, memory: Tensor, processed_memory: Tensor, attention_weights_cat: Tensor, mask: Tensor
    ) -> tuple[Tensor, Tensor]:
        """One attention step.

        Args:
            query: (B, attention_rnn_dim) attention-RNN output.
            memory: (B, N, E) encoder outputs.
            processed_memory: (B, N, attention_dim) ``memory_layer(memory)``, computed once.
            attention_weights_cat: (B, 2, N) previous and cumulative attention weights.
            mask: (B, N) True on real (non-padding) symbols.

        Returns:
            context (B, E) and attention weights (B, N).
        """
        # The layers' weights are applied with F.linear / F.conv1d directly: the same kernels as
        # calling the modules, without their per-call overhead, which at batch 1 is a good part
        # of a decoder step.
        location_conv = self.location_layer.location_conv.conv
        location = F.linear(
            F.conv1d(attention_weights_cat, location_conv.weight, None, 1, location_conv.padding).transpose(1, 2),
            self.location_layer.location_dense.linear_layer.weight,
        )
        energies = F.linear(
            torch.tanh(apply_linear(self.query_layer.linear_layer, query).unsqueeze(1) + location + processed_memory),
            self.v.linear_layer.weight,
        ).squeeze(-1)
        # -inf gives padding exactly zero weight, so a padded item attends as it would alone.
        energies = energies.masked_fill(~mask, float("-inf"))
        weights = F.softmax(energies, dim=1)
        context = torch.bmm(weights.unsqueeze(1), memory).squeeze(1)
        return context, weights


class Prenet(nn.Module):
    """Two bias-free ReLU layers with dropout that is applied in training and inference alike."""

    def __init__(self, in_dim: int, sizes: list[int], dropout: float):
        super().__init__()
        in_sizes = [in_dim] + sizes[:-1]
        self.layers = nn.ModuleList(LinearNorm(n_in, n_out, bias=False) for n_in, n_out in zip(in_sizes, sizes))
        self.dropout = dropout

    def forward(self, x: Tensor, dropout: float | None = None) -> Tensor:
        """(..., M * r) -> (..., prenet_dim). ``dropout`` overrides :attr:`dropout` (the ONNX
        export's step runs it at 0)."""
        p = self.dropout if dropout is None else dropout
        for linear in self.layers:
            assert isinstance(linear, LinearNorm)
            x = F.relu(apply_linear(linear.linear_layer, x))
            if p > 0:
                # training=True on purpose: the reference keeps this dropout on at inference.
                x = F.dropout(x, p=p, training=True)
        return x


class Postnet(nn.Module):
    """Five (``postnet_n_convolutions``) 1-D convolutions predicting a residual for the mel."""

    def __init__(self, config: Tacotron2Config):
        super().__init__()
        channels = (
            [config.n_mel_channels]
            + [config.postnet_embedding_dim] * (config.postnet_n_convolutions - 1)
            + [config.n_mel_channels]
        )
        self.convolutions = nn.ModuleList()
        for i, (n_in, n_out) in enumerate(zip(channels[:-1], channels[1:])):
            last = i == config.postnet_n_convolutions - 1
            self.convolutions.append(
                nn.Sequential(
                    ConvNorm(
                        n_in, n_out, kernel_size=config.postnet_kernel_size, w_init_gain="linear" if last else "tanh"
                    ),
                    nn.BatchNorm1d(n_out),
                )
            )
        self.dropout = config.postnet_dropout

    def forward(self, x: Tensor, mask: Tensor | None = None) -> Tensor:
        """(B, M, T) mel and (B, T) valid-frame mask -> (B, M, T) residual. No mask: every frame
        is valid (one unpadded item, as the ONNX graph runs it)."""
        last = len(self.convolutions) - 1
        for i, conv in enumerate(self.convolutions):
            if mask is not None:
                # Zeroing past the item's length makes every conv see what it sees on the item alone.
                x = x.masked_fill(~mask.unsqueeze(1), 0.0)
            x = conv(x)
            if i < last:
                x = torch.tanh(x)
            x = F.dropout(x, self.dropout, self.training)
        return x


class Encoder(nn.Module):
    """Conv stack (conv, BatchNorm, ReLU, dropout) then a bidirectional LSTM."""

    def __init__(self, config: Tacotron2Config):
        super().__init__()
        dim = config.encoder_embedding_dim
        self.convolutions = nn.ModuleList(
            nn.Sequential(
                ConvNorm(dim, dim, kernel_size=config.encoder_kernel_size, w_init_gain="relu"), nn.BatchNorm1d(dim)
            )
            for _ in range(config.encoder_n_convolutions)
        )
        self.lstm = nn.LSTM(dim, dim // 2, num_layers=1, batch_first=True, bidirectional=True)
        self.dropout = config.encoder_dropout

    def forward(self, x: Tensor, lengths: Tensor | None = None) -> Tensor:
        """(B, E, N) embedded symbols and (B,) lengths -> (B, N, E), zero past each length. No
        lengths: every position is valid (one unpadded item, as the ONNX graph runs it), so the
        masking and the sequence packing are left out."""
        mask = None if lengths is None else lengths_to_mask(lengths, x.size(2)).unsqueeze(1)
        for conv in self.convolutions:
            if mask is not None:
                x = x.masked_fill(~mask, 0.0)
            x = F.dropout(F.relu(conv(x)), self.dropout, self.training)
        if lengths is None:
            return self.lstm(x.transpose(1, 2))[0]
        packed = nn.utils.rnn.pack_padded_sequence(
            x.transpose(1, 2), lengths.cpu(), batch_first=True, enforce_sorted=False
        )
        outputs, _ = self.lstm(packed)
        outputs, _ = nn.utils.rnn.pad_packed_sequence(outputs, batch_first=True, total_length=x.size(2))
        return outputs


class DecoderState(NamedTuple):
    """Recurrent state carried from one decoder step to the next."""

    attention_hidden: Tensor  # (B, attention_rnn_dim)
    attention_cell: Tensor  # (B, attention_rnn_dim)
    decoder_hidden: Tensor  # (B, decoder_rnn_dim)
    decoder_cell: Tensor  # (B, decoder_rnn_dim)
    attention_weights: Tensor  # (B, N)
    attention_weights_cum: Tensor  # (B, N)
    attention_context: Tensor  # (B, E)


class StepWorkspace:
    """Preallocated inputs of :meth:`Decoder.step` for a free-running loop without autograd: the
    two LSTM inputs (prenet output | context, attention hidden | context) and the attention's
    (previous, cumulative) weights are written into these each step instead of concatenated
    into new tensors."""

    def __init__(self, config: Tacotron2Config, memory: Tensor) -> None:
        b, n, e = memory.shape
        self.attention_input = memory.new_zeros(b, config.prenet_dim + e)
        self.decoder_input = memory.new_zeros(b, config.attention_rnn_dim + e)
        self.weights_cat = memory.new_zeros(b, 2, n)


def _joined(buffer: Tensor | None, first: Tensor, second: Tensor) -> Tensor:
    """``cat((first, second), dim=1)``, written into ``buffer`` when there is one."""
    if buffer is None:
        return torch.cat((first, second), dim=1)
    buffer[:, : first.size(1)] = first
    buffer[:, first.size(1) :] = second
    return buffer


def apply_linear(layer: nn.Module, x: Tensor) -> Tensor:
    """``layer(x)`` for the decoder's per-step layers: an ``nn.Linear``'s weights applied with
    ``F.linear`` directly (the same kernel without the module call's overhead, which at batch 1
    is a good part of a decoder step); any other layer put in its place (``acoustic.quantize``'s
    int8 ones) is called."""
    if type(layer) is nn.Linear:
        return F.linear(x, layer.weight, layer.bias)
    return layer(x)


def _lstm_cell(cell: nn.Module, inputs: Tensor, state: tuple[Tensor, Tensor], dropout: float) -> tuple[Tensor, Tensor]:
    """``cell`` on (B, input) with its (hidden, cell) state, then dropout of the new hidden state
    (``dropout`` > 0 only in training). An ``nn.LSTMCell``'s kernel is called directly, as
    ``nn.LSTMCell.forward`` calls it, to skip that method's checks at every step; any other cell
    put in its place (``acoustic.quantize``'s int8 one) is called."""
    if type(cell) is nn.LSTMCell:
        hidden, cell_state = torch.lstm_cell(inputs, state, cell.weight_ih, cell.weight_hh, cell.bias_ih, cell.bias_hh)
    else:
        hidden, cell_state = cell(inputs, state)
    if dropout > 0:
        hidden = F.dropout(hidden, dropout, True)
    return hidden, cell_state


class Decoder(nn.Module):
    """Autoregressive decoder: prenet, attention LSTM, attention, decoder LSTM, projections."""

    def __init__(self, config: Tacotron2Config):
        super().__init__()
        self.config = config
        enc = config.encoder_embedding_dim
        frame_dim = config.n_mel_channels * config.n_frames_per_step
        self.prenet = Prenet(frame_dim, [config.prenet_dim, config.prenet_dim], config.prenet_dropout)
        self.attention_rnn = nn.LSTMCell(config.prenet_dim + enc, config.attention_rnn_dim)
        self.attention_layer = Attention(
            config.attention_rnn_dim,
            enc,
            config.attention_dim,
            config.attention_location_n_filters,
            config.attention_location_kernel_size,
        )
        self.decoder_rnn = nn.LSTMCell(config.attention_rnn_dim + enc, config.decoder_rnn_dim)
        self.linear_projection = LinearNorm(config.decoder_rnn_dim + enc, frame_dim)
        self.gate_layer = LinearNorm(config.decoder_rnn_dim + enc, 1, bias=True, w_init_gain="sigmoid")

    def initial_state(self, memory: Tensor) -> DecoderState:
        """All-zero state for (B, N, E) ``memory``."""
        b, n, e = memory.shape
        zeros = memory.new_zeros
        return DecoderState(
            zeros(b, self.config.attention_rnn_dim),
            zeros(b, self.config.attention_rnn_dim),
            zeros(b, self.config.decoder_rnn_dim),
            zeros(b, self.config.decoder_rnn_dim),
            zeros(b, n),
            zeros(b, n),
            zeros(b, e),
        )

    def step(
        self,
        prenet_output: Tensor,
        state: DecoderState,
        memory: Tensor,
        processed_memory: Tensor,
        mask: Tensor,
        work: StepWorkspace | None = None,
    ) -> tuple[Tensor, Tensor, DecoderState]:
        """One decoder step: the only definition of it. Teacher-forced training, the free-running
        loops (:meth:`infer`, :meth:`infer_stepwise`) and the ONNX step graph all call it.

        Args:
            prenet_output: (B, prenet_dim) prenet of the previous step's r frames.
            state: the previous :class:`DecoderState`.
            memory, processed_memory, mask: see :meth:`Attention.forward`.
            work: buffers for the step's inputs (:class:`StepWorkspace`), for loops without
                autograd; None concatenates new tensors (what autograd and export need).

        Returns:
            frames (B, M * r), gate logit (B,), and the new state.
        """
        c = self.config
        att, dec = self.attention_rnn, self.decoder_rnn
        attention_hidden, attention_cell = _lstm_cell(
            att,
            _joined(None if work is None else work.attention_input, prenet_output, state.attention_context),
            (state.attention_hidden, state.attention_cell),
            c.p_attention_dropout if self.training else 0.0,
        )
        if work is None:
            weights_cat = torch.stack((state.attention_weights, state.attention_weights_cum), dim=1)
        else:
            weights_cat = work.weights_cat
            weights_cat[:, 0] = state.attention_weights
            weights_cat[:, 1] = state.attention_weights_cum
        context, weights = self.attention_layer.forward(attention_hidden, memory, processed_memory, weights_cat, mask)
        decoder_hidden, decoder_cell = _lstm_cell(
            dec,
            _joined(None if work is None else work.decoder_input, attention_hidden, context),
            (state.decoder_hidden, state.decoder_cell),
            c.p_decoder_dropout if self.training else 0.0,
        )
        hidden_context = torch.cat((decoder_hidden, context), dim=1)
        frames = apply_linear(self.linear_projection.linear_layer, hidden_context)
        gate = apply_linear(self.gate_layer.linear_layer, hidden_context).squeeze(1)
        state = DecoderState(
            attention_hidden,
            attention_cell,
            decoder_hidden,
            decoder_cell,
            weights,
            state.attention_weights_cum + weights,
            context,
        )
        return frames, gate, state

    def _to_mel(self, frames: list[Tensor]) -> Tensor:
        """S tensors of (B, M * r) -> (B, M, S * r); a step's r frames are consecutive M-blocks."""
        b = frames[0].size(0)
        return torch.stack(frames, dim=1).reshape(b, -1, self.config.n_mel_channels).transpose(1, 2)

    def forward(self, memory: Tensor, mask: Tensor, mels: Tensor) -> tuple[Tensor, Tensor, Tensor]:
        """Teacher-forced decoding.

        Args:
            memory: (B, N, E) encoder outputs; mask: (B, N) True on real symbols.
            mels: (B, M, S * r) targets; step s is fed the r frames of step s - 1 (zeros at s = 0).

        Returns:
            mel (B, M, S * r), gate logits (B, S), alignments (B, S, N).
        """
        b, m, t = mels.shape
        r = self.config.n_frames_per_step
        steps = mels.transpose(1, 2).reshape(b, t // r, m * r)
        inputs = torch.cat((steps.new_zeros(b, 1, m * r), steps[:, :-1]), dim=1)
        prenet_out = self.prenet(inputs)
        processed_memory = self.attention_layer.memory_layer(memory)
        state = self.initial_state(memory)
        frames, gates, alignments = [], [], []
        for s in range(t // r):
            out, gate, state = self.step(prenet_out[:, s], state, memory, processed_memory, mask)
            frames.append(out)
            gates.append(gate)
            alignments.append(state.attention_weights)
        return self._to_mel(frames), torch.stack(gates, dim=1), torch.stack(alignments, dim=1)

    def infer(self, memory: Tensor, mask: Tensor, step_limits: Tensor) -> tuple[Tensor, Tensor, Tensor, Tensor]:
        """Free-running decoding until every item's gate fires or its step limit is reached.

        Args:
            memory: (B, N, E); mask: (B, N) True on real symbols.
            step_limits: (B,) most decoder steps allowed per item.

        Returns:
            mel (B, M, S_max * r), alignments (B, S_max, N), steps (B,) decoded per item and
            stopped (B,) True where the gate (not the limit) ended the item. Values past an
            item's steps are whatever the still-running batch produced; the caller masks them.

        The loop is :meth:`step` without the reference loop's overhead (see :meth:`_infer_loop`);
        :meth:`infer_stepwise` is the reference, the same bits. Outside autograd the loop runs
        under ``torch.inference_mode`` (less bookkeeping per op); what it returns are ordinary
        tensors either way.
        """
        with torch.inference_mode(not torch.is_grad_enabled()):
            frames, alignments, fires, steps_run = self._infer_loop(memory, mask, step_limits)
        # Each item ends on its first firing step, or at its limit when that comes first.
        fires = fires[:steps_run]
        fired = fires.any(dim=0)
        first = torch.where(fired, fires.int().argmax(dim=0) + 1, steps_run)
        steps = torch.minimum(first, step_limits).long()
        stopped = fired & (first <= step_limits)
        mel = frames[:, :steps_run].reshape(memory.size(0), -1, self.config.n_mel_channels).transpose(1, 2)
        return mel.clone(), alignments[:, :steps_run].clone(), steps, stopped

    def infer_stepwise(
        self, memory: Tensor, mask: Tensor, step_limits: Tensor
    ) -> tuple[Tensor, Tensor, Tensor, Tensor]:
        """:meth:`infer` written as the reference: one :meth:`step` per decoder step, state tuples
        rebuilt each step, outputs stacked at the end. Slower; :meth:`infer` gives the same bits
        (``tests/acoustic/test_acoustic_fast_infer.py``), and ``benchmarks/fast_paths.py`` times
        one against the other."""
        b = memory.size(0)
        processed_memory = self.attention_layer.memory_layer(memory)
        state = self.initial_state(memory)
        frame = memory.new_zeros(b, self.config.n_mel_channels * self.config.n_frames_per_step)
        steps = torch.zeros(b, dtype=torch.long, device=memory.device)
        stopped = torch.zeros(b, dtype=torch.bool, device=memory.device)
        done = torch.zeros(b, dtype=torch.bool, device=memory.device)
        frames, alignments = [], []
        for s in range(int(step_limits.max())):
            frame, gate, state = self.step(self.prenet(frame), state, memory, processed_memory, mask)
            frames.append(frame)
            alignments.append(state.attention_weights)
            fired = ~done & (torch.sigmoid(gate) > self.config.gate_threshold)
            stopped |= fired
            ended = fired | (~done & (step_limits <= s + 1))
            steps[ended] = s + 1
            done |= ended
            if bool(done.all()):
                break
        return self._to_mel(frames), torch.stack(alignments, dim=1), steps, stopped

    def _infer_loop(self, memory: Tensor, mask: Tensor, step_limits: Tensor) -> tuple[Tensor, Tensor, Tensor, int]:
        """The decoding loop of :meth:`infer`: (B, S_max, M * r) frames and (B, S_max, N)
        alignments (valid up to the steps run), (S_max, B) gate firings, and the steps run.

        :meth:`step` with its inputs in a :class:`StepWorkspace` (outside autograd), outputs
        written straight into preallocated tensors, and the stop bookkeeping a few in-place ops
        per step (which item stopped when is worked out once at the end)."""
        config = self.config
        b, n, _ = memory.shape
        max_steps = int(step_limits.max())
        processed_memory = self.attention_layer.memory_layer(memory)
        work = None if torch.is_grad_enabled() else StepWorkspace(config, memory)
        state = self.initial_state(memory)
        frame = memory.new_zeros(b, config.n_mel_channels * config.n_frames_per_step)
        frames = memory.new_empty(b, max_steps, frame.size(1))
        alignments = memory.new_empty(b, max_steps, n)
        fires = torch.zeros(max_steps, b, dtype=torch.bool, device=memory.device)
        done = torch.zeros(b, dtype=torch.bool, device=memory.device)
        limits = sorted(set(step_limits.tolist()))
        threshold = config.gate_threshold
        steps_run = 0
        for s in range(max_steps):
            frame, gate, state = self.step(self.prenet(frame), state, memory, processed_memory, mask, work)
            frames[:, s] = frame
            alignments[:, s] = state.attention_weights
            # The step on which the gate fires is kept, as in the reference.
            torch.gt(torch.sigmoid(gate), threshold, out=fires[s])
            done |= fires[s]
            steps_run = s + 1
            if limits and steps_run >= limits[0]:
                done |= step_limits <= steps_run
                limits = [limit for limit in limits if limit > steps_run]
            if bool(done.all()):
                break
        return frames, alignments, fires, steps_run


class Tacotron2(nn.Module):
    """Tacotron2 with NVIDIA's module names, plus optional speaker and language tables.

    Speaker and language vectors are projected to the encoder width (bias-free
    ``speaker_projection`` / ``language_projection``, zero-initialised) and added to every encoder
    output. This is concatenation followed by a linear layer whose encoder block is the identity:
    it conditions attention and decoder like concatenation does, but keeps every reference tensor's
    shape, so NVIDIA's pretrained weights load unchanged into a multi-speaker model, and at the
    start of fine-tuning the model computes exactly what the pretrained one did.
    """

    def __init__(self, config: Tacotron2Config | None = None):
        super().__init__()
        self.config = config = config or Tacotron2Config()
        self.embedding = nn.Embedding(config.n_symbols, config.symbols_embedding_dim)
        # Uniform with the variance Xavier gives a (n_symbols x dim) matrix, as the reference does.
        bound = math.sqrt(3.0) * math.sqrt(2.0 / (config.n_symbols + config.symbols_embedding_dim))
        nn.init.uniform_(self.embedding.weight, -bound, bound)
        self.encoder = Encoder(config)
        self.decoder = Decoder(config)
        self.postnet = Postnet(config)
        if config.n_speakers:
            self.speaker_embedding = nn.Embedding(config.n_speakers, config.speaker_embedding_dim)
            self.speaker_projection = LinearNorm(config.speaker_embedding_dim, config.encoder_embedding_dim, bias=False)
            nn.init.zeros_(self.speaker_projection.linear_layer.weight)
        if config.n_languages:
            self.language_embedding = nn.Embedding(config.n_languages, config.language_embedding_dim)
            self.language_projection = LinearNorm(
                config.language_embedding_dim, config.encoder_embedding_dim, bias=False
            )
            nn.init.zeros_(self.language_projection.linear_layer.weight)

    def _check_text(self, text: Tensor, text_lengths: Tensor) -> None:
        """Clear errors for inputs the layers below would fail on with an index or size error."""
        if text.dim() != 2 or text.numel() == 0:
            raise ValueError(f"text must be a non-empty (B, N) tensor of symbol ids, got shape {tuple(text.shape)}")
        if text_lengths.numel() != text.size(0):
            raise ValueError(f"text_lengths must have one length per item ({text.size(0)}), got {text_lengths.numel()}")
        if int(text_lengths.min()) < 1 or int(text_lengths.max()) > text.size(1):
            raise ValueError(f"text_lengths must be in [1, {text.size(1)}], got {text_lengths.tolist()}")
        if int(text.min()) < 0 or int(text.max()) >= self.config.n_symbols:
            raise ValueError(
                f"symbol ids must be in [0, {self.config.n_symbols}) (n_symbols), got ids from "
                f"{int(text.min())} to {int(text.max())}: is the text from another symbol table?"
            )

    def encode(
        self, text: Tensor, text_lengths: Tensor, speaker: Tensor | None = None, language: Tensor | None = None
    ) -> Tensor:
        """(B, N) symbol ids, (B,) lengths, optional (B,) speaker / language ids -> (B, N, E)."""
        self._check_text(text, text_lengths)
        checked: list[Tensor | None] = []
        for name, ids, count in (
            ("speaker", speaker, self.config.n_speakers),
            ("language", language, self.config.n_languages),
        ):
            if count == 0:
                if ids is not None:
                    raise ValueError(
                        f"a {name} id was given but the model has no {name} table (Tacotron2Config.n_{name}s is 0)"
                    )
                checked.append(None)
                continue
            if ids is None:
                raise ValueError(f"this model has {count} {name}s: pass {name}= a (B,) tensor of ids")
            ids = torch.as_tensor(ids, device=text.device).reshape(-1)
            if ids.numel() != text.size(0) or bool(((ids < 0) | (ids >= count)).any()):
                raise ValueError(f"{name} ids must be one per item in [0, {count}), got {ids.tolist()}")
            checked.append(ids)
        return self.encode_checked(text, text_lengths, *checked)

    def encode_checked(
        self, text: Tensor, text_lengths: Tensor | None, speaker: Tensor | None = None, language: Tensor | None = None
    ) -> Tensor:
        """:meth:`encode` of inputs known to be valid (ids in range, one per item, present for
        the model's tables): no checks, so the ONNX export traces it. ``text_lengths`` None: one
        unpadded item."""
        memory = self.encoder(self.embedding(text).transpose(1, 2), text_lengths)
        for name, ids in (("speaker", speaker), ("language", language)):
            if ids is not None:
                vector = getattr(self, f"{name}_projection")(getattr(self, f"{name}_embedding")(ids))
                memory = memory + vector.unsqueeze(1)
        return memory

    def forward(
        self,
        text: Tensor,
        text_lengths: Tensor,
        mels: Tensor,
        mel_lengths: Tensor,
        speaker: Tensor | None = None,
        language: Tensor | None = None,
    ) -> Tacotron2Output:
        """Teacher-forced training pass.

        Args:
            text: (B, N) symbol ids, padded with any id; text_lengths: (B,).
            mels: (B, M, T) target log-mels; mel_lengths: (B,) frames per item. T need not be a
                multiple of r: the batch is zero-padded to S * r internally, outputs cut back to T.
            speaker, language: (B,) ids, required exactly when the model has those tables.

        Returns:
            :class:`Tacotron2Output` (mel, mel_postnet, gate, alignments).
        """
        r = self.config.n_frames_per_step
        t = mels.size(2)
        n_steps = -(-t // r)
        text_lengths = torch.as_tensor(text_lengths, device=text.device)
        mel_lengths = torch.as_tensor(mel_lengths, device=mels.device)
        memory = self.encode(text, text_lengths, speaker, language)
        text_mask = lengths_to_mask(text_lengths, text.size(1))
        mel, gate, alignments = self.decoder(memory, text_mask, F.pad(mels, (0, n_steps * r - t)))
        frame_mask = lengths_to_mask(mel_lengths, n_steps * r)
        mel_postnet = mel + self.postnet(mel, frame_mask)
        if self.config.mask_padding:
            mel = mel.masked_fill(~frame_mask.unsqueeze(1), 0.0)
            mel_postnet = mel_postnet.masked_fill(~frame_mask.unsqueeze(1), 0.0)
            # A large logit past the item's last step: "stopped", with no gate loss gradient.
            step_mask = lengths_to_mask(-(-mel_lengths // r), n_steps)
            gate = gate.masked_fill(~step_mask, 1e3)
        return Tacotron2Output(mel[:, :, :t], mel_postnet[:, :, :t], gate, alignments)

    @torch.no_grad()
    def infer(
        self,
        text: Tensor,
        text_lengths: Tensor,
        speaker: Tensor | None = None,
        language: Tensor | None = None,
        stepwise: bool = False,
    ) -> Tacotron2Inference:
        """Batched synthesis; call ``model.eval()`` first.

        Each item stops when its own gate fires, or at ``ceil(max_frames_per_symbol * length / r)``
        decoder steps, or at ``max_decoder_steps``, whichever comes first; an item ended by a limit
        is flagged in ``stopped`` and logged as a warning. With ``prenet_dropout`` 0 a padded item
        gives the same mel as the item alone.

        Args:
            text: (B, N) symbol ids; text_lengths: (B,); speaker, language: (B,) ids or None.
            stepwise: decode with the reference loop (:meth:`Decoder.infer_stepwise`) instead of
                the fast one; the same result, for tests and benchmarks.

        Returns:
            :class:`Tacotron2Inference` (mel_postnet, mel_lengths, alignments, stopped).
        """
        config = self.config
        r = config.n_frames_per_step
        text_lengths = torch.as_tensor(text_lengths, device=text.device)
        memory = self.encode(text, text_lengths, speaker, language)
        text_mask = lengths_to_mask(text_lengths, text.size(1))
        limits = torch.full_like(text_lengths, config.max_decoder_steps)
        if config.max_frames_per_symbol is not None:
            by_length = torch.ceil(text_lengths.double() * config.max_frames_per_symbol / r).long()
            limits = torch.minimum(limits, by_length.clamp(min=1))
        decode = self.decoder.infer_stepwise if stepwise else self.decoder.infer
        mel, alignments, steps, stopped = decode(memory, text_mask, limits)
        mel_lengths = steps * r
        frame_mask = lengths_to_mask(mel_lengths, mel.size(2))
        mel_postnet = mel + self.postnet(mel, frame_mask)
        mel_postnet = mel_postnet.masked_fill(~frame_mask.unsqueeze(1), 0.0)
        step_mask = lengths_to_mask(steps, alignments.size(1))
        alignments = alignments.masked_fill(~step_mask.unsqueeze(2), 0.0)
        for i in torch.nonzero(~stopped).flatten().tolist():
            log.warning(
                "item %d (%d symbols): the gate did not stop decoding within %d steps (%d frames); "
                "its mel is cut there. The alignment likely failed: check the text, or raise "
                "max_frames_per_symbol (%s) / max_decoder_steps (%d) if the speech is that slow.",
                i,
                int(text_lengths[i]),
                int(steps[i]),
                int(mel_lengths[i]),
                config.max_frames_per_symbol,
                config.max_decoder_steps,
            )
        return Tacotron2Inference(mel_postnet, mel_lengths, alignments, stopped)
