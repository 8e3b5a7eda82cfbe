# Set-up, main job and tests. `make demo` and `make test` run `make install` first when needed.
PYTHON ?= python3
VENV := .venv
STAMP := $(VENV)/.installed
PY := $(VENV)/bin/python

.PHONY: install system-packages demo test clean

install: $(STAMP)

# Torch first, pinned: 2.13.0 is the CPU build; an unpinned torch pulls a multi-GB CUDA build.
# GPU users: install a CUDA build of torch into .venv before `make install` (see README).
$(STAMP): pyproject.toml
	@command -v espeak-ng >/dev/null || $(MAKE) --no-print-directory system-packages
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -c "import torch" 2>/dev/null || $(PY) -m pip install -q torch==2.13.0
	$(PY) -m pip install -q -e '.[dev]'
	touch $(STAMP)

# espeak-ng is the speech source of the synthetic corpora and demo voices.
SYSTEM_PACKAGES := espeak-ng
system-packages:
	@if [ "$$(id -u)" -eq 0 ]; then \
		apt-get update -qq && apt-get install -y -qq $(SYSTEM_PACKAGES) >/dev/null; \
	elif sudo -n true 2>/dev/null; then \
		sudo apt-get update -qq && sudo apt-get install -y -qq $(SYSTEM_PACKAGES) >/dev/null; \
	else \
		echo "warning: not root; install them with: sudo apt-get install -y $(SYSTEM_PACKAGES)" >&2; \
	fi

# The main job: the bundled Hinglish voice speaks.
demo: $(STAMP)
	@mkdir -p out
	$(VENV)/bin/tts synth "namaste, how are you" -l hinglish -o out/namaste.wav

# The synthetic corpora and the recipe tests need espeak-ng: fail here rather than skip them.
test: $(STAMP)
	@command -v espeak-ng >/dev/null || { echo "make test: espeak-ng is missing; install it with: sudo apt-get install -y espeak-ng" >&2; exit 1; }
	$(VENV)/bin/pytest

clean:
	rm -rf $(VENV) out build *.egg-info
