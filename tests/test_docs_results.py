"""The measured figures in the docs are generated from benchmarks/results/*.json, and current."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_docs_results_are_what_the_json_gives():
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "results_tables.py"), "--check"], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr


def test_readme_is_short_and_links_pages_that_exist():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(readme.splitlines()) <= 250
    for page in (
        "synthesize",
        "voices",
        "onnx",
        "serve",
        "performance",
        "results",
        "training",
        "architecture",
        "cli",
        "development",
    ):
        assert f"docs/{page}.md" in readme
        assert (ROOT / "docs" / f"{page}.md").is_file()
