"""Shared start of every ``recipes/<name>/run.sh``: run the recipe with the toolkit's Python.

Under a Python without the toolkit (``python recipes/x/run.sh`` outside the virtual environment)
it re-executes the recipe with the project's ``.venv`` Python.
"""

import os
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))


def run(script: str, **recipe: object) -> int:
    """Run the recipe described by ``recipe`` (the fields of ``tts.recipes.Recipe``)."""
    try:
        from tts.recipes import Recipe, main
    except ImportError:
        venv = os.path.join(ROOT, ".venv")
        python = os.path.join(venv, "bin", "python")
        if os.path.exists(python) and os.path.realpath(sys.prefix) != os.path.realpath(venv):
            os.execv(python, [python, os.path.abspath(script), *sys.argv[1:]])
        sys.exit("the toolkit is not installed: run `make install` in " + ROOT)
    return main(Recipe(**recipe), sys.argv[1:])
