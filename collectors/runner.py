"""Running collectors: one run record per run, retries under the source's policy, source state
(last success, newest record, health, notice) updated at the end, and isolation — one source
failing (or crashing with a bug) never stops the others."""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta

from collectors import state
from collectors.base import Collector, RunContext, RunStats
from collectors.errors import CollectorError, error_kind, one_line
from collectors.retry import call_with_retry
from rcmwatch.clock import Clock
from rcmwatch.store.engine import Store

log = logging.getLogger("rcmwatch.collect")


@dataclass
class RunResult:
    source: str
    run_id: int
    ok: bool
    stats: RunStats
    error_kind: str | None = None
    error: str | None = None
    attempts: int = 1

    def line(self) -> str:
        s = self.stats
        counts = f"{s.rows_read} read, {s.rows_written} written, {s.rows_quarantined} quarantined"
        if self.ok:
            extra = f"; {'; '.join(s.notices)}" if s.notices else ""
            return f"{self.source}: ok ({counts}){extra}"
        return f"{self.source}: failed [{self.error_kind}] {self.error} ({counts})"


def _full_scan_due(collector: Collector, last_scan, now, forced: bool | None) -> bool:
    if forced is not None:
        return forced
    every = collector.full_scan_seconds
    if not every:
        return False
    return last_scan is None or now - last_scan >= timedelta(seconds=every)


def run_source(
    store: Store,
    collector: Collector,
    *,
    clock: Clock,
    full_scan: bool | None = None,
    sleep: Callable[[float], None] = time.sleep,
    rng: random.Random | None = None,
) -> RunResult:
    """One run of ``collector``: never raises for a source problem; the result (and the store)
    says what happened."""
    started = clock.now()
    with store.write() as conn:
        state.ensure_source_state(conn, collector.name, collector.kind, collector.cadence_seconds)
        prior = state.source_state(conn, collector.name)
        run_id = state.start_run(conn, collector.name, started)
    run = RunContext(
        store=store,
        clock=clock,
        source=collector.name,
        run_id=run_id,
        full_scan=_full_scan_due(collector, prior.last_full_scan_at, started, full_scan),
    )
    attempts = [1]

    def on_retry(attempt: int, exc: CollectorError, wait: float) -> None:
        attempts[0] = attempt + 1
        log.warning("%s: try %d failed (%s); retrying in %.1fs", collector.name, attempt, exc, wait)

    error: BaseException | None = None
    try:
        call_with_retry(
            lambda: collector.collect(run), collector.retry, sleep=sleep, rng=rng, on_retry=on_retry
        )
    except Exception as exc:  # isolation: a bug in one collector must not stop the others
        if not isinstance(exc, CollectorError):
            log.exception("%s: collector failed", collector.name)
        error = exc
    finished = clock.now()
    stats = run.stats
    run_values = {
        "finished_at": finished,
        "rows_read": stats.rows_read,
        "rows_written": stats.rows_written,
        "rows_quarantined": stats.rows_quarantined,
        "newest_record_at": stats.newest_record_at,
        "watermark": (stats.watermark or "")[:120] or None,
    }
    newest = stats.newest_record_at
    if prior.newest_record_at is not None and (newest is None or prior.newest_record_at > newest):
        newest = prior.newest_record_at
    with store.write() as conn:
        if error is None:
            state.finish_run(conn, run_id, status="ok", **run_values)
            values = {
                "last_success_at": finished,
                "newest_record_at": newest,
                "healthy": True,
                "notice": "; ".join(stats.notices)[:2000] or None,
            }
            if stats.watermark:
                values["watermark"] = stats.watermark[:120]
            if run.full_scan:
                values["last_full_scan_at"] = started
            state.update_source_state(conn, collector.name, **values)
        else:
            kind, line = error_kind(error), one_line(error)
            state.finish_run(
                conn, run_id, status="failed", error_kind=kind, error=line, **run_values
            )
            state.update_source_state(
                conn,
                collector.name,
                healthy=False,
                newest_record_at=newest,
                notice=f"{kind}: {line}"[:2000],
            )
    if error is None:
        return RunResult(collector.name, run_id, True, stats, attempts=attempts[0])
    return RunResult(
        collector.name,
        run_id,
        False,
        stats,
        error_kind=error_kind(error),
        error=one_line(error),
        attempts=attempts[0],
    )


def run_sources(
    store: Store,
    collectors: Iterable[Collector],
    *,
    clock: Clock,
    full_scan: bool | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> list[RunResult]:
    """Each collector once, in order; a failing one is recorded and the next one still runs."""
    results = []
    for collector in collectors:
        results.append(run_source(store, collector, clock=clock, full_scan=full_scan, sleep=sleep))
    return results
