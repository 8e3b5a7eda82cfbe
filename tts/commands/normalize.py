"""``tts normalize "TEXT" -l LANG [--tags] [--ids]``: show what the text frontend makes of text."""

from __future__ import annotations

import argparse

import text
from text.languages import ALIASES
from tts.commands import add_command


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = add_command(subparsers, "normalize", run)
    parser.add_argument("text", help="the text to normalize (quote it)")
    parser.add_argument(
        "-l",
        "--lang",
        required=True,
        help=f"language: {', '.join(text.supported_languages())} (aliases: {', '.join(sorted(ALIASES))})",
    )
    parser.add_argument("--tags", action="store_true", help="also print each token's language tag")
    parser.add_argument("--ids", action="store_true", help="also print the symbol ids")


def run(args: argparse.Namespace) -> int:
    """Print the normalized text (and language tags / symbol ids).

    Normalize text the way the acoustic model reads it: numbers and symbols as words, Hindi in
    Devanagari, Bengali in Bengali script, English in lower-case Latin.
    """
    print(text.normalize(args.text, args.lang))
    if args.tags:
        print(" ".join(f"{token}/{tag}" for token, tag in text.tag_tokens(args.text, args.lang)))
    if args.ids:
        print(" ".join(str(i) for i in text.text_to_sequence(args.text, args.lang)))
    return 0
