"""Scheduler jobs for the checks: incremental after each collection, in full nightly.

The incremental job polls (every minute) and runs only when a collector run finished since the
last run it saw, so checks follow collection without a collector knowing about checks. GX is
imported only when a job actually runs checks."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import func, select

from rcmwatch.store.models import AppState, CollectorRun

log = logging.getLogger(__name__)
SEEN_KEY = "dq_seen_collector_run"
POLL_SECONDS = 60
NIGHTLY_HOUR_UTC = 2


def _newest_collection(conn) -> int:
    return int(
        conn.execute(
            select(func.coalesce(func.max(CollectorRun.id), 0)).where(
                CollectorRun.finished_at.is_not(None)
            )
        ).scalar_one()
    )


def _seen(conn) -> int:
    value = conn.execute(select(AppState.value).where(AppState.key == SEEN_KEY)).scalar()
    return int((value or {}).get("collector_run_id", 0))


def _mark_seen(store, run_id: int, at) -> None:
    with store.write() as conn:
        if conn.execute(select(func.count()).where(AppState.key == SEEN_KEY)).scalar_one():
            conn.execute(
                AppState.__table__.update()
                .where(AppState.key == SEEN_KEY)
                .values(value={"collector_run_id": run_id}, updated_at=at)
            )
        else:
            conn.execute(
                AppState.__table__.insert().values(
                    key=SEEN_KEY, value={"collector_run_id": run_id}, updated_at=at
                )
            )


def run_after_collection(store, clock, settings) -> Any:
    """An incremental run if a collection finished since the last one seen; else nothing."""
    with store.read() as conn:
        newest, seen = _newest_collection(conn), _seen(conn)
    if newest <= seen:
        return None
    from checks.run import run_and_record

    report = run_and_record(
        store, clock.now(), mode="incremental", watch_start=settings.watch_start
    )
    _mark_seen(store, newest, clock.now())
    return report


def run_nightly(store, clock, settings) -> Any:
    from checks.run import run_and_record

    return run_and_record(store, clock.now(), mode="full", watch_start=settings.watch_start)
