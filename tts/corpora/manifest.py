"""The ``manifest`` format: a CSV or TSV listing recordings, for users' own corpora.

A header row names the columns; ``path`` and ``text`` are required, ``speaker``, ``language`` and
``utt_id`` are optional (column names are case-insensitive, in any order)::

    path	text	speaker	language
    wavs/0001.wav	kal meeting 3 baje hai	asha	hinglish

``.tsv`` (and ``.txt``) files are tab-separated with no quoting, so quotes in transcripts are
plain characters; ``.csv`` files are comma-separated with the usual double-quote quoting.
Relative paths are relative to the manifest's folder. Without ``utt_id`` an utterance is named
after its recording (``0001``). Line numbers in problem reports count the header as line 1 and
assume one row per line (a quoted CSV field spanning lines shifts them).
"""

from __future__ import annotations

import csv
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from base.errors import TTSError
from base.files import atomic_path
from tts.corpora.corpus import CorpusCollector, CorpusReadResult, Utterance
from tts.corpora.registry import register_format

REQUIRED_COLUMNS = ("path", "text")
OPTIONAL_COLUMNS = ("speaker", "language", "utt_id")
MANIFEST_NAMES = ("manifest.tsv", "manifest.csv")

# Stands in for a row with more fields than pandas was told to expect, so that the row keeps its
# place and its line number can still be reported (pandas' bad-line hook does not give it).
_TOO_MANY_FIELDS = "\0too many fields"


@dataclass(frozen=True)
class Dialect:
    """How a manifest's fields are separated and quoted."""

    separator: str
    quoting: int

    @property
    def name(self) -> str:
        return "tab" if self.separator == "\t" else "comma"


def dialect_of(path: Path) -> Dialect:
    """The dialect that ``path``'s extension stands for (``.tsv``/``.txt``: tabs, ``.csv``: commas)."""
    suffix = path.suffix.lower()
    if suffix in (".tsv", ".txt"):
        return Dialect("\t", csv.QUOTE_NONE)
    if suffix == ".csv":
        return Dialect(",", csv.QUOTE_MINIMAL)
    raise TTSError(f"{path}: a manifest must end in .tsv, .txt (tab-separated) or .csv (comma-separated)")


def find_manifest(path: Path) -> Path:
    """``path`` itself if it is a file, else the ``manifest.tsv`` or ``manifest.csv`` in that folder."""
    if path.is_file():
        return path
    for name in MANIFEST_NAMES:
        if (path / name).is_file():
            return path / name
    raise TTSError(f"{path}: no {' or '.join(MANIFEST_NAMES)} in this folder; give the manifest file itself")


@register_format("manifest")
def read_manifest(path: Path, speaker: str | None = None, language: str | None = None) -> CorpusReadResult:
    """Read a manifest CSV/TSV (or the ``manifest.tsv``/``manifest.csv`` in a folder).

    Args:
        path: the manifest, or a folder holding ``manifest.tsv`` or ``manifest.csv``.
        speaker: speaker of rows without one; the manifest folder's name by default.
        language: language of rows without one.

    Raises:
        TTSError: when the manifest lacks a required column or cannot be parsed at all.
    """
    manifest = find_manifest(path)
    dialect = dialect_of(manifest)
    header, rows = _read_rows(manifest, dialect)
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise TTSError(
            f"{manifest}, line 1: the header has no {', '.join(missing)} column; found {header or 'nothing'}. "
            f"The first line must name the columns ({dialect.name}-separated): "
            f"{', '.join(REQUIRED_COLUMNS)} and optionally {', '.join(OPTIONAL_COLUMNS)}"
        )
    defaults = {"speaker": speaker or manifest.parent.resolve().name, "language": language}
    collector = CorpusCollector()
    body = rows.iloc[1:].itertuples(index=False, name=None)
    for line, values in enumerate(body, start=2):
        _read_row(list(values), header, defaults, manifest, line, collector)
    return collector.result()


