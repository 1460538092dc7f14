# The two commands of the README: `make lab` and `make test`.
# Both create .venv and install everything on first use (and again when
# pyproject.toml changes), so a fresh machine needs only Python 3 and make.
# `make test-matrix` runs the tests on the oldest and newest dependency sets.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: lab test test-matrix lint app bench clean

$(STAMP): pyproject.toml
	$(PYTHON) scripts/make_venv.py $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $@

# Your own copies of the notebooks (the workspace in your data home), from any
# folder; the repository's notebooks/ stay the kit's source.
lab: $(STAMP)
	$(BIN)/backkit lab

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

# Python 3.10 with the oldest versions pyproject.toml allows, and 3.13 with the
# newest: each in its own venv under .venv/matrix, built by uv from the
# interpreters on this machine. Unit tests and notebooks (browser tests: `make test`).
test-matrix: $(STAMP)
	test -x $(BIN)/uv || $(BIN)/python -m pip install --quiet "uv>=0.5"
	UV=$(BIN)/uv MATRIX_DIR=$(VENV)/matrix bash scripts/test_matrix.sh

app: $(STAMP)
	$(BIN)/backkit app

bench: $(STAMP)
	for f in benchmarks/bench_*.py; do $(BIN)/python $$f || exit 1; done

clean:
	rm -rf $(VENV) build dist .pytest_cache
