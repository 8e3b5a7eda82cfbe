"""Files written whole or not at all: a temporary file of the writer's own beside the target,
renamed over it. Needs neither torch nor numpy, so every layer (and the torch-free ONNX runtime)
writes this way."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path


@contextlib.contextmanager
def atomic_path(
    path: str | os.PathLike, suffix: str = ".tmp", place: Callable[[Path], None] | None = None
) -> Iterator[Path]:
    """A temporary path of the caller's own in ``path``'s folder (created empty, ending in
    ``suffix``), moved onto ``path`` when the block ends, removed if it raises. Concurrent
    writers never share a temporary file, a reader sees the old file or the new one, and the
    file gets the permissions a plain ``open()`` would give it. ``place(tmp)``, when given,
    moves the finished file instead of ``os.replace(tmp, path)`` (a writer with its own rule for
    claiming the name).

    Example::

        with atomic_path(out / "report.json") as tmp:
            tmp.write_text(text)
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=suffix, dir=path.parent)
    os.close(descriptor)
    tmp = Path(name)
    try:
        yield tmp
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        if place is None:
            os.replace(tmp, path)
        else:
            place(tmp)
    finally:
        tmp.unlink(missing_ok=True)


def atomic_write_text(path: str | os.PathLike, text: str) -> Path:
    """Write ``text`` (UTF-8) to ``path`` atomically (:func:`atomic_path`)."""
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(path)
