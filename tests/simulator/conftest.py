"""The small generated system the simulator tests continue: 400 claims over one month, as of
Friday 2026-11-27 (generated once per session; each test gets its own copy)."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

AS_OF = date(2026, 11, 27)  # a Friday


@pytest.fixture(scope="session")
def _generated(tmp_path_factory) -> Path:
    from sample_data import generate

    out = tmp_path_factory.mktemp("generated") / "system"
    generate(out, seed=1, claims=400, months=1, as_of=AS_OF)
    return out


@pytest.fixture
def system(_generated, tmp_path) -> Path:
    target = tmp_path / "system"
    shutil.copytree(_generated, target)
    return target
