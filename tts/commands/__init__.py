"""Sub-commands of the ``tts`` command line, one module each (see :mod:`tts.cli`).

Each module's ``register(subparsers)`` adds its commands with :func:`add_command`, which takes a
command's help from the docstring of the function that runs it, and shares the options that
several commands take through the ``add_*_option`` helpers below, so that a flag is spelled and
explained the same way everywhere.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

from tts.vocoding import DEFAULT_DENOISE, DEFAULT_SIGMA

SEED_MAX = 2**32 - 1  # numpy's RandomState (Griffin-Lim's phase) takes no larger seed
VOICE_HELP = "voice name (`tts voices`) or bundle directory/archive"

Runner = Callable[[argparse.Namespace], int]


def seed(value: str) -> int:
    """An argparse type for ``--seed``: an integer from 0 to :data:`SEED_MAX`."""
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be an integer from 0 to {SEED_MAX}, got {value!r}") from None
    if not 0 <= number <= SEED_MAX:
        raise argparse.ArgumentTypeError(f"must be an integer from 0 to {SEED_MAX}, got {value}")
    return number


def add_command(subparsers: argparse._SubParsersAction, name: str, run: Runner) -> argparse.ArgumentParser:
    """Add the command ``name`` that calls ``run``. The first paragraph of ``run``'s docstring is
    the command's line in the list of commands; the rest is its ``--help`` description."""
    summary, _, details = (run.__doc__ or name).strip().partition("\n\n")
    line = " ".join(summary.split()).rstrip(".")
    # The list of commands reads as argparse's own help does: lower case, no full stop.
    parser = subparsers.add_parser(
        name, help=line[:1].lower() + line[1:], description=" ".join((details or summary).split())
    )
    parser.set_defaults(func=run)
    return parser


def add_voice_option(parser: argparse.ArgumentParser, required: bool = False, help: str = VOICE_HELP) -> None:
    parser.add_argument("--voice", required=required, default=None, help=help)


def add_json_option(parser: argparse.ArgumentParser, what: str = "the results") -> None:
    """``--json PATH``: the same flag wherever a command can write what it found as JSON."""
    parser.add_argument(
        "--json", type=Path, default=None, dest="json_path", metavar="PATH", help=f"write {what} as JSON"
    )


def add_sentence_set_option(parser: argparse.ArgumentParser) -> None:
    """``--set unseen|heldout``: which sentences a voice is judged on (``tts eval``, ``tts report``)."""
    parser.add_argument(
        "--set",
        choices=("unseen", "heldout"),
        default="unseen",
        dest="sentence_set",
        help="unseen: the fixed evaluation set written for `tts eval` (default); heldout: "
        "phrasebook sentences outside the training transcripts",
    )


def add_postfilter_option(parser: argparse.ArgumentParser, default: str) -> None:
    parser.add_argument(
        "--postfilter",
        type=float,
        default=None,
        metavar="BETA",
        help=f"spectral-contrast factor for the predicted mels, 1 (off) to 2 (default {default})",
    )


def add_waveglow_options(parser: argparse.ArgumentParser) -> None:
    """``--sigma``, ``--denoise`` and ``--seed``: how WaveGlow draws its audio and cleans it."""
    parser.add_argument(
        "--sigma", type=float, default=DEFAULT_SIGMA, help=f"WaveGlow latent scale (default {DEFAULT_SIGMA})"
    )
    parser.add_argument(
        "--denoise",
        type=float,
        default=DEFAULT_DENOISE,
        help=f"WaveGlow denoiser strength, e.g. 0.01-0.1 (default {DEFAULT_DENOISE}: off)",
    )
    parser.add_argument("--seed", type=seed, default=None, help="seed for reproducible audio")


def add_precision_option(parser: argparse.ArgumentParser, default: str) -> None:
    """``--precision fp32|int8``: the weights of the models' large products (docs/precision.md)."""
    from base.cpu import PRECISIONS

    parser.add_argument(
        "--precision",
        choices=PRECISIONS,
        default=None,
        help=f"fp32, or int8 weights in the models' large products (CPU; docs/precision.md); default {default}",
    )


def add_out_options(parser: argparse.ArgumentParser, what: str) -> None:
    """``--out DIR`` (required) and ``--force`` to replace what is there."""
    parser.add_argument("--out", type=Path, required=True, help=what)
    parser.add_argument("--force", action="store_true", help="replace an existing bundle at --out")
