# Set-up, main job and tests. `make demo` and `make test` run `make install` first when needed.
PYTHON ?= python3
VENV := .venv
STAMP := $(VENV)/.installed
PY := $(VENV)/bin/python

.PHONY: install demo test clean

install: $(STAMP)

# Torch first, pinned: 2.13.0 is the CPU build; an unpinned torch pulls a multi-GB CUDA build.
# GPU users: install a CUDA build of torch into .venv before `make install` (see README).
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -c "import torch" 2>/dev/null || $(PY) -m pip install -q torch==2.13.0
	$(PY) -m pip install -q -e '.[dev]'
	@# The page tests (tts serve, tts report) drive a headless Chromium: Debian's, installed here when
	@# missing and we are root; without one they are skipped, saying so.
	@command -v chromium >/dev/null 2>&1 || [ "$$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1 \
		|| (apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium) >/dev/null \
		|| echo "chromium could not be installed: the browser tests will be skipped"
	touch $(STAMP)

# The main job: the bundled Hinglish voice speaks.
demo: $(STAMP)
	@mkdir -p out
	$(VENV)/bin/tts synth "namaste, how are you" -l hinglish -o out/namaste.wav

# Lint, format and types first (seconds), then the tests.
test: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/pytest

clean:
	rm -rf $(VENV) out build *.egg-info
