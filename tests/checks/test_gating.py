"""KPI gating: a blocking failure marks the KPIs its check guards, for the cut it touches only,
with values unchanged; below the threshold the mark is a warning count."""

from __future__ import annotations

import json
from datetime import date

import polars as pl
import pytest
from sqlalchemy import insert

from metrics.gating import KEY_SCHEMA, keys_in_cut, marks
from metrics.periods import Cuts, Period
from metrics.registry import registry
from rcmwatch.store.models import Facility
from tests.checks.world import AS_OF, bad_npi, build_good_world
from tests.cli_runner import run_cli


def test_registry_knows_which_checks_guard_each_kpi():
    defs = registry()
    assert "npi_check_digit" in defs["claims_submitted"].guarded_by
    assert "remit_transaction_balanced" in defs["remit_balance_exceptions"].guarded_by
    assert "remit_transaction_balanced" not in defs["claims_submitted"].guarded_by
    assert "work_item_overdue_unassigned" in defs["queue_open"].guarded_by


KEYS = pl.DataFrame(
    [
        ("npi_check_digit", True, 1, 10, date(2024, 6, 1)),
        ("icd10_format", False, 1, 10, date(2024, 6, 2)),
        ("icd10_format", False, 1, 10, date(2024, 6, 3)),
        ("icd10_format", False, 2, 20, date(2024, 5, 3)),
        ("remit_transaction_balanced", True, None, 20, date(2024, 6, 9)),
        ("duplicate_patient", False, None, None, None),
    ],
    schema=KEY_SCHEMA,
    orient="row",
)
JUNE = Period.month(2024, 6)
GUARDS = ("npi_check_digit", "icd10_format", "remit_transaction_balanced", "duplicate_patient")


@pytest.mark.parametrize(
    ("period", "cuts", "expected"),
    [
        (
            JUNE,
            Cuts(),
            [
                "inputs_failing:npi_check_digit",
                "inputs_warning:icd10_format:2",
                "inputs_failing:remit_transaction_balanced",
                "inputs_warning:duplicate_patient:1",
            ],
        ),
        # Facility 2's only failure is in May; the 835 transaction has no facility (it spans
        # its claims') and the duplicate patient no facility or date: both touch every cut.
        (
            JUNE,
            Cuts(facility_ids=frozenset({2})),
            ["inputs_failing:remit_transaction_balanced", "inputs_warning:duplicate_patient:1"],
        ),
        (
            Period.month(2024, 5),
            Cuts(facility_ids=frozenset({2})),
            ["inputs_warning:icd10_format:1", "inputs_warning:duplicate_patient:1"],
        ),
        (
            JUNE,
            Cuts(payer_ids=frozenset({10})),
            [
                "inputs_failing:npi_check_digit",
                "inputs_warning:icd10_format:2",
                "inputs_warning:duplicate_patient:1",
            ],
        ),
        (
            JUNE,
            Cuts(payer_classes=frozenset({"medicare"})),
            ["inputs_failing:remit_transaction_balanced", "inputs_warning:duplicate_patient:1"],
        ),
    ],
)
def test_marks_for_a_cut(period, cuts, expected):
    cut = keys_in_cut(
        KEYS, period, cuts, point_in_time=False, payer_classes={10: "commercial", 20: "medicare"}
    )
    assert marks(cut, GUARDS) == expected


def test_point_in_time_kpis_see_failures_dated_before_the_period():
    may_only = KEYS.filter(pl.col("period") == date(2024, 5, 3))
    assert keys_in_cut(may_only, JUNE, Cuts(), point_in_time=False).height == 0
    assert keys_in_cut(may_only, JUNE, Cuts(), point_in_time=True).height == 1


def _kpi(url, *args):
    result = run_cli("--db", url, "kpi", "--json", *args, env={"RCMWATCH_AS_OF": AS_OF.isoformat()})
    assert result.code == 0, result.stderr
    return json.loads(result.stdout)


def test_kpi_json_flags_the_affected_cut_only_and_keeps_values(store_url):
    from rcmwatch.store.engine import open_store_url

    store = open_store_url(store_url)
    ids = build_good_world(store)
    with store.write() as conn:
        conn.execute(insert(Facility).values(code="SOUTH", name="South Clinic", kind="clinic"))
    before = _kpi(store_url, "--period", "2024-06")
    bad_npi(store, ids)  # the NPI sits on NORTH's June claim
    store.dispose()
    assert (
        run_cli(
            "--db",
            store_url,
            "check",
            "--suite",
            "claims",
            env={"RCMWATCH_AS_OF": AS_OF.isoformat()},
        ).code
        == 1
    )

    june = _kpi(store_url, "--period", "2024-06")
    assert june["kpis"] == before["kpis"]  # values unchanged
    assert june["flags"]["claims_submitted"] == ["inputs_failing:npi_check_digit"]
    assert june["kpis"]["claims_submitted"] == 1
    assert "claims_submitted" not in before["flags"]
    # Not the remit-only KPIs the NPI check does not guard...
    assert "remit_balance_exceptions" not in june["flags"]
    # ...not another month...
    assert "claims_submitted" not in _kpi(store_url, "--period", "2024-05")["flags"]
    # ...not another facility.
    south = _kpi(store_url, "--period", "2024-06", "--facility", "SOUTH")
    assert "claims_submitted" not in south["flags"]
    north = _kpi(store_url, "--period", "2024-06", "--facility", "NORTH")
    assert north["flags"]["claims_submitted"] == ["inputs_failing:npi_check_digit"]
    by_month = _kpi(store_url, "--period", "all", "--by", "month", "--kpi", "claims_submitted")
    flagged = {g["month"]: g["flags"].get("claims_submitted") for g in by_month["groups"]}
    assert flagged == {"2024-06": ["inputs_failing:npi_check_digit"]}


def test_a_check_that_could_not_run_leaves_the_previous_verdict_standing(sqlite_store, monkeypatch):
    import checks.runner as runner
    from checks.run import run_and_record
    from rcmwatch.queries.dq import latest_failing_keys

    ids = build_good_world(sqlite_store)
    bad_npi(sqlite_store, ids)
    run_and_record(sqlite_store, AS_OF, check_ids=["npi_check_digit"])

    def broken(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(runner, "_run_sql_check", broken)
    report = run_and_record(sqlite_store, AS_OF, check_ids=["npi_check_digit"])
    assert report.outcomes[0].errored
    keys = latest_failing_keys(sqlite_store)
    assert keys["check_id"].to_list() == ["npi_check_digit"]
    assert keys["blocking"].to_list() == [True]
