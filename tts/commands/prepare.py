"""``tts prepare FORMAT PATH --lang LANG --out data/NAME``: a corpus made ready for training."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from base.errors import TTSError
from tts.commands import add_command
from tts.prepare import PrepareConfig, prepare_corpus


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = add_command(subparsers, "prepare", run)
    parser.add_argument("format", help="corpus format: ljspeech, indictts, syspin, openslr, manifest")
    parser.add_argument("path", type=Path, help="the corpus folder (or manifest file)")
    parser.add_argument("--lang", "-l", required=True, help="language of the text (en, hi, bn, hinglish, benglish)")
    parser.add_argument("--out", type=Path, required=True, help="prepared data directory, e.g. data/NAME")
    parser.add_argument("--config", type=Path, default=None, help="JSON/YAML file with PrepareConfig fields")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="parallel processes")
    parser.add_argument("--force", action="store_true", help="redo a directory prepared with other settings")
    parser.add_argument(
        "--text-input",
        choices=("characters", "phonemes"),
        default="characters",
        help="what the acoustic model will read: the normalized letters, or their espeak-ng IPA",
    )


def run(args: argparse.Namespace) -> int:
    """Validate, trim and normalize a corpus and cache its mels for training.

    Read a corpus (ljspeech, indictts, syspin, openslr or manifest), validate and trim its audio,
    normalize its text, compute mels in parallel and write train/val manifests and a report.
    Resumable: a second run skips finished utterances.
    """
    config = PrepareConfig()
    if args.config is not None:
        config = _read_config(args.config)
    report = prepare_corpus(
        args.format,
        args.path,
        args.lang,
        args.out,
        config,
        workers=args.workers,
        force=args.force,
        text_input=args.text_input,
    )
    _print_report(report, args.out, verbose=bool(getattr(args, "verbose", False)))
    return 0


def _read_config(path: Path) -> PrepareConfig:
    if not path.is_file():
        raise TTSError(f"{path}: no such config file")
    try:
        import yaml

        values = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        return PrepareConfig.from_dict(values)
    except (ValueError, TypeError, yaml.YAMLError) as exc:
        raise TTSError(f"{path}: bad prepare config: {' '.join(str(exc).split())}") from exc


def _print_report(report: dict, out: Path, verbose: bool = False) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    table = Table(title=f"prepared {out}")
    table.add_column("")
    table.add_column("utterances", justify="right")
    table.add_column("hours", justify="right")
    table.add_row("kept", str(report["kept"]), f"{report['hours']:.3f}")
    table.add_row("  train / val", f"{report['train']} / {report['val']}", "")
    for speaker, figures in report["speakers"].items():
        table.add_row(f"  speaker {speaker}", str(figures["utterances"]), f"{figures['hours']:.3f}")
    for reason, count in report["dropped"].items():
        table.add_row(f"dropped: {reason}", str(count), "")
    if report["clipped_clips"]:
        table.add_row("clips with clipped samples", str(report["clipped_clips"]), "")
    console.print(table)
    for problem in report["problems"][:5]:
        console.print(f"left out: {problem}", markup=False)
    if len(report["problems"]) > 5:
        console.print(f"... and {len(report['problems']) - 5} more in the report")
    dropped = report.get("dropped_files", [])
    if verbose:
        for row in dropped:
            console.print(f"dropped {row['utt_id']} ({row['audio']}): {row['reason']}", markup=False, soft_wrap=True)
    elif dropped:
        console.print(
            f"{len(dropped)} dropped file{'s' if len(dropped) > 1 else ''} and why: 'dropped_files' in the "
            "report (-v prints them)"
        )
    console.print(f"report: {out / 'report.json'}")
