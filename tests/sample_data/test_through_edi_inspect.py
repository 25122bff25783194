"""The generated 835s read through rcmwatch's own parser (`rcmwatch edi inspect --json`): every
file parses and balances, and the parser's counts agree with this suite's measurements."""

from __future__ import annotations

import json
import random
from collections import Counter, defaultdict

import pytest

from rcmwatch.money import to_cents
from tests.cli_runner import run_cli
from tests.sample_data import measure


def _check(baseline, paths) -> Counter:
    r = run_cli("edi", "inspect", "--json", *map(str, paths), timeout=300)
    assert r.code == 0, r.stderr[:500]
    reports = {json.loads(line)["file"]: json.loads(line) for line in r.stdout.splitlines()}
    assert len(reports) == len(paths)
    clps, _ = measure.read_remits(baseline)
    mine: dict[str, Counter] = defaultdict(Counter)
    for c in clps:
        k = mine[c.file]
        k["claims"] += 1
        k["paid"] += c.paid
        k["reversals"] += c.status == "22"
        if c.status not in ("22", "25"):
            kind = measure.denial_kind(c)
            k["denied"] += kind == "full"
            k["partial"] += kind == "partial"
    totals = Counter()
    for path in paths:
        rep = reports[str(path)]
        assert rep["ok"] and rep["era"]["balanced"] and not rep["warnings"], rep
        era = rep["era"]
        k = mine[path.name]
        assert era["claims"] == k["claims"]
        assert to_cents(era["paid_total"]) == k["paid"]
        assert era["reversals"] == k["reversals"]
        assert era["denied_claims"] == k["denied"], path.name
        assert era["partially_denied_claims"] == k["partial"], path.name
        # BPR02 = ΣCLP04 − ΣPLB
        assert to_cents(era["payment_total"]) == k["paid"] - to_cents(
            era["provider_adjustment_total"]
        )
        for key in ("claims", "reversals", "denied_claims", "partially_denied_claims"):
            totals[key] += era[key]
    return totals


def test_edi_inspect_reads_a_sample_of_remits_with_the_same_counts(baseline):
    """The parser costs tens of milliseconds per file: a sample keeps the suite fast."""
    paths = sorted((baseline / "clearinghouse" / "inbound").glob("*.835"))
    by_size = sorted(paths, key=lambda p: p.stat().st_size)
    sample = set(random.Random(1).sample(paths, 60)) | set(by_size[-40:])
    totals = _check(baseline, sorted(sample))
    assert totals["reversals"] > 0 and totals["partially_denied_claims"] > 0


@pytest.mark.slow
def test_edi_inspect_reads_every_remit_balanced_with_the_same_counts(baseline):
    paths = sorted((baseline / "clearinghouse" / "inbound").glob("*.835"))
    totals = _check(baseline, paths)
    # Denied CLP loops among adjudications (later ones included): near the initial rate.
    adjudications = totals["claims"] - totals["reversals"]
    rate = (totals["denied_claims"] + totals["partially_denied_claims"]) / adjudications
    assert 0.06 <= rate <= 0.12, rate
