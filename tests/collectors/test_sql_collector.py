"""The generic SQL collector against a vendor schema in real databases: everything collected
exactly (money to the cent), idempotent, incremental with overlap, deletes closed by the full key
scan, malformed rows quarantined with a reason, schema drift and an unreachable source typed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select, text

from collectors.errors import SchemaDrift, SourceUnavailable
from collectors.mapping import load_mapping
from collectors.retry import RetryPolicy
from collectors.runner import run_source, run_sources
from collectors.sql_source import SqlCollector, source_engine
from rcmwatch.clock import FixedClock
from rcmwatch.store.models import (
    AutomatedDecision,
    CollectorQuarantine,
    CollectorRun,
    Override,
    Payer,
    SourceState,
    WorkItem,
)
from tests.collectors import vendor
from tests.collectors.conftest import add_reference

NOW = datetime(2024, 6, 15, 12, tzinfo=UTC)
FAST = RetryPolicy(attempts=3, base_seconds=0.5, jitter=0.0)


def _collector(url, tmp_path, *, batch=500, name="acme_wq", **kw) -> SqlCollector:
    mapping = load_mapping(vendor.write_mapping(tmp_path, batch))
    return SqlCollector(name, source_engine(url, tmp_path), mapping, retry=FAST, **kw)


def _store_totals(store) -> tuple[int, Decimal]:
    with store.read() as conn:
        n, cents = conn.execute(
            text("SELECT COUNT(*), COALESCE(SUM(amount_cents), 0) FROM work_item")
        ).one()
    return n, Decimal(cents) / 100


def test_collects_every_row_exactly_and_a_second_run_writes_nothing(
    vendor_url, sqlite_store, tmp_path, no_sleep
):
    add_reference(sqlite_store)
    vendor.insert_items(vendor_url, range(1, 1201))
    vendor.insert_decisions(vendor_url, 40, overrides=10)
    collector = _collector(vendor_url, tmp_path, batch=250)
    clock = FixedClock(NOW)

    first = run_source(sqlite_store, collector, clock=clock, sleep=no_sleep)
    assert first.ok, first.line()
    assert first.stats.rows_read == 1250 and first.stats.rows_written == 1250
    assert _store_totals(sqlite_store) == vendor.source_totals(vendor_url)

    with sqlite_store.read() as conn:
        item = conn.execute(select(WorkItem).where(WorkItem.source_key == "7")).one()
        assert item.amount == Decimal("7.07")
        assert (item.stage, item.status, item.facility_id is not None) == ("denial", "open", True)
        assert item.opened_at.tzinfo is not None
        unknown = conn.execute(select(WorkItem).where(WorkItem.source_key == "8")).one()
        assert unknown.facility_id is None  # unknown facility: kept, unmapped
        added = conn.execute(select(Payer.name).where(Payer.needs_mapping)).scalars().all()
        assert added == ["ACME-PPO"]
        ovr = conn.execute(select(Override).where(Override.source_key == "1003")).one()
        dec = conn.execute(
            select(AutomatedDecision).where(AutomatedDecision.id == ovr.decision_id)
        ).one()
        assert (dec.source_key, dec.decider_kind) == ("3", "rule")
        state = conn.execute(select(SourceState)).one()
        assert state.healthy and state.last_success_at == NOW
        assert state.newest_record_at == datetime(2024, 6, 1, 9, 0, 10, tzinfo=UTC)
        assert "ZZ-UNKNOWN" in state.notice

    second = run_source(sqlite_store, collector, clock=clock, sleep=no_sleep)
    assert second.ok and second.stats.rows_written == 0
    # Only the overlap window is read again.
    assert second.stats.rows_read < 400
    collector.close()


def test_changes_are_picked_up_and_deleted_rows_closed_by_the_full_scan(
    vendor_url, ref_store, tmp_path, no_sleep
):
    vendor.insert_items(vendor_url, range(1, 101))
    collector = _collector(vendor_url, tmp_path)
    clock = FixedClock(NOW)
    assert run_source(ref_store, collector, clock=clock, sleep=no_sleep).ok

    later = vendor.T0 + timedelta(days=1)
    ts = later if "postgresql" in vendor_url else later.strftime("%Y-%m-%d %H:%M:%S")
    vendor.execute(vendor_url, "UPDATE wq_item SET state = 'C', last_mod = :t WHERE item_no = 5",
                   {"t": ts})  # fmt: skip
    vendor.execute(vendor_url, "DELETE FROM wq_item WHERE item_no IN (6, 7)")
    # Rows committed late with an older updated_at: within the overlap window the next run
    # sees it; beyond it only the full scan can.
    vendor.insert_items(
        vendor_url,
        [
            vendor.item_row(collector.engine, 500, mod=vendor.T0 + timedelta(seconds=50)),
            vendor.item_row(collector.engine, 501, mod=vendor.T0 - timedelta(days=1)),
        ],
    )

    inc = run_source(ref_store, collector, clock=clock, sleep=no_sleep, full_scan=False)
    assert inc.ok and inc.stats.rows_written == 2  # item 5 changed, late item 500
    with ref_store.read() as conn:
        assert conn.scalar(select(WorkItem.status).where(WorkItem.source_key == "5")) == "closed"
        assert conn.scalar(select(func.count()).where(WorkItem.removed_at_source.is_not(None))) == 0

    full = run_source(ref_store, collector, clock=clock, sleep=no_sleep, full_scan=True)
    assert full.ok, full.line()
    with ref_store.read() as conn:
        gone = conn.execute(
            select(WorkItem.source_key, WorkItem.status, WorkItem.resolution, WorkItem.resolved_at)
            .where(WorkItem.removed_at_source.is_not(None))
            .order_by(WorkItem.source_key)
        ).all()
        assert [tuple(r) for r in gone] == [
            ("6", "closed", "removed_at_source", NOW),
            ("7", "closed", "removed_at_source", NOW),
        ]
        assert conn.scalar(select(func.count()).select_from(WorkItem)) == 102
        state = conn.execute(select(SourceState)).one()
        assert state.last_full_scan_at == NOW
    collector.close()


def test_malformed_rows_are_quarantined_with_a_reason_and_the_rest_processed(
    sqlite_vendor_url, ref_store, tmp_path, no_sleep
):
    url = sqlite_vendor_url
    engine_probe = source_engine(url, tmp_path)
    good = [vendor.item_row(engine_probe, i) for i in range(1, 21)]
    bad = [
        vendor.item_row(engine_probe, 21, amt="12.345"),  # fractions of a cent
        vendor.item_row(engine_probe, 22, amt="twelve"),
        vendor.item_row(engine_probe, 23, stage="XX"),  # not in the value map
        {**vendor.item_row(engine_probe, 24), "opened": "yesterday"},
        {**vendor.item_row(engine_probe, 25), "item_type": None},  # required column
    ]
    engine_probe.dispose()
    vendor.insert_items(url, good + bad)
    vendor.execute(url, "INSERT INTO wq_override VALUES (9, 404, 'u', 'x', 'OTHER', "
                        "'2024-06-01 08:00:00', '2024-06-01 08:00:00')")  # fmt: skip
    collector = _collector(url, tmp_path)
    result = run_source(ref_store, collector, clock=FixedClock(NOW), sleep=no_sleep)
    assert result.ok, result.line()
    s = result.stats
    assert (s.rows_read, s.rows_written, s.rows_quarantined) == (26, 20, 6)
    with ref_store.read() as conn:
        reasons = dict(
            conn.execute(select(CollectorQuarantine.source_key, CollectorQuarantine.reason)).all()
        )
        row = conn.execute(
            select(CollectorQuarantine.row).where(CollectorQuarantine.source_key == "22")
        ).scalar_one()
    assert "fractions of a cent" in reasons["21"]
    assert "not an amount" in reasons["22"]
    assert "'XX' is not in the mapping's values" in reasons["23"]
    assert "not a date-time" in reasons["24"]
    assert reasons["25"] == "missing type"
    assert "automated_decision '404' is not collected" in reasons["9"]
    assert row["amt"] == "twelve"  # the source row is kept as it was

    # Fixed at the source (without touching updated_at): the quarantined row is re-read.
    vendor.execute(url, "UPDATE wq_item SET amt = '12.34' WHERE item_no = 21")
    again = run_source(ref_store, collector, clock=FixedClock(NOW), sleep=no_sleep)
    assert again.ok
    with ref_store.read() as conn:
        fixed = conn.scalar(
            select(CollectorQuarantine.resolved_at).where(CollectorQuarantine.source_key == "21")
        )
        assert fixed == NOW
        amount = conn.scalar(select(WorkItem.amount).where(WorkItem.source_key == "21"))
        assert amount == Decimal("12.34")
    collector.close()


def test_a_dropped_column_is_schema_drift_not_a_crash(vendor_url, ref_store, tmp_path, no_sleep):
    vendor.insert_items(vendor_url, range(1, 5))
    vendor.execute(vendor_url, "ALTER TABLE wq_item DROP COLUMN owner")
    collector = _collector(vendor_url, tmp_path)
    result = run_source(ref_store, collector, clock=FixedClock(NOW), sleep=no_sleep)
    assert not result.ok and result.error_kind == "schema_drift"
    assert "wq_item has no column(s) owner" in result.error
    assert no_sleep.waits == []  # drift is not retried
    with ref_store.read() as conn:
        run = conn.execute(select(CollectorRun)).one()
        state = conn.execute(select(SourceState)).one()
    assert (run.status, run.error_kind) == ("failed", "schema_drift")
    assert not state.healthy and state.notice.startswith("schema_drift: ")
    collector.close()


def test_a_source_down_is_retried_then_unhealthy_while_the_others_continue(
    sqlite_vendor_url, ref_store, tmp_path, no_sleep
):
    vendor.insert_items(sqlite_vendor_url, range(1, 11))
    mapping = load_mapping(vendor.write_mapping(tmp_path))
    down = SqlCollector(
        "erp_down",
        source_engine("postgresql+psycopg://postgres@127.0.0.1:1/none", tmp_path, 2),
        mapping,
        retry=RetryPolicy(attempts=4, base_seconds=1.0, multiplier=2.0, jitter=0.0),
    )
    up = _collector(sqlite_vendor_url, tmp_path, name="acme_wq")
    results = run_sources(ref_store, [down, up], clock=FixedClock(NOW), sleep=no_sleep)
    assert [r.ok for r in results] == [False, True]
    assert results[0].error_kind == "unavailable" and results[0].attempts == 4
    assert no_sleep.waits == [1.0, 2.0, 4.0]
    assert results[1].stats.rows_written == 10
    with ref_store.read() as conn:
        health = dict(conn.execute(select(SourceState.source, SourceState.healthy)).all())
    assert health == {"erp_down": False, "acme_wq": True}
    down.close()
    up.close()


def test_a_missing_sqlite_source_file_is_unavailable_not_an_empty_database(tmp_path):
    engine = source_engine("sqlite:///nope.sqlite", tmp_path)
    mapping = load_mapping(vendor.write_mapping(tmp_path))
    with pytest.raises(SourceUnavailable, match="unable to open"):
        SqlCollector("x", engine, mapping).check_schema()
    assert not (tmp_path / "nope.sqlite").exists()


def test_a_missing_source_table_is_schema_drift(sqlite_vendor_url, tmp_path):
    vendor.execute(sqlite_vendor_url, "DROP TABLE wq_override")
    collector = _collector(sqlite_vendor_url, tmp_path)
    with pytest.raises(SchemaDrift, match="table wq_override is missing"):
        collector.check_schema()
    collector.close()
