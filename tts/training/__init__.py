"""The training engine shared by both stages (see :mod:`tts.training.engine`)."""

from tts.training.config import TrainingConfig, read_config_file
from tts.training.engine import Trainer, TrainingError, TrainingTask

__all__ = ["Trainer", "TrainingConfig", "TrainingError", "TrainingTask", "read_config_file"]