def _read_rows(manifest: Path, dialect: Dialect) -> tuple[list[str], pd.DataFrame]:
    """The header's column names (lower-case) and all lines of ``manifest`` as strings.

    The table has the header as row 0 and one column more than the header. Blank lines are kept
    (as all-NaN rows) so that row ``i`` is line ``i + 1``; a field in the extra column, or the
    stand-in row, marks a line with too many fields.
    """
    options = dict(
        sep=dialect.separator,
        quoting=dialect.quoting,
        encoding="utf-8-sig",
        dtype=str,
        keep_default_na=False,
        skip_blank_lines=False,
        engine="python",
    )
    try:
        columns = pd.read_csv(manifest, nrows=0, **options).columns
        rows = pd.read_csv(
            manifest,
            header=None,
            names=range(len(columns) + 1),
            index_col=False,
            on_bad_lines=lambda fields: [_TOO_MANY_FIELDS],
            **options,
        )
    except pd.errors.EmptyDataError:
        return [], pd.DataFrame()
    except (pd.errors.ParserError, UnicodeDecodeError, csv.Error) as exc:
        raise TTSError(f"{manifest}: cannot parse as a {dialect.name}-separated manifest ({exc})") from exc
    return [str(name).strip().lower() for name in columns], rows


def _read_row(
    values: list, header: list[str], defaults: dict, manifest: Path, line: int, collector: CorpusCollector
) -> None:
    if all(pd.isna(v) for v in values):
        return
    extra = values[len(header)]
    if values[0] == _TOO_MANY_FIELDS or not (pd.isna(extra) or extra == ""):
        collector.problem(
            manifest,
            line,
            f"more fields than the {len(header)} columns of the header (an unquoted separator inside a transcript?)",
        )
        return
    row = {name: ("" if pd.isna(value) else value.strip()) for name, value in zip(header, values)}
    if not row["path"]:
        collector.problem(manifest, line, "no recording path")
        return
    if pd.isna(values[header.index("text")]):
        collector.problem(manifest, line, f"only {sum(not pd.isna(v) for v in values)} field(s); no text")
        return
    audio_path = Path(row["path"]).expanduser()
    audio_path = audio_path if audio_path.is_absolute() else manifest.parent / audio_path
    utterance = Utterance(
        audio_path=audio_path,
        text=row["text"],
        speaker=row.get("speaker") or defaults["speaker"],
        language=row.get("language") or defaults["language"],
        utt_id=row.get("utt_id") or audio_path.stem,
    )
    collector.add(utterance, manifest, line)


def write_manifest(path: str | os.PathLike, utterances: Iterable[Utterance]) -> Path:
    """Write ``utterances`` as a manifest at ``path`` (``.tsv``/``.txt`` or ``.csv``), atomically.

    Recordings inside the manifest's folder are written relative to it, others absolutely. An
    ``utt_id`` column is added only when some id differs from its recording's name.

    Raises:
        TTSError: when a field holds a line break, or a tab in a TSV (no quoting there).
    """
    path = Path(path)
    dialect = dialect_of(path)
    utterances = list(utterances)
    table = pd.DataFrame(
        {
            "path": [_relative_to(u.audio_path, path.parent) for u in utterances],
            "text": [u.text for u in utterances],
            "speaker": [u.speaker for u in utterances],
            "language": [u.language or "" for u in utterances],
        },
        dtype=str,
    )
    if any(u.utt_id != u.audio_path.stem for u in utterances):
        table["utt_id"] = [u.utt_id for u in utterances]
    _check_writable_fields(table, dialect, path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(path) as tmp:
        table.to_csv(
            tmp, sep=dialect.separator, quoting=dialect.quoting, index=False, lineterminator="\n", encoding="utf-8"
        )
    return path


def _relative_to(audio_path: Path, folder: Path) -> str:
    try:
        return audio_path.resolve().relative_to(folder.resolve()).as_posix()
    except ValueError:
        return str(audio_path.resolve())


def _check_writable_fields(table: pd.DataFrame, dialect: Dialect, path: Path) -> None:
    forbidden = ("\n", "\r", "\t") if dialect.separator == "\t" else ("\n", "\r")
    for column in table.columns:
        for row, value in enumerate(table[column], start=2):
            if any(char in value for char in forbidden):
                raise TTSError(
                    f"{path}: cannot write {column} {value!r} (row for line {row}): "
                    "it holds a line break or, in a TSV, a tab"
                )
