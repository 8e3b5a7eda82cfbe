"""``tts voices``: the voices on this machine, bundled and the user's."""

from __future__ import annotations

import argparse
import json
from typing import Any

from rich.console import Console
from rich.table import Table

from base.files import atomic_write_text
from tts.commands import add_command
from tts.voice_manifest import list_voices, user_voice_dirs


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = add_command(subparsers, "voices", run)
    parser.add_argument(
        "--json",
        nargs="?",
        const="-",
        default=None,
        dest="json_path",
        metavar="PATH",
        help="write the list as JSON to PATH (no PATH or -: print it instead of the table)",
    )


def run(args: argparse.Namespace) -> int:
    """List the voices: bundled ones and yours.

    List the voices tts synth can use by name: those in $TTS_VOICES (or
    ~/.local/share/swaratts/voices) and those bundled with the package. A user voice hides a
    bundled one of the same name.
    """
    entries = list_voices()
    rows: list[dict[str, Any]] = [
        {
            "name": e.manifest.name,
            "languages": e.manifest.languages,
            "speakers": e.manifest.speakers,
            "sample_rate": e.manifest.sample_rate,
            "engine": e.manifest.engine,
            "origin": e.origin,
            "path": str(e.path),
            "megabytes": round(
                sum((e.path / f).stat().st_size for f in e.manifest.sha256 if (e.path / f).is_file()) / 1e6, 1
            ),
            "description": e.manifest.description,
        }
        for e in entries
    ]
    if args.json_path is not None:
        text = json.dumps(rows, indent=2, ensure_ascii=False)
        if args.json_path == "-":
            print(text)
            return 0
        atomic_write_text(args.json_path, text + "\n")
        print(f"wrote {args.json_path}")
        return 0
    table = Table(title="Voices", caption=f"user voices: {', '.join(map(str, user_voice_dirs()))}")
    for column in ("name", "languages", "speakers", "rate", "engine", "origin", "MB", "path"):
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(
            row["name"],
            ", ".join(row["languages"]),
            str(len(row["speakers"]) or 1),
            str(row["sample_rate"]),
            row["engine"],
            row["origin"],
            str(row["megabytes"]),
            row["path"],
        )
    Console().print(table)
    if not rows:
        print("no voices: train one with `python recipes/hinglish/run.sh` and add it with `tts export voice`")
    return 0
