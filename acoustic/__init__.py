"""Acoustic model: Tacotron2, symbol ids to 80-band log-mel spectrograms.

NVIDIA-compatible (their ``tacotron2_statedict.pt`` and DeepLearningExamples checkpoints load
as is), with r frames per decoder step, guided attention, speaker / language tables and batched
inference with per-item stopping. Imports only torch and the project base (``base.errors``,
``base.checkpoint``).
"""

from acoustic.checkpoint import (
    AcousticCheckpoint,
    WarmStartReport,
    load_checkpoint,
    read_checkpoint,
    save_checkpoint,
    warm_start,
)
from acoustic.loss import LossTerms, Tacotron2Loss, gate_targets, guided_attention_weights
from acoustic.model import Tacotron2, Tacotron2Config, Tacotron2Inference, Tacotron2Output
from acoustic.quantize import quantize

__all__ = [
    "AcousticCheckpoint",
    "LossTerms",
    "Tacotron2",
    "Tacotron2Config",
    "Tacotron2Inference",
    "Tacotron2Loss",
    "Tacotron2Output",
    "WarmStartReport",
    "gate_targets",
    "guided_attention_weights",
    "load_checkpoint",
    "quantize",
    "read_checkpoint",
    "save_checkpoint",
    "warm_start",
]
