# alr-teach: every target sets itself up. On a fresh machine you need Python >= 3.11,
# git and make; `make lab` or `make test` creates .venv/ and installs the rest.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

# No display (a server, a container, CI): don't try to open a browser, just print the URL.
HEADLESS := $(shell if [ "$$(uname)" = Linux ] && [ -z "$$DISPLAY$$WAYLAND_DISPLAY" ]; then echo yes; fi)
LAB_FLAGS ?= $(if $(HEADLESS),--no-browser --ip=127.0.0.1)
# Containers often run as root, which JupyterLab refuses unless told it is deliberate.
LAB_FLAGS += $(if $(filter 0,$(shell id -u)),--allow-root)

NBVAL := --nbval --nbval-sanitize-with nbval_sanitize.cfg --nbval-cell-timeout=300
# One worker per core; a notebook's cells (a test file's tests) stay together on one worker.
PARALLEL ?= -n auto --dist loadfile

.PHONY: help setup lab test test-unit test-notebooks test-exercises test-prompts test-portable \
	test-browser lint notebooks exercises doctor handouts clean

help:
	@echo "make lab    - set up (first time only) and start JupyterLab on the course"
	@echo "make doctor - check this machine is ready for the course (versions, kernel, widgets)"
	@echo "make test   - set up (first time only) and run every test and notebook check"
	@echo "make lint   - ruff over the package, tests and tools; the layer import rules"
	@echo "make test-prompts - do each notebook's 'Predict, then run' edits; no cell may raise"
	@echo "make test-portable - strict nbval on two other floating-point paths (x86-64)"
	@echo "make test-browser - drag every explorer's slider in JupyterLab in headless Chromium"
	@echo "make notebooks - rebuild notebooks/*.ipynb from notebooks/src/*.py and execute them"
	@echo "make exercises - regenerate exercises/ from the worked notebooks in solutions/"
	@echo "make handouts - offline HTML + PDF of every notebook in build/handouts/ (needs Chromium)"
	@echo "make clean  - remove .venv and caches"

setup: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; v = sys.version_info; sys.exit(0 if v >= (3, 11) else f"alr-teach needs Python >= 3.11, but $(PYTHON) is {v.major}.{v.minor}. Run: make PYTHON=/path/to/python3.11 ...")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --disable-pip-version-check -q -e '.[dev]'
	@touch $(STAMP)

lab: $(STAMP)
	$(BIN)/jupyter lab $(LAB_FLAGS) --ServerApp.root_dir=. \
		--LabApp.default_url=/lab/tree/notebooks/00_start_here.ipynb

test: $(STAMP) lint test-exercises test-notebooks test-unit test-prompts test-browser

# ruff, then the layer rules of docs/architecture.md (which layer may import which).
lint: $(STAMP)
	$(BIN)/ruff check alr_teach tests tools benchmarks conftest.py
	$(BIN)/python -m pytest -q tests/test_architecture.py

test-exercises: $(STAMP)
	$(BIN)/python -m pytest $(PARALLEL) --nbval-lax exercises

test-notebooks: $(STAMP)
	$(BIN)/python -m pytest $(PARALLEL) $(NBVAL) notebooks solutions

test-unit: $(STAMP)
	$(BIN)/python -m pytest $(PARALLEL) --doctest-modules alr_teach tests benchmarks/slider_latency.py \
		--ignore=tests/browser -m "not prompts"

# Each "Predict, then run" / "Things to try" edit of tests/prompts/, applied and run whole
# in a learner's mode (claims print notes); no cell may raise. One notebook run per row.
test-prompts: $(STAMP)
	$(BIN)/python -m pytest -n auto --dist load tests/course/test_prompts.py -m prompts

# The notebooks and solutions again, under strict nbval, with numpy limited to AVX2 and at
# its SSE baseline with another BLAS kernel on one thread (tools/fp_paths.py says more).
test-portable: $(STAMP)
	$(BIN)/python tools/fp_paths.py $(PARALLEL)

# JupyterLab in the system's headless Chromium: run each notebook, drag each explorer's
# slider, check the figure changes, report slider-to-figure times (build/browser/). Skipped,
# with the reason, where Chromium or playwright is missing; with CI=true (.ci/run) it fails.
test-browser: $(STAMP)
	$(BIN)/python -m pytest tests/browser

notebooks: $(STAMP)
	$(BIN)/python tools/notebooks.py build

doctor: $(STAMP)
	$(BIN)/python -m alr_teach.course.doctor

exercises: $(STAMP)
	$(BIN)/python -m tools.exercises

handouts: $(STAMP)
	$(BIN)/python -m tools.handouts
	$(BIN)/python -m tools.handouts --instructor

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .hypothesis .ruff_cache
