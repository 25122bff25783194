"""One data-quality run end to end: choose the checks, scope them (incremental) or not (full),
run them through GX, store the results and work items."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date, datetime

from checks.catalog import catalog
from checks.results import incremental_populations, incremental_scopes, record_run, watermarks
from checks.runner import Outcome, run_checks
from rcmwatch.store.engine import Store


@dataclass
class RunReport:
    run_id: int
    mode: str
    outcomes: list[Outcome]
    seconds: float

    def line(self) -> str:
        failed = [o.check.id for o in self.outcomes if not o.success and not o.errored]
        return (
            f"checks ({self.mode}, run #{self.run_id}): {len(self.outcomes)} run in "
            f"{self.seconds:.1f} s; failing: {', '.join(failed) or 'none'}; blocking: "
            f"{len(self.blocking)}; errored: {len(self.errored)}"
        )

    @property
    def blocking(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.blocking]

    @property
    def errored(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.errored]


def run_and_record(
    store: Store,
    as_of: datetime,
    *,
    mode: str = "full",
    suite: str | None = None,
    check_ids: list[str] | None = None,
    watch_start: dict[str, date] | None = None,
) -> RunReport:
    """Run the checks (``mode`` full or incremental) as of ``as_of`` and store the run."""
    if mode not in ("full", "incremental"):
        raise ValueError(f"mode {mode!r}")
    chosen = [
        c
        for c in catalog().values()
        if (suite is None or c.suite == suite) and (check_ids is None or c.id in check_ids)
    ]
    started = time.perf_counter()
    with store.read() as conn:
        max_ids = watermarks(conn, chosen)
        scopes = incremental_scopes(conn, chosen, as_of) if mode == "incremental" else {}
        populations = incremental_populations(conn, scopes, max_ids)
    outcomes = run_checks(
        store,
        as_of,
        check_ids=[c.id for c in chosen],
        watch_start=watch_start,
        scopes=scopes,
        populations=populations,
    )
    seconds = time.perf_counter() - started
    run_id = record_run(
        store, outcomes, mode=mode, started_at=as_of, seconds=seconds, max_ids=max_ids
    )
    return RunReport(run_id, mode, outcomes, time.perf_counter() - started)
