"""The KPI benchmark compares the engine with pandas and with plain SQL on PostgreSQL; the
comparison only means something if all three give the same numbers. On a generated, ingested
and collected store (ERP receivables present, so A/R is the ERP's, rolled back by its ledger)
they must agree on the denial rate per facility × month, days in A/R and the posting P90."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

pytestmark = pytest.mark.slow


def test_engine_pandas_and_plain_sql_agree_on_a_generated_store(pg_store, pg_url, tmp_path):
    from rcmwatch.bench.kpi import side_by_side
    from rcmwatch.clock import FixedClock
    from rcmwatch.demo_loader import load_demo
    from sample_data import generate

    system = tmp_path / "system"
    generate(system, seed=3, claims=300, months=2, as_of=date(2025, 1, 1))
    progress = load_demo(
        pg_store, system, clock=FixedClock(datetime(2025, 1, 1, tzinfo=UTC)), claims=300,
        as_of=date(2025, 1, 1), seed=3,
    )  # fmt: skip
    assert progress.phase == "done" and progress.files_failed == 0

    report = side_by_side(pg_url, 1)

    assert report["pandas_agrees"] == {"denial_rate": True, "ar": True, "p90_s": True}
    assert report["sql_agrees"] == {"denial_rate": True, "ar": True, "p90_s": True}
    values = report["values"]
    assert values["denial_rate_cells"] > 0
    assert values["days_in_ar_gross"] > 0 and values["posting_latency_p90_h"] > 0
