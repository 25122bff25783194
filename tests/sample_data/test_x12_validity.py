"""Every kind of generated X12 file passes pyx12 4.0 (the test oracle) — a sample of each."""

from __future__ import annotations

import io
import logging
import random
import shutil
from pathlib import Path

import pytest

KINDS = {
    "837P": "outbound/*_837P_*.837",
    "837I": "outbound/*_837I_*.837",
    "999": "inbound/*_999_*.999",
    "277CA": "inbound/*_277CA_*.277",
    "835": "inbound/*_835_*.835",
}


def pyx12_validate(path: Path) -> tuple[bool, str]:
    """pyx12's verdict (its OK/Failure) and the errors it logged; no .997 is written."""
    import pyx12.params
    import pyx12.x12n_document

    log = logging.getLogger("pyx12")
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    log.addHandler(handler)
    old_level = log.level
    log.setLevel(logging.ERROR)
    try:
        ok = pyx12.x12n_document.x12n_document(
            param=pyx12.params.params(),
            src_file=str(path),
            fd_997=None,
            fd_html=None,
            fd_xmldoc=None,
        )
    finally:
        log.removeHandler(handler)
        log.setLevel(old_level)
    return bool(ok), buffer.getvalue()


def sample(folder: Path, pattern: str, n: int, seed: int = 3) -> list[Path]:
    files = sorted((folder / "clearinghouse").glob(pattern))
    assert files, f"no {pattern} generated"
    rng = random.Random(seed)
    picked = rng.sample(files, min(n, len(files)))
    # The largest file of the kind too: it has the most situations in it.
    picked.append(max(files, key=lambda p: p.stat().st_size))
    return sorted(set(picked))


@pytest.mark.parametrize("kind", list(KINDS))
def test_a_sample_of_every_kind_is_valid_under_pyx12(baseline, tmp_path, kind):
    for path in sample(baseline, KINDS[kind], 3):
        copy = tmp_path / path.name  # validate a copy: never write next to the output
        shutil.copyfile(path, copy)
        ok, errors = pyx12_validate(copy)
        assert ok and not errors.strip(), f"{path.name}: {errors[:800]}"


@pytest.mark.parametrize("scenario", ["payer_outage", "denial_spike"])
def test_scenario_remits_are_valid_too(generated, tmp_path, scenario):
    for path in sample(generated(scenario), KINDS["835"], 2):
        copy = tmp_path / path.name
        shutil.copyfile(path, copy)
        ok, errors = pyx12_validate(copy)
        assert ok and not errors.strip(), f"{path.name}: {errors[:800]}"
