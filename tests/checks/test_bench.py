"""The checks benchmark's simulated day: the newest day's claims and remits cloned as new rows,
which the next incremental run checks (and only the scoped checks run incrementally)."""

from __future__ import annotations

from sqlalchemy import text

from checks.run import run_and_record
from rcmwatch.bench.checks import simulate_day
from tests.checks.world import AS_OF, build_good_world


def test_simulated_day_adds_new_rows_the_incremental_run_checks(store):
    build_good_world(store)
    run_and_record(store, AS_OF)
    added = simulate_day(store, AS_OF)
    assert added == {
        "submission": 1, "claim": 1, "claim_version": 1, "claim_line": 1, "diagnosis": 1,
        "remit_transaction": 1, "claim_payment": 1, "service_line_payment": 1, "adjustment": 1,
        "provider_adjustment": 0,
    }  # fmt: skip
    with store.read() as conn:
        assert conn.execute(text("SELECT pcn FROM claim ORDER BY id")).scalars().all() == [
            "P1",
            "P1-D1",
        ]
    report = run_and_record(store, AS_OF, mode="incremental")
    by_id = {o.check.id: o for o in report.outcomes}
    assert by_id["remit_transaction_balanced"].mode == "incremental"
    assert by_id["negative_ar"].mode == "full"  # balances age with the clock: always in full
    # The clone is as clean as its original: nothing fails.
    assert [o.check.id for o in report.outcomes if not o.success] == []
