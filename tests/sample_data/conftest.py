"""Generated systems shared by the generator's tests (generated once per session, fixed as-of)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from sample_data.generator import generate

AS_OF = date(2024, 7, 1)
SEED = 11
CLAIMS = 12_000  # big enough for stable rates, small enough to generate in a few seconds


@pytest.fixture(scope="session")
def generated(tmp_path_factory):
    """``generated(scenario)`` → the output folder of that scenario (same seed and size)."""
    cache: dict[str, Path] = {}

    def make(scenario: str = "baseline") -> Path:
        if scenario not in cache:
            out = tmp_path_factory.mktemp(f"gen-{scenario}")
            generate(out, seed=SEED, claims=CLAIMS, months=6, as_of=AS_OF, scenario=scenario)
            cache[scenario] = out
        return cache[scenario]

    return make


@pytest.fixture(scope="session")
def baseline(generated) -> Path:
    return generated("baseline")
