"""``tts train`` and ``tts finetune``: train one stage on a prepared data directory.

Runs on one process, or on many under ``torchrun`` (``torchrun --nproc_per_node 4 -m tts.cli
train ...``): the engine picks up the distributed environment itself.
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

from tts.training import Trainer, read_config_file
from tts.training.acoustic_task import AcousticTask
from tts.training.vocoder_task import VocoderTask

log = logging.getLogger(__name__)

STAGES = ("acoustic", "vocoder")
FINETUNE_LR_FACTOR = 0.1  # fine-tuning starts from trained weights: a tenth of the preset's rate


def register(subparsers: argparse._SubParsersAction) -> None:
    train = subparsers.add_parser(
        "train",
        help="train the acoustic model or the vocoder on a prepared data directory",
        description=__doc__.split("\n\n")[1],
    )
    _common(train)
    train.set_defaults(func=run_train)

    finetune = subparsers.add_parser(
        "finetune",
        help="fine-tune a trained acoustic model or vocoder (this project's or NVIDIA's) on new data",
        description="Warm-start from CHECKPOINT (tensors whose shapes differ, e.g. a new symbol or "
        "speaker table, are re-initialised and listed), optionally freeze modules, and train on new "
        f"data with a lower learning rate ({FINETUNE_LR_FACTOR} x the preset's unless given).",
    )
    _common(finetune)
    finetune.add_argument("--from", dest="init_from", type=Path, required=True, help="checkpoint to start from")
    finetune.add_argument("--freeze", default="", help="acoustic modules to keep fixed, e.g. encoder,embedding")
    finetune.add_argument("--learning-rate", type=float, default=None, help="override the learning rate")
    finetune.set_defaults(func=run_finetune)


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("stage", choices=STAGES, help="which model to train")
    parser.add_argument("--data", type=Path, required=True, help="prepared data directory (tts prepare)")
    parser.add_argument("--config", default="base", help="preset (base, tiny) or a .yaml/.json file")
    parser.add_argument("--out", type=Path, required=True, help="run directory (checkpoints, logs)")
    parser.add_argument("--resume", action="store_true", help="continue from the latest checkpoint in --out")
    parser.add_argument("--max-steps", type=int, default=None, help="override training.max_steps")
    parser.add_argument("--device", default=None, help="torch device (default: cuda if present, else cpu)")


def _fit(args: argparse.Namespace, init_from: Path | None = None, freeze: tuple[str, ...] = (),
         lr_factor: float = 1.0, learning_rate: float | None = None) -> int:
    config = read_config_file(args.stage, args.config)
    if args.max_steps is not None:
        config.training["max_steps"] = args.max_steps
    if learning_rate is not None:
        config.training["learning_rate"] = learning_rate
    if args.stage == "acoustic":
        task, training = AcousticTask.from_config(args.data, config, init_from=init_from, freeze=freeze)
    else:
        if freeze:
            log.warning("--freeze applies to the acoustic model only; ignored for the vocoder")
        task, training = VocoderTask.from_config(args.data, config, init_from=init_from)
    if learning_rate is None and lr_factor != 1.0:
        training = type(training).from_dict({**training.to_dict(), "learning_rate": training.learning_rate * lr_factor})
    result = Trainer(task, training, args.out, resume=args.resume, device=args.device).fit()
    print(f"{args.stage}: stopped at step {result['step']} (epoch {result['epoch']}); "
          f"checkpoints in {args.out / 'checkpoints'}")
    return 0


def run_train(args: argparse.Namespace) -> int:
    return _fit(args)


def run_finetune(args: argparse.Namespace) -> int:
    freeze = tuple(name.strip() for name in args.freeze.split(",") if name.strip())
    return _fit(args, init_from=args.init_from, freeze=freeze, lr_factor=FINETUNE_LR_FACTOR,
                learning_rate=args.learning_rate)
