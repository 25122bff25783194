"""The jobs the scheduler runs, defined in code at start-up (no library-managed job table).

A *job provider* is a function ``(context) -> list[JobSpec]``; :data:`JOB_PROVIDERS` lists them in
order. Collectors provide one job per enabled source at its cadence. Later features add theirs
with :func:`register_jobs` — the nightly metric snapshots and full checks (a ``cron`` trigger),
incremental checks after collection, and the poller that runs approved remediation jobs (a short
``interval``) — each recording its runs in its own tables, as the collectors do in
``collector_run``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from rcmwatch.clock import Clock
from rcmwatch.store.engine import Store


@dataclass(frozen=True)
class JobSpec:
    id: str
    func: Callable[[], Any]
    trigger: str  # interval | cron
    trigger_args: dict = field(default_factory=dict)  # e.g. {"seconds": 60} or {"hour": 2}
    run_at_start: bool = True


@dataclass
class SchedulerContext:
    store: Store
    clock: Clock
    settings: Any
    sources_path: Any


JobProvider = Callable[[SchedulerContext], list[JobSpec]]


def collector_jobs(ctx: SchedulerContext) -> list[JobSpec]:
    """One job per enabled source, every ``cadence_seconds``."""
    from collectors.config import load_sources
    from collectors.service import collect_source

    jobs = []
    for cfg in load_sources(ctx.sources_path).enabled():

        def run(cfg=cfg):
            return collect_source(ctx.store, cfg, clock=ctx.clock)

        jobs.append(JobSpec(f"collect:{cfg.name}", run, "interval",
                            {"seconds": cfg.cadence_seconds}))  # fmt: skip
    return jobs


def check_jobs(ctx: SchedulerContext) -> list[JobSpec]:
    """Data-quality checks: incremental after each collection (polled every minute; runs only
    when a collector run finished since the last), in full nightly at 02:00 UTC."""
    from checks.jobs import NIGHTLY_HOUR_UTC, POLL_SECONDS, run_after_collection, run_nightly

    return [
        JobSpec(
            "checks:incremental",
            lambda: run_after_collection(ctx.store, ctx.clock, ctx.settings),
            "interval",
            {"seconds": POLL_SECONDS},
            run_at_start=False,
        ),
        JobSpec(
            "checks:nightly",
            lambda: run_nightly(ctx.store, ctx.clock, ctx.settings),
            "cron",
            {"hour": NIGHTLY_HOUR_UTC, "minute": 0},
            run_at_start=False,
        ),
    ]


JOB_PROVIDERS: list[JobProvider] = [collector_jobs, check_jobs]


def register_jobs(provider: JobProvider) -> JobProvider:
    """Add a job provider (usable as a decorator); idempotent."""
    if provider not in JOB_PROVIDERS:
        JOB_PROVIDERS.append(provider)
    return provider
