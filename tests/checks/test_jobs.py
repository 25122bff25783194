"""Checks in the scheduler: incremental after each collection, full nightly."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import insert, select

from checks.jobs import run_after_collection, run_nightly
from rcmwatch.clock import FixedClock
from rcmwatch.scheduler.jobs import JOB_PROVIDERS, SchedulerContext, check_jobs
from rcmwatch.settings import load_settings
from rcmwatch.store.models import CollectorRun, DqRun
from tests.checks.world import AS_OF, build_good_world


def test_scheduler_registers_incremental_and_nightly_check_jobs(sqlite_store):
    assert check_jobs in JOB_PROVIDERS
    ctx = SchedulerContext(sqlite_store, FixedClock(AS_OF), load_settings(env={}), None)
    specs = {s.id: s for s in check_jobs(ctx)}
    assert specs["checks:incremental"].trigger == "interval"
    assert specs["checks:nightly"].trigger == "cron"
    assert specs["checks:nightly"].trigger_args == {"hour": 2, "minute": 0}
    assert not specs["checks:nightly"].run_at_start


def test_incremental_checks_run_once_per_finished_collection(sqlite_store):
    build_good_world(sqlite_store)
    clock, settings = FixedClock(AS_OF), load_settings(env={})
    assert run_after_collection(sqlite_store, clock, settings) is None  # nothing collected yet
    with sqlite_store.write() as conn:
        conn.execute(
            insert(CollectorRun).values(
                source="clearinghouse",
                started_at=AS_OF - timedelta(minutes=1),
                finished_at=AS_OF,
                status="ok",
            )
        )
    report = run_after_collection(sqlite_store, clock, settings)
    assert report is not None and report.mode == "incremental" and not report.blocking
    assert "checks (incremental" in report.line()
    assert run_after_collection(sqlite_store, clock, settings) is None  # already seen
    nightly = run_nightly(sqlite_store, clock, settings)
    assert nightly.mode == "full" and len(nightly.outcomes) == 17
    with sqlite_store.read() as conn:
        assert conn.execute(select(DqRun.mode).order_by(DqRun.id)).scalars().all() == [
            "incremental",
            "full",
        ]
