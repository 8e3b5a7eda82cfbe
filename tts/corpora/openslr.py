"""Google's crowd-sourced TTS corpora on OpenSLR (Bengali SLR37 and its siblings).

Layout: ``line_index.tsv`` with ``<file id><TAB><text>`` lines and ``wavs/<file id>.wav``. File
ids look like ``ben_00737_00028543902``: language-and-gender prefix, speaker number, utterance
number; the speaker is the first two parts (``ben_00737``). Every ``line_index.tsv`` under the
given folder is read (SLR37 ships ``bn_bd`` and ``bn_in`` side by side).
"""

from __future__ import annotations

import re
from pathlib import Path

from base.errors import TTSError
from tts.corpora.corpus import CorpusCollector, CorpusReadResult, Utterance
from tts.corpora.registry import register_format

LINE_INDEX = "line_index.tsv"

_FILE_ID = re.compile(r"^(?P<speaker>[A-Za-z]+_\d+)_\d+$")


@register_format("openslr")
def read_openslr(path: Path, language: str | None = "bn") -> CorpusReadResult:
    """Read every ``line_index.tsv`` under ``path`` (or ``path`` itself if it is one).

    Args:
        path: a folder holding ``line_index.tsv`` and ``wavs/``, a folder of such, or the TSV.
        language: language of the transcripts (SLR37 is Bengali).
    """
    indexes = [path] if path.is_file() else sorted(path.rglob(LINE_INDEX))
    if not indexes:
        raise TTSError(f"{path}: no {LINE_INDEX} found; an OpenSLR TTS corpus has {LINE_INDEX} and wavs/")
    collector = CorpusCollector()
    for index in indexes:
        _read_line_index(index, language, collector)
    return collector.result()


def speaker_of(file_id: str, default: str) -> str:
    """``ben_00737_00028543902`` -> ``ben_00737``; ``default`` for ids of another shape."""
    match = _FILE_ID.match(file_id)
    return match["speaker"] if match else default


def _read_line_index(index: Path, language: str | None, collector: CorpusCollector) -> None:
    with open(index, encoding="utf-8") as handle:
        for line_number, line in enumerate(handle, start=1):
            line = line.rstrip("\r\n")
            if not line.strip():
                continue
            # Some Google releases put two tabs between id and text: empty fields are not text.
            fields = [f for f in line.split("\t") if f.strip()]
            if len(fields) != 2:
                collector.problem(index, line_number, f"expected '<file id><TAB><text>', got {len(fields)} field(s)")
                continue
            file_id, text = fields[0].strip(), fields[1].strip()
            speaker = speaker_of(file_id, default=index.parent.name)
            collector.add(
                Utterance(index.parent / "wavs" / f"{file_id}.wav", text, speaker, language, file_id),
                index,
                line_number,
            )
