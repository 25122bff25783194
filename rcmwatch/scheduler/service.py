"""The scheduler loop: wait for the lock (standby), then run the jobs while heartbeating; pause
them the moment the lock is lost; on SIGTERM/SIGINT finish the running jobs, release the lock and
exit. APScheduler 3.x runs the jobs (memory job store, a thread pool, one instance per job,
missed runs coalesced); the lock decides whether this process may run any at all."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from datetime import UTC, datetime

from rcmwatch.scheduler.jobs import JOB_PROVIDERS, JobProvider, JobSpec, SchedulerContext
from rcmwatch.scheduler.lock import default_holder, make_lock

log = logging.getLogger("rcmwatch.scheduler")


class SchedulerService:
    def __init__(
        self,
        ctx: SchedulerContext,
        *,
        heartbeat_seconds: float = 10,
        workers: int = 4,
        holder: str | None = None,
        providers: Iterable[JobProvider] | None = None,
    ) -> None:
        self.ctx = ctx
        self.heartbeat_seconds = heartbeat_seconds
        self.workers = workers
        self.lock = make_lock(ctx.store, holder or default_holder(), heartbeat_seconds)
        self.providers = list(providers if providers is not None else JOB_PROVIDERS)
        self.jobs: list[JobSpec] = []
        self.leading = False
        self._scheduler = None

    def _build(self):
        from apscheduler.executors.pool import ThreadPoolExecutor
        from apscheduler.jobstores.memory import MemoryJobStore
        from apscheduler.schedulers.background import BackgroundScheduler

        scheduler = BackgroundScheduler(
            jobstores={"default": MemoryJobStore()},
            executors={"default": ThreadPoolExecutor(self.workers)},
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 60},
            timezone=UTC,
        )
        for provider in self.providers:
            self.jobs.extend(provider(self.ctx))
        for spec in self.jobs:
            scheduler.add_job(
                self._guarded(spec),
                spec.trigger,
                id=spec.id,
                name=spec.id,
                next_run_time=datetime.now(UTC) if spec.run_at_start else None,
                **spec.trigger_args,
            )
        return scheduler

    def _guarded(self, spec: JobSpec):
        def run():
            # Never start a job unless our last heartbeat proves nobody could have taken over.
            if not self.lock.fresh():
                log.warning("skipped %s: the scheduler lock is not held", spec.id)
                return
            log.info("starting %s (holder %s)", spec.id, self.lock.holder)
            try:
                result = spec.func()
            except Exception:
                log.exception("job %s failed", spec.id)
                return
            line = getattr(result, "line", None)
            if callable(line):
                log.info("%s", line())

        return run

    def run(self, stop: threading.Event) -> None:
        """Block until ``stop`` is set."""
        self._scheduler = self._build()
        log.info("scheduler %s started with %d job(s); waiting for the lock",
                 self.lock.holder, len(self.jobs))  # fmt: skip
        try:
            while not stop.is_set():
                if self.leading:
                    if not self.lock.heartbeat():
                        log.warning("lost the scheduler lock; pausing jobs (standby)")
                        self._scheduler.pause()
                        self.leading = False
                elif self.lock.acquire():
                    log.info("holding the scheduler lock as %s; running jobs", self.lock.holder)
                    self.leading = True
                    if self._scheduler.running:
                        self._scheduler.resume()
                    else:
                        self._scheduler.start()
                stop.wait(self.heartbeat_seconds)
        finally:
            if self._scheduler.running:
                self._scheduler.shutdown(wait=True)
            if self.leading:
                self.lock.release()
                self.leading = False
            log.info("scheduler %s stopped", self.lock.holder)
