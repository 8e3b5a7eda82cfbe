"""``tts train vocoder|acoustic --data DIR --config CONFIG --out RUN``: train one stage.

Runs on one process, or on many under ``torchrun`` (``torchrun --nproc_per_node 4 -m tts.cli
train ...``): the engine picks up the distributed environment itself.
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

from tts.training import Trainer, read_config_file
from tts.training.vocoder_task import VocoderTask

log = logging.getLogger(__name__)

STAGES = ("vocoder",)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "train",
        help="train the acoustic model or the vocoder on a prepared data directory",
        description=__doc__.split("\n\n")[1],
    )
    parser.add_argument("stage", choices=STAGES, help="which model to train")
    parser.add_argument("--data", type=Path, required=True, help="prepared data directory (tts prepare)")
    parser.add_argument("--config", default="base", help="preset (base, tiny) or a .yaml/.json file")
    parser.add_argument("--out", type=Path, required=True, help="run directory (checkpoints, logs)")
    parser.add_argument("--resume", action="store_true", help="continue from the latest checkpoint in --out")
    parser.add_argument("--max-steps", type=int, default=None, help="override training.max_steps")
    parser.add_argument("--device", default=None, help="torch device (default: cuda if present, else cpu)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    config = read_config_file(args.stage, args.config)
    if args.max_steps is not None:
        config.training["max_steps"] = args.max_steps
    task, training = VocoderTask.from_config(args.data, config)
    result = Trainer(task, training, args.out, resume=args.resume, device=args.device).fit()
    print(f"{args.stage}: stopped at step {result['step']} (epoch {result['epoch']}); "
          f"checkpoints in {args.out / 'checkpoints'}")
    return 0
