"""``tts report --voice NAME --out DIR``: an HTML listening report of a voice."""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path

from base.errors import TTSError
from tts.commands import add_command, add_json_option, add_sentence_set_option, add_voice_option


def register(subparsers: argparse._SubParsersAction) -> None:
    from tts.report.build import DEFAULT_SENTENCES

    parser = add_command(subparsers, "report", run)
    add_voice_option(parser, required=True)
    parser.add_argument("--out", type=Path, required=True, help="the report's folder (index.html, audio/, pictures/)")
    parser.add_argument(
        "--lang", "-l", action="append", default=None, help="a language to report (repeat; default every one)"
    )
    parser.add_argument(
        "--sentences",
        type=int,
        default=DEFAULT_SENTENCES,
        help=f"sentences per language (default {DEFAULT_SENTENCES}; identification needs 2 or more)",
    )
    add_sentence_set_option(parser)
    parser.add_argument("--speaker", default="0", help="speaker index or name (default 0)")
    parser.add_argument(
        "--data-dir", type=Path, default=None, help="prepared training data, as for `tts eval` (default: voice.json's)"
    )
    parser.add_argument(
        "--corpus", type=Path, default=None, help="training corpus manifest.tsv whose sentences to exclude"
    )
    parser.add_argument("--workdir", type=Path, default=None, help="folder to cache the espeak-ng references in")
    add_json_option(parser, "what report.json holds (settings, per-sentence scores and files)")
    parser.add_argument("--device", default="cpu", help="torch device (cpu, cuda)")
    parser.add_argument("--no-progress", action="store_true", help="hide the progress bars")


def run(args: argparse.Namespace) -> int:
    """Write an HTML listening report of a voice (needs the `report` extra).

    For N evaluation sentences per language: the text, espeak-ng's reference, the reference mel through
    Griffin-Lim and through the voice's WaveGlow (copy synthesis), the voice's speech with each vocoder,
    mel and alignment pictures, and the per-sentence scores of `tts eval`; one index.html with the
    audio beside it in --out, to open offline in any browser.
    """
    from tts.report import REPORT_EXTRA_HINT

    try:
        import matplotlib  # noqa: F401
    except ModuleNotFoundError:
        raise TTSError(f"`tts report` draws with matplotlib, which is not installed: {REPORT_EXTRA_HINT}") from None
    import json

    import tts
    from base.files import atomic_write_text
    from tts.report.build import INDEX, write_report

    if args.json_path is not None and args.json_path.is_dir():
        raise TTSError(f"{args.json_path}: is a folder; give a file name for --json")
    voice = tts.load_voice(str(args.voice), device=args.device)
    speaker = int(args.speaker) if str(args.speaker).isdigit() else args.speaker
    command = "tts " + " ".join(shlex.quote(a) for a in sys.argv[1:]) if sys.argv[1:2] == ["report"] else None
    report = write_report(
        voice,
        args.out,
        languages=args.lang,
        sentences=args.sentences,
        sentence_set=args.sentence_set,
        speaker=speaker,
        workdir=args.workdir,
        data_dir=args.data_dir,
        corpus=args.corpus,
        progress=not args.no_progress,
        command=command,
    )
    if args.json_path is not None:
        atomic_write_text(args.json_path, json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    print(args.out / INDEX)
    return 0
