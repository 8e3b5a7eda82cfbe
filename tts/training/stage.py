"""Training one stage from a config name or file: what ``tts train``, ``tts finetune`` and the
recipes call."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

from tts.training.acoustic_task import AcousticTask
from tts.training.config import read_config_file
from tts.training.engine import Trainer
from tts.training.vocoder_task import VocoderTask

log = logging.getLogger(__name__)

STAGES = ("acoustic", "vocoder")
FINETUNE_LR_FACTOR = 0.1  # fine-tuning starts from trained weights: a tenth of the preset's rate


def train_stage(
    stage: str,
    data_dir: str | os.PathLike,
    config: str | os.PathLike,
    out_dir: str | os.PathLike,
    resume: bool = False,
    max_steps: int | None = None,
    device: str | None = None,
    init_from: str | os.PathLike | None = None,
    freeze: tuple[str, ...] = (),
    learning_rate: float | None = None,
) -> dict[str, Any]:
    """Train ``stage`` (``acoustic`` or ``vocoder``) on prepared ``data_dir`` into ``out_dir``.

    With ``init_from`` this is fine-tuning: warm start from that checkpoint, optional frozen
    modules (acoustic), and a learning rate of ``FINETUNE_LR_FACTOR`` times the config's unless
    ``learning_rate`` is given.
    """
    if stage not in STAGES:
        raise ValueError(f"stage must be one of {STAGES}, got {stage!r}")
    settings = read_config_file(stage, config)
    if max_steps is not None:
        settings.training["max_steps"] = max_steps
    if learning_rate is not None:
        settings.training["learning_rate"] = learning_rate
    data_dir, init_from = Path(data_dir), None if init_from is None else Path(init_from)
    task: AcousticTask | VocoderTask
    if stage == "acoustic":
        task, training = AcousticTask.from_config(data_dir, settings, init_from=init_from, freeze=freeze)
    else:
        if freeze:
            log.warning("freezing applies to the acoustic model only; ignored for the vocoder")
        task, training = VocoderTask.from_config(data_dir, settings, init_from=init_from)
    if init_from is not None and learning_rate is None:
        training = type(training).from_dict(
            {**training.to_dict(), "learning_rate": training.learning_rate * FINETUNE_LR_FACTOR}
        )
    return Trainer(task, training, Path(out_dir), resume=resume, device=device).fit()
