"""Collecting from the configured sources: once (``rcmwatch collect --once``), in a loop at each
source's cadence (``rcmwatch collect``), or one source per scheduler job
(:func:`collect_source`). A source whose configuration cannot be built (bad mapping file) is
recorded as a failed run like any other failure: the others still run."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path

from collectors.base import RunStats
from collectors.config import SourceConfig, build_collector, load_sources
from collectors.errors import error_kind, one_line
from collectors.runner import RunResult, run_source
from rcmwatch.clock import Clock
from rcmwatch.store.engine import Store

log = logging.getLogger("rcmwatch.collect")


def _failed_config(store: Store, cfg: SourceConfig, exc: Exception, clock: Clock) -> RunResult:
    from collectors import state

    now = clock.now()
    kind, line = error_kind(exc), one_line(exc)
    with store.write() as conn:
        state.ensure_source_state(conn, cfg.name, cfg.kind, cfg.cadence_seconds)
        run_id = state.start_run(conn, cfg.name, now)
        state.finish_run(
            conn, run_id, status="failed", finished_at=now, error_kind=kind, error=line
        )
        state.update_source_state(conn, cfg.name, healthy=False, notice=f"{kind}: {line}")
    return RunResult(cfg.name, run_id, False, RunStats(), error_kind=kind, error=line)


def collect_source(
    store: Store, cfg: SourceConfig, *, clock: Clock, full_scan: bool | None = None
) -> RunResult:
    """Build the source's collector, run it once, release its client."""
    try:
        collector = build_collector(cfg, store=store)
    except Exception as exc:
        return _failed_config(store, cfg, exc, clock)
    try:
        return run_source(store, collector, clock=clock, full_scan=full_scan)
    finally:
        collector.close()


def collect_once(
    store: Store,
    sources_path: str | Path,
    *,
    clock: Clock,
    only: str | None = None,
    full_scan: bool | None = None,
) -> list[RunResult]:
    sources = load_sources(sources_path)
    return [
        collect_source(store, cfg, clock=clock, full_scan=full_scan)
        for cfg in sources.enabled(only)
    ]


def collect_loop(
    store: Store,
    sources_path: str | Path,
    *,
    clock: Clock,
    only: str | None = None,
    stop: threading.Event | None = None,
    monotonic: Callable[[], float] = time.monotonic,
) -> None:
    """Run each enabled source at its cadence until ``stop`` is set (the CLI sets it on
    SIGTERM/SIGINT)."""
    stop = stop or threading.Event()
    sources = load_sources(sources_path).enabled(only)
    due = {cfg.name: monotonic() for cfg in sources}
    while not stop.is_set():
        for cfg in sources:
            if stop.is_set():
                break
            if monotonic() >= due[cfg.name]:
                result = collect_source(store, cfg, clock=clock)
                log.info("%s", result.line())
                due[cfg.name] = monotonic() + cfg.cadence_seconds
        if not sources:
            stop.wait(1.0)
            continue
        stop.wait(max(0.05, min(due.values()) - monotonic()))
