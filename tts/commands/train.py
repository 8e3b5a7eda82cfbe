"""``tts train`` and ``tts finetune``: train one stage on a prepared data directory.

Runs on one process, or on many under ``torchrun`` (``torchrun --nproc_per_node 4 -m tts.cli
train ...``): the engine picks up the distributed environment itself.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from tts.commands import add_command
from tts.training.stage import STAGES, train_stage


def register(subparsers: argparse._SubParsersAction) -> None:
    _common(add_command(subparsers, "train", run_train))
    finetune = add_command(subparsers, "finetune", run_finetune)
    _common(finetune)
    finetune.add_argument("--from", dest="init_from", type=Path, required=True, help="checkpoint to start from")
    finetune.add_argument("--freeze", default="", help="acoustic modules to keep fixed, e.g. encoder,embedding")
    finetune.add_argument("--learning-rate", type=float, default=None, help="override the learning rate")


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("stage", choices=STAGES, help="which model to train")
    parser.add_argument(
        "--data-dir", "--data", type=Path, required=True, dest="data", help="prepared data directory (tts prepare)"
    )
    parser.add_argument("--config", default="base", help="preset (base, tiny) or a .yaml/.json file")
    parser.add_argument("--out", type=Path, required=True, help="run directory (checkpoints, logs)")
    parser.add_argument("--resume", action="store_true", help="continue from the latest checkpoint in --out")
    parser.add_argument("--max-steps", type=int, default=None, help="override training.max_steps")
    parser.add_argument("--device", default=None, help="torch device (default: cuda if present, else cpu)")


def _report(args: argparse.Namespace, result: dict) -> int:
    print(
        f"{args.stage}: stopped at step {result['step']} (epoch {result['epoch']}); "
        f"checkpoints in {args.out / 'checkpoints'}"
    )
    return 0


def run_train(args: argparse.Namespace) -> int:
    """Train the acoustic model or the vocoder on a prepared data directory.

    Runs on one process, or on many under torchrun (torchrun --nproc_per_node 4 -m tts.cli train
    ...): the engine picks up the distributed environment itself.
    """
    result = train_stage(
        args.stage, args.data, args.config, args.out, resume=args.resume, max_steps=args.max_steps, device=args.device
    )
    return _report(args, result)


def run_finetune(args: argparse.Namespace) -> int:
    """Fine-tune a trained acoustic model or vocoder (this project's or NVIDIA's) on new data.

    Warm-start from CHECKPOINT (tensors whose shapes differ, e.g. a new symbol or speaker table,
    are re-initialised and listed), optionally freeze modules, and train on new data with a lower
    learning rate (a tenth of the preset's unless given).
    """
    freeze = tuple(name.strip() for name in args.freeze.split(",") if name.strip())
    result = train_stage(
        args.stage,
        args.data,
        args.config,
        args.out,
        resume=args.resume,
        max_steps=args.max_steps,
        device=args.device,
        init_from=args.init_from,
        freeze=freeze,
        learning_rate=args.learning_rate,
    )
    return _report(args, result)
