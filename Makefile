# The one task runner. `make run` and `make test` are the README's quick start; both set up first.
SHELL := /bin/bash
PYTHON ?= python3
# uv must never download a Python: use the machine's (3.11+).
export UV_PYTHON_DOWNLOADS := never
UV := $(or $(shell command -v uv 2>/dev/null),$(CURDIR)/.uvenv/bin/uv)
PYTEST_ARGS ?=

.PHONY: setup run test lint format bench-edi

# Bytecode is compiled at set-up: where PYTHONDONTWRITEBYTECODE is set (this machine sets it),
# Python would otherwise compile every imported module on every start — 1.3 s of each
# `rcmwatch` command, test subprocess and dashboard start. Both steps redo only what changed.
setup: $(UV)
	$(UV) sync --locked --quiet --compile-bytecode
	@test -x .venv/bin/rcmwatch
	@.venv/bin/python -m compileall -q -j 0 rcmwatch collectors metrics checks sample_data pages app.py >/dev/null

# uv from PyPI, in a venv of its own, only when the machine has none.
$(CURDIR)/.uvenv/bin/uv:
	$(PYTHON) -m venv .uvenv
	.uvenv/bin/python -m pip install --quiet --disable-pip-version-check uv

run: setup
	.venv/bin/rcmwatch demo

# Tests run in parallel workers (pytest-xdist; each worker has its own PostgreSQL databases and
# temporary folders): 884 tests took 1,412 s in one process on the CI machine, 394 s in two.
# `make test PYTEST_ARGS="-n 0"` runs them in one process.
test: setup
	.venv/bin/python -m pytest --numprocesses=auto --maxprocesses=4 $(PYTEST_ARGS)

lint: setup
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .

format: setup
	.venv/bin/ruff format .
	.venv/bin/ruff check --fix .
