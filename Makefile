# vlmbot — the two commands a newcomer needs: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check -q
TORCH := torch==2.13.0

.PHONY: install dev demo test lint typecheck pytest bench train clean

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

# torch first, pinned: an unpinned torch pulls a multi-GB CUDA build.
$(VENV)/.installed: $(VENV)/bin/python pyproject.toml
	$(PIP) install $(TORCH)
	$(PIP) install -e .
	touch $@

$(VENV)/.dev-installed: $(VENV)/.installed
	$(PIP) install -e '.[dev]'
	touch $@

install: $(VENV)/.installed

dev: $(VENV)/.dev-installed

demo: install
	$(PY) -m vlmbot.demo --out reports/demo

lint: dev
	$(VENV)/bin/ruff check src tests training benchmarks
	$(VENV)/bin/ruff format --check src tests training benchmarks
	$(VENV)/bin/pytest -q -p no:cacheprovider tests/test_layers.py

typecheck: dev
	$(VENV)/bin/mypy

pytest: dev
	$(VENV)/bin/pytest -q

test: lint typecheck pytest

bench: install
	$(PY) -m benchmarks.run_all

train: dev
	$(PY) -m training --out training/runs/latest

clean:
	rm -rf $(VENV) reports build *.egg-info
