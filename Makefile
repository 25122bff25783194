# The one task runner. `make run` and `make test` are the README's quick start; both set up first.
SHELL := /bin/bash
PYTHON ?= python3
# uv must never download a Python: use the machine's (3.11+).
export UV_PYTHON_DOWNLOADS := never
UV := $(or $(shell command -v uv 2>/dev/null),$(CURDIR)/.uvenv/bin/uv)
PYTEST_ARGS ?=

.PHONY: setup run test lint format bench-edi

setup: $(UV)
	$(UV) sync --locked --quiet
	@test -x .venv/bin/rcmwatch

# uv from PyPI, in a venv of its own, only when the machine has none.
$(CURDIR)/.uvenv/bin/uv:
	$(PYTHON) -m venv .uvenv
	.uvenv/bin/python -m pip install --quiet --disable-pip-version-check uv

run: setup
	.venv/bin/rcmwatch demo

test: setup
	.venv/bin/python -m pytest $(PYTEST_ARGS)

lint: setup
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .

format: setup
	.venv/bin/ruff format .
	.venv/bin/ruff check --fix .
