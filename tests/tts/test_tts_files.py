"""Files written whole or not at all (:mod:`base.files`)."""

from __future__ import annotations

import os

import pytest

from base.files import atomic_path, atomic_write_text


def test_a_write_replaces_the_file_whole_with_the_users_permissions(tmp_path):
    path = tmp_path / "sub" / "report.json"
    umask = os.umask(0o022)
    try:
        atomic_write_text(path, "first")
        atomic_write_text(path, "second")
    finally:
        os.umask(umask)
    assert path.read_text() == "second" and path.stat().st_mode & 0o777 == 0o644
    assert [p.name for p in path.parent.iterdir()] == ["report.json"]


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path):
    path = tmp_path / "data.tsv"
    path.write_text("old")
    with pytest.raises(RuntimeError):
        with atomic_path(path) as tmp:
            tmp.write_text("half")
            raise RuntimeError("killed mid-write")
    assert path.read_text() == "old" and [p.name for p in tmp_path.iterdir()] == ["data.tsv"]


def test_concurrent_writers_get_their_own_temporaries(tmp_path):
    path = tmp_path / "x.npy"
    with atomic_path(path, suffix=".tmp.npy") as first, atomic_path(path, suffix=".tmp.npy") as second:
        assert first != second and first.name.endswith(".tmp.npy") and first.parent == tmp_path
        first.write_text("a")
        second.write_text("b")
    assert path.read_text() == "a"  # the outer block ends last: its file is the one left
    assert [p.name for p in tmp_path.iterdir()] == ["x.npy"]
