"""Corpus formats registered by name, in the manner of Coqui TTS's formatters.

A format is a function ``reader(path: Path, **options) -> CorpusReadResult``; decorating it with
``@register_format("name")`` makes it available to :func:`read_corpus` and ``tts corpus info``.
"""

from __future__ import annotations

import inspect
import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from base.errors import TTSError
from tts.corpora.corpus import CorpusReadResult

log = logging.getLogger(__name__)

Reader = Callable[..., CorpusReadResult]

FORMATS: dict[str, Reader] = {}

# Enough problems to see what is wrong without flooding the log on a corpus with thousands.
LOGGED_PROBLEMS = 20


def register_format(name: str) -> Callable[[Reader], Reader]:
    """Register the decorated reader under ``name``; a name can be registered only once."""

    def decorate(reader: Reader) -> Reader:
        if name in FORMATS:
            raise ValueError(f"corpus format {name!r} is already registered by {FORMATS[name].__module__}")
        FORMATS[name] = reader
        return reader

    return decorate


def format_options(format_name: str) -> list[str]:
    """The keyword options the reader of ``format_name`` accepts."""
    parameters = list(inspect.signature(get_reader(format_name)).parameters.values())[1:]
    return [p.name for p in parameters]


def get_reader(format_name: str) -> Reader:
    """The reader registered as ``format_name``; a TTSError lists the known ones otherwise."""
    try:
        return FORMATS[format_name]
    except KeyError:
        raise TTSError(f"unknown corpus format {format_name!r}; known formats: {', '.join(sorted(FORMATS))}") from None


def read_corpus(format_name: str, path: str | os.PathLike, **options: Any) -> CorpusReadResult:
    """Read the corpus at ``path`` in format ``format_name``.

    Entries that cannot be used (malformed lines, missing recordings, empty transcripts,
    duplicate ids) are left out, logged as warnings and returned in ``problems``.

    Raises:
        TTSError: unknown format or option, ``path`` missing, or a corpus that cannot be read
            at all (no transcript file, missing required columns).
    """
    reader = get_reader(format_name)
    unknown = sorted(set(options) - set(format_options(format_name)))
    if unknown:
        raise TTSError(
            f"corpus format {format_name!r} has no option {', '.join(unknown)}; "
            f"its options: {', '.join(format_options(format_name)) or 'none'}"
        )
    path = Path(path)
    if not path.exists():
        raise TTSError(f"{path}: no such corpus file or folder")
    result = reader(path, **options)
    for problem in result.problems[:LOGGED_PROBLEMS]:
        log.warning("%s", problem)
    if len(result.problems) > LOGGED_PROBLEMS:
        log.warning("... and %d more problems", len(result.problems) - LOGGED_PROBLEMS)
    log.info(
        "read %d utterances of %d speakers from %s (%s), %d left out",
        len(result.utterances),
        len(result.speakers),
        path,
        format_name,
        len(result.problems),
    )
    return result
