"""Stored runs: failing keys (capped, query kept), work items opened, closed, reopened and
adopted, errored expectations, pre-watch remits, incremental runs, and the CLI contract."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import insert, select, text, update

import checks.runner as runner
from checks.catalog import Check
from checks.run import run_and_record
from rcmwatch.store.models import (
    Claim,
    ClaimPayment,
    ClaimVersion,
    DqFailingKey,
    DqResult,
    WorkItem,
)
from tests.checks.world import (
    AS_OF,
    CLAIM_VERSION_KEY,
    GOOD_NPI,
    add_unmatched_remit,
    bad_npi,
    build_good_world,
    remove_ack,
)
from tests.cli_runner import run_cli
from tests.ingest.x12_builders import WORKED_EXAMPLE, remit_835


def _items(store, check_id=None):
    with store.read() as conn:
        q = select(
            WorkItem.source_key, WorkItem.stage, WorkItem.status, WorkItem.check_id,
            WorkItem.subject_type, WorkItem.subject_key, WorkItem.resolved_by_person,
        )  # fmt: skip
        if check_id:
            q = q.where(WorkItem.check_id == check_id)
        return [tuple(r) for r in conn.execute(q.order_by(WorkItem.id))]


def _outcome(report, check_id):
    return next(o for o in report.outcomes if o.check.id == check_id)


def test_unbalanced_remit_from_ingest_fails_balancing_with_its_key_and_adopts_the_item(
    store, clock, tmp_path
):
    from rcmwatch.ingest.run import ingest_file

    data = remit_835(WORKED_EXAMPLE, payment="381")  # the claims paid 380.00: a dollar off
    path = tmp_path / "off.835"
    path.write_bytes(data)
    assert ingest_file(store, path, clock=clock).status == "ingested"
    remit_key = hashlib.sha256(data).hexdigest()[:16] + ":1"

    report = run_and_record(store, AS_OF, suite="remits")
    balanced = _outcome(report, "remit_transaction_balanced")
    assert balanced.success is False and balanced.blocking
    assert [r.row_key for r in balanced.failing] == [remit_key]
    assert balanced.unexpected_cents == 38100  # the remit's BPR02 is what is at stake
    with store.read() as conn:
        stored = (
            conn.execute(
                select(DqFailingKey.row_key)
                .join(DqResult, DqResult.id == DqFailingKey.result_id)
                .where(DqResult.check_id == "remit_transaction_balanced")
            )
            .scalars()
            .all()
        )
    assert stored == [remit_key]
    # Ingest's posting work item for this remit is adopted, not doubled. (Its three claims have
    # no 837 here, so remit_without_claim raises items of its own for the claim payments.)
    items = [i for i in _items(store) if i[4] == "remit_transaction"]
    assert len(items) == 1
    assert items[0][1:6] == (
        "posting", "open", "remit_transaction_balanced", "remit_transaction", remit_key,
    )  # fmt: skip
    run_and_record(store, AS_OF, suite="remits")
    assert len([i for i in _items(store) if i[4] == "remit_transaction"]) == 1


def test_work_item_opens_closes_when_fixed_and_reopens_without_duplicating(store):
    ids = build_good_world(store)
    key = bad_npi(store, ids)
    run_and_record(store, AS_OF, check_ids=["npi_check_digit"])
    assert _items(store, "npi_check_digit") == [
        (f"dq:npi_check_digit:{key}", "data_quality", "open", "npi_check_digit",
         "claim_version", key, None),
    ]  # fmt: skip
    with store.write() as conn:
        conn.execute(update(ClaimVersion).values(billing_npi=GOOD_NPI))
    run_and_record(store, AS_OF, check_ids=["npi_check_digit"])
    [(_, _, status, _, _, _, by_person)] = _items(store, "npi_check_digit")
    assert (status, by_person) == ("closed", False)  # closed by rcmwatch, not by a person
    bad_npi(store, ids)
    run_and_record(store, AS_OF, check_ids=["npi_check_digit"])
    assert [i[2] for i in _items(store, "npi_check_digit")] == ["open"]


def test_warn_checks_raise_no_work_items(store):
    from tests.checks.world import overdue_unassigned

    ids = build_good_world(store)
    overdue_unassigned(store, ids)
    report = run_and_record(store, AS_OF, check_ids=["work_item_overdue_unassigned"])
    assert _outcome(report, "work_item_overdue_unassigned").success is False
    assert _items(store, "work_item_overdue_unassigned") == []


def test_keys_beyond_the_cap_are_left_to_the_stored_query(store, monkeypatch):
    ids = build_good_world(store)
    remove_ack(store, ids)
    with store.write() as conn:  # two more unacknowledged claims: three in all
        for pcn in ("P2", "P3"):
            conn.execute(
                insert(Claim).values(
                    pcn=pcn,
                    first_submission_id=ids["submission"],
                    first_submitted_at=AS_OF.replace(day=1),
                )
            )
    monkeypatch.setattr(runner, "KEY_CAP", 2)
    report = run_and_record(store, AS_OF, check_ids=["claim_without_ack"])
    outcome = _outcome(report, "claim_without_ack")
    assert outcome.unexpected_count == 3 and len(outcome.failing) == 2
    assert outcome.complete is False
    with store.read() as conn:
        query = conn.execute(select(DqResult.query)).scalar_one()
        assert sorted(r.row_key for r in conn.execute(text(query))) == ["P1", "P2", "P3"]
        assert conn.execute(select(DqFailingKey.row_key)).scalars().all() == outcome_keys(outcome)
    # Not knowing every failing row, the run closes nothing.
    assert {i[2] for i in _items(store, "claim_without_ack")} == {"open"}


def outcome_keys(outcome):
    return [r.row_key for r in outcome.failing]


def test_an_expectation_that_errors_is_a_check_error_not_a_data_failure(store, monkeypatch):
    build_good_world(store)
    broken = Check(
        id="broken_check",
        suite="remits",
        table="claim_payment",
        severity="error",
        threshold=0.0,
        basis="rows",
        owner="nobody",
        description="refers to a column that does not exist",
        guards=(),
        failing_sql=lambda ctx: "SELECT id AS row_id FROM {batch} WHERE no_such_column = 1",
        work_item=True,
    )
    monkeypatch.setattr(runner, "catalog", lambda: {"broken_check": broken})
    monkeypatch.setattr("checks.run.catalog", lambda: {"broken_check": broken})
    report = run_and_record(store, AS_OF)
    [outcome] = report.outcomes
    assert outcome.errored and not outcome.success
    assert outcome.unexpected_count == 0 and outcome.failing == []
    assert not outcome.blocking
    assert "no_such_column" in outcome.error
    with store.read() as conn:
        row = conn.execute(select(DqResult.errored, DqResult.success, DqResult.evidence)).one()
    assert row.errored and not row.success and "could not run" in row.evidence
    assert _items(store, "broken_check") == []


def test_pre_watch_remits_are_not_failures(store):
    ids = build_good_world(store)
    key = add_unmatched_remit(store, ids)  # service 2024-05-01, file from source "edi"
    failing = _outcome(run_and_record(store, AS_OF, check_ids=["remit_without_claim"]),
                       "remit_without_claim")  # fmt: skip
    assert [r.row_key for r in failing.failing] == [key]
    watched = run_and_record(
        store, AS_OF, check_ids=["remit_without_claim"], watch_start={"edi": date(2024, 5, 15)}
    )
    assert _outcome(watched, "remit_without_claim").success is True
    # A watch start before the service date leaves it a failure.
    early = run_and_record(
        store, AS_OF, check_ids=["remit_without_claim"], watch_start={"edi": date(2024, 4, 1)}
    )
    assert _outcome(early, "remit_without_claim").success is False


def test_incremental_run_checks_new_rows_and_rechecks_failing_ones(store):
    ids = build_good_world(store)
    first = run_and_record(store, AS_OF, mode="incremental", check_ids=["remit_without_claim"])
    assert _outcome(first, "remit_without_claim").mode == "full"  # nothing to start from yet
    key = add_unmatched_remit(store, ids)
    second = run_and_record(store, AS_OF, mode="incremental", check_ids=["remit_without_claim"])
    outcome = _outcome(second, "remit_without_claim")
    assert outcome.mode == "incremental"
    assert [r.row_key for r in outcome.failing] == [key]
    assert outcome.element_count == 2  # the share is still of the whole table
    # The 837 arrives: the old failing row passes on the next incremental run, its item closes.
    with store.write() as conn:
        claim_id = conn.execute(insert(Claim).values(pcn="NO837").returning(Claim.id)).scalar_one()
        conn.execute(
            update(ClaimPayment).where(ClaimPayment.pcn == "NO837").values(claim_id=claim_id)
        )
    third = run_and_record(store, AS_OF, mode="incremental", check_ids=["remit_without_claim"])
    assert _outcome(third, "remit_without_claim").success is True
    assert [i[2] for i in _items(store, "remit_without_claim")] == ["closed"]


def test_check_cli_json_contract_and_exit_codes(store_url):
    from rcmwatch.store.engine import open_store_url

    store = open_store_url(store_url)
    ids = build_good_world(store)
    env = {"RCMWATCH_AS_OF": AS_OF.isoformat()}
    ok = run_cli("--db", store_url, "check", "--json", env=env)
    assert ok.code == 0, ok.stderr
    lines = [json.loads(line) for line in ok.stdout.splitlines()]
    assert len(lines) == 17
    assert all(
        list(obj) == [
            "check", "suite", "table", "severity", "success", "unexpected_count", "failing_keys",
        ]
        for obj in lines
    )  # fmt: skip
    assert all(obj["success"] and obj["failing_keys"] == [] for obj in lines)

    bad_npi(store, ids)
    store.dispose()
    bad = run_cli("--db", store_url, "check", "--suite", "claims", "--json", env=env)
    assert bad.code == 1
    by_check = {obj["check"]: obj for obj in map(json.loads, bad.stdout.splitlines())}
    assert {obj["suite"] for obj in by_check.values()} == {"claims"}
    assert by_check["npi_check_digit"] == {
        "check": "npi_check_digit", "suite": "claims", "table": "claim_version",
        "severity": "error", "success": False, "unexpected_count": 1,
        "failing_keys": [CLAIM_VERSION_KEY],
    }  # fmt: skip
    assert bad.stderr_lines == ["rcmwatch: blocking: npi_check_digit: 1 failing"]


def test_check_cli_rejects_an_unknown_check(sqlite_url):
    result = run_cli("--db", sqlite_url, "check", "--check", "nope")
    assert result.code == 2
    assert len(result.stderr_lines) == 1 and "no check 'nope'" in result.stderr_lines[0]


@pytest.mark.parametrize("amount", [Decimal("0.01")])
def test_money_at_stake_is_exact_cents(store, amount):
    from rcmwatch.store.models import RemitTransaction

    ids = build_good_world(store)
    with store.write() as conn:
        conn.execute(
            update(RemitTransaction)
            .where(RemitTransaction.id == ids["remit"])
            .values(payment=Decimal("80.00") + amount)
        )
    report = run_and_record(store, AS_OF, check_ids=["remit_transaction_balanced"])
    outcome = _outcome(report, "remit_transaction_balanced")
    assert outcome.unexpected_cents == 8001
    with store.read() as conn:
        assert conn.execute(select(DqResult.unexpected_amount)).scalar_one() == Decimal("80.01")


def test_incremental_run_rechecks_claims_crossing_the_48_hour_line(store):
    from datetime import timedelta

    ids = build_good_world(store)
    remove_ack(store, ids)
    with store.write() as conn:  # P1 was submitted a day before as-of: not late yet
        conn.execute(update(Claim).values(first_submitted_at=AS_OF - timedelta(hours=24)))
    first = run_and_record(store, AS_OF, check_ids=["claim_without_ack"])
    assert _outcome(first, "claim_without_ack").success is True
    later = run_and_record(
        store, AS_OF + timedelta(hours=30), mode="incremental", check_ids=["claim_without_ack"]
    )
    outcome = _outcome(later, "claim_without_ack")
    assert outcome.mode == "incremental"
    assert [r.row_key for r in outcome.failing] == ["P1"]  # no new row, but 54 h old now


def test_incremental_run_reports_the_old_registration_a_new_one_duplicates(store):
    from tests.checks.world import duplicate_patient

    ids = build_good_world(store)
    run_and_record(store, AS_OF, check_ids=["duplicate_patient"])
    duplicate_patient(store, ids)  # a new registration of mrn:1001's person
    report = run_and_record(store, AS_OF, mode="incremental", check_ids=["duplicate_patient"])
    outcome = _outcome(report, "duplicate_patient")
    assert outcome.mode == "incremental"
    assert sorted(r.row_key for r in outcome.failing) == ["member:ACME:X77", "mrn:1001"]
    # Nothing new: the pair is still reported (both failed before, so both are re-checked).
    again = run_and_record(store, AS_OF, mode="incremental", check_ids=["duplicate_patient"])
    assert _outcome(again, "duplicate_patient").unexpected_count == 2
