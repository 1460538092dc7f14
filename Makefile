# The two commands of the README: `make lab` and `make test`.
# Both create .venv and install everything on first use (and again when
# pyproject.toml changes), so a fresh machine needs only Python 3 and make.
#
#   make lab [ARGS="--port 9000"]   your notebooks in JupyterLab (ARGS go to `backkit lab`)
#   make test                       everything: lint, types, unit tests, doctests,
#                                   notebooks, browser tests; the checkout stays clean
#   make check                      the inner loop (under 90 s): lint, types, unit
#                                   tests and doctests
#   make lint                       ruff and the type checker
#   make test-matrix                the oldest and newest dependency sets
#   make clock-sweep                the date-dependent tests on every weekday, a DST
#                                   change and a year end
#   make test-hub                   a real JupyterHub with local users (root and
#                                   apt-get only; skips elsewhere)

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PYTEST := $(BIN)/python -m pytest -p no:cacheprovider
# Unit tests, doctests and notebooks share both cores; nbval's cells of one
# notebook stay on one worker (they share its kernel).
PARALLEL := -n 2 --dist loadscope
ARGS ?=

.PHONY: lab test check lint test-matrix clock-sweep test-hub app bench translations clean

$(STAMP): pyproject.toml
	$(PYTHON) scripts/make_venv.py $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $@

# Your own copies of the notebooks (the workspace in your data home), from any
# folder; the repository's notebooks/ stay the kit's source.
lab: $(STAMP)
	$(BIN)/backkit lab $(ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

check: lint
	$(PYTEST) $(PARALLEL) -m "not browser and not slow" backkit tests --ignore=tests/browser

# The browser tests run on their own, one at a time: they time a countdown to
# the millisecond, which a second test on the other core would disturb.
test: lint
	@scripts/check_clean.sh --save $(VENV)/status-before
	$(PYTEST) $(PARALLEL) -m "not browser" --durations=15
	$(PYTEST) -m browser --durations=15 tests/browser
	@scripts/check_clean.sh $(VENV)/status-before

# Python 3.10 with the oldest versions pyproject.toml allows, and 3.13 with the
# newest: each in its own venv under .venv/matrix, built by uv from the
# interpreters on this machine. Unit tests and notebooks (browser tests: `make test`).
test-matrix: $(STAMP)
	test -x $(BIN)/uv || $(BIN)/python -m pip install --quiet "uv>=0.5"
	UV=$(BIN)/uv MATRIX_DIR=$(VENV)/matrix bash scripts/test_matrix.sh

clock-sweep: $(STAMP)
	PYTHON=$(BIN)/python bash scripts/clock_sweep.sh

# backkit on a real JupyterHub (docs/hub.md): tests/hub/prepare.sh installs
# what it needs as an admin would (Debian's python3-venv, nodejs and npm; a hub
# venv of Debian's Python in HUB_PREFIX with jupyterhub and the kit's wheel;
# configurable-http-proxy from npm), then the test makes local users, logs them
# in with Chromium through deploy/jupyterhub_config.py, and removes them.
# Not root or no apt-get: it says why and skips.
HUB_PREFIX ?= /opt/backkit-hub-test
test-hub: $(STAMP)
	bash tests/hub/prepare.sh $(BIN)/python $(HUB_PREFIX)
	BACKKIT_HUB_PREFIX=$(HUB_PREFIX) $(PYTEST) -s -m hub --durations=0 tests/hub

app: $(STAMP)
	$(BIN)/backkit app $(ARGS)

# Each benchmark prints its figures beside a baseline measured in the same run;
# the last line gives the seconds each took and the total (goal: under 10 minutes).
bench: $(STAMP)
	@start=$$(date +%s); took=""; \
	for f in benchmarks/bench_*.py; do \
		echo "== $$f"; t=$$(date +%s); $(BIN)/python $$f || exit 1; \
		took="$$took $$(basename $$f .py) $$(( $$(date +%s) - t )) s;"; \
	done; \
	echo "make bench:$$took $$(( $$(date +%s) - start )) s in all (goal: under 600 s)," \
		"load $$($(BIN)/python -c 'import os; print(*os.getloadavg())')"

# After changing words: extract the messages of the code (babel.cfg) and the
# clinical data files (babel-clinical.cfg), merge them into each language's
# catalogue and compile it. tests/test_translations.py fails until every new
# message is translated (fuzzy matches included) and compiled.
LOCALE := backkit/locale
translations: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg --project backkit --no-location \
		--add-comments "Translators:" -o $(LOCALE)/backkit.pot .
	$(BIN)/pybabel extract -F babel-clinical.cfg --project backkit --no-location \
		-o $(LOCALE)/clinical.pot .
	for d in backkit clinical; do \
		$(BIN)/pybabel update -D $$d -i $(LOCALE)/$$d.pot -d $(LOCALE) --ignore-obsolete --no-fuzzy-matching || exit 1; \
	done
	$(BIN)/python scripts/compile_translations.py $(LOCALE)

clean:
	rm -rf $(VENV) build dist .pytest_cache
