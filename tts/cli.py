"""The ``tts`` command line.

Each sub-command lives in its own module under :mod:`tts.commands` and exposes
``register(subparsers)``, which adds its parser and sets ``func`` to the function that runs it.
Errors the user can fix (:class:`base.errors.TTSError`, :class:`text.TextError`, and operating
system errors such as an unwritable output path) are printed as one line, without a traceback,
and the command exits with status 2.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Sequence
from typing import NoReturn

from base.errors import TTSError
from text.errors import TextError
from tts import __version__

COMMANDS = (
    "synth",
    "voices",
    "export",
    "evaluate",
    "bench",
    "mel",
    "vocode",
    "normalize",
    "corpus",
    "prepare",
    "train",
    "serve",
    "report",
)

log = logging.getLogger("tts")


class _Parser(argparse.ArgumentParser):
    """argparse with bad usage reported as every other error is: one line on stderr naming the
    value and pointing at ``--help``, exit status 2 (argparse's own prints the whole usage)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")

    def _get_values(self, action: argparse.Action, arg_strings: list[str]) -> object:
        # Python 3.11's argparse drops a "--" given as an option's value (``--batch-size=--``)
        # and stores an empty list where a number belongs; refuse it as a missing value instead.
        if action.option_strings and action.nargs is None and arg_strings == ["--"]:
            self.error(f"argument {'/'.join(action.option_strings)}: expected one argument, got '--'")
        return super()._get_values(action, arg_strings)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="tts", description="Offline text-to-speech for Indian languages.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug messages")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMANDS:
        try:
            module = importlib.import_module(f"tts.commands.{name}")
        except ModuleNotFoundError as exc:
            # A deployment with onnxruntime but no PyTorch still synthesizes; the commands that
            # need PyTorch say so instead of breaking the whole CLI.
            if exc.name != "torch":
                raise
            _register_unavailable(subparsers, name)
            continue
        module.register(subparsers)
    return parser


def _register_unavailable(subparsers: argparse._SubParsersAction, module: str) -> None:
    command = {"evaluate": "eval"}.get(module, module)

    def unavailable(args: argparse.Namespace) -> int:
        raise TTSError(
            f"`tts {command}` needs PyTorch, which is not installed here: pip install torch==2.13.0 "
            "(CPU) and then the toolkit; without it, `tts synth --engine onnx` works with ONNX voices"
        )

    parser = subparsers.add_parser(command, help="(needs PyTorch)", add_help=False)
    parser.add_argument("rest", nargs=argparse.REMAINDER)
    parser.set_defaults(func=unavailable)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(levelname)s %(name)s: %(message)s",
    )
    try:
        return int(args.func(args) or 0)
    except (TTSError, TextError) as exc:
        print(f"tts {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # unwritable output, full disk, missing permissions
        print(f"tts {args.command}: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
