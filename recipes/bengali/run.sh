#!/bin/sh
''''true; py="$(dirname "$0")/../../.venv/bin/python"; [ -x "$py" ] || py=python3; exec "$py" "$0" "$@" #'''
# The line above is shell and Python at once: under sh or bash (and as ./run.sh) it re-executes
# this file with the project's Python; under Python it is a string and does nothing. So the
# recipe runs as `python recipes/bengali/run.sh`, `bash recipes/bengali/run.sh` or `./run.sh`.
"""The bengali recipe: see `python recipes/bengali/run.sh --help` and tts/recipes.py."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from _launch import run  # noqa: E402

# This recipe's defaults; the logic is in tts/recipes.py.
sys.exit(run(__file__, name="bengali", language="bn", corpus_format="openslr"))
