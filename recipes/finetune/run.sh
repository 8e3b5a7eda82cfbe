#!/bin/sh
''''true; py="$(dirname "$0")/../../.venv/bin/python"; [ -x "$py" ] || py=python3; exec "$py" "$0" "$@" #'''
# The line above is shell and Python at once: under sh or bash (and as ./run.sh) it re-executes
# this file with the project's Python; under Python it is a string and does nothing. So the
# recipe runs as `python recipes/finetune/run.sh`, `bash recipes/finetune/run.sh` or `./run.sh`.
"""The finetune recipe: see `python recipes/finetune/run.sh --help` and tts/recipes.py."""
import os
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
try:
    from tts.recipes import main
except ImportError:  # run by a Python without the toolkit: use the project's environment
    venv = os.path.join(ROOT, ".venv")
    if os.path.exists(os.path.join(venv, "bin", "python")) and os.path.realpath(sys.prefix) != os.path.realpath(venv):
        os.execv(os.path.join(venv, "bin", "python"), [os.path.join(venv, "bin", "python"), os.path.abspath(__file__), *sys.argv[1:]])
    sys.exit("the toolkit is not installed: run `make install` in " + ROOT)

sys.exit(main("finetune", sys.argv[1:]))
