"""The public X12 samples of ../shared/corpus, for ingest tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import SHARED

X12 = SHARED / "corpus" / "x12"


def corpus_files(pattern: str = "*") -> list[Path]:
    if not X12.is_dir():
        pytest.skip(f"X12 corpus not found at {X12}")
    return sorted(p for p in X12.rglob(pattern) if p.is_file() and p.name != "SOURCES.md")


def remit_files() -> list[Path]:
    return [p for p in corpus_files() if b"ST*835" in p.read_bytes()
            or b"ST|835" in p.read_bytes()]  # fmt: skip
