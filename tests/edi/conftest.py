"""Fixtures for the X12 tests: the shared corpus (skipped when absent) and parsing helpers."""

from __future__ import annotations

from pathlib import Path

import pytest

from collectors.edi.inspect import inspect_file
from collectors.edi.remittance import Remittance, read_remittance
from tests.conftest import SHARED

REPO = Path(__file__).resolve().parents[2]
CORPUS = SHARED / "corpus" / "x12"


@pytest.fixture(scope="session")
def corpus() -> Path:
    if not CORPUS.is_dir():
        pytest.skip(f"X12 corpus not found at {CORPUS}")
    return CORPUS


def parse(path: Path, **kw) -> Remittance:
    """The vectorised frames of a file (the production path)."""
    return read_remittance(path, **kw)


def inspect(path: Path, **kw) -> dict:
    return inspect_file(path, **kw)
