"""One scheduler at a time, on both backends: two started together → exactly one runs jobs;
kill -9 of that one → the standby takes over well within 60 s; SIGTERM → clean stop, lock freed.
Plus the locks themselves: lease takeover after 3 missed heartbeats, advisory lock released
when the holder's connection dies."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from rcmwatch.scheduler.lock import PgAdvisoryLock, SqliteLeaseLock
from rcmwatch.store.engine import open_store_url
from rcmwatch.store.models import CollectorRun, SchedulerLock
from tests.cli_runner import RCMWATCH

SOURCES = """
[source.clearinghouse]
kind = "edi_folder"
inbound = "inbound"
cadence_seconds = 1
settle_seconds = 0
"""


def _start(url: str, sources: Path, log: Path) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RCMWATCH_")}
    env.update(
        RCMWATCH_DATABASE_URL=url,
        RCMWATCH_SOURCES=str(sources),
        RCMWATCH_SCHEDULER_HEARTBEAT_SECONDS="1",
    )
    with log.open("w") as out:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(
            [str(RCMWATCH), "scheduler"],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=sources.parent,
        )


def _wait(predicate, timeout: float, what: str) -> float:
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if predicate():
            return time.monotonic() - start
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def _leads(log: Path) -> bool:
    return "holding the scheduler lock" in log.read_text()


def _runs(log: Path) -> int:
    # Logged as a job starts, before its collector run is committed.
    return log.read_text().count("starting collect:clearinghouse")


def _recorded_runs(store) -> int:
    with store.read() as conn:
        return conn.scalar(select(func.count()).select_from(CollectorRun))


@pytest.mark.slow
def test_one_scheduler_runs_jobs_and_a_standby_takes_over_after_kill_9(store_url, tmp_path):
    (tmp_path / "inbound").mkdir()
    sources = tmp_path / "sources.toml"
    sources.write_text(SOURCES)
    store = open_store_url(store_url)
    logs = [tmp_path / "a.log", tmp_path / "b.log"]
    procs = [_start(store_url, sources, log) for log in logs]
    try:
        _wait(lambda: any(_leads(log) for log in logs), 30, "a leader")
        _wait(lambda: sum(_runs(log) for log in logs) >= 4, 30, "jobs to run")
        _wait(lambda: _recorded_runs(store) >= 4, 30, "the runs to be recorded")
        leaders = [i for i, log in enumerate(logs) if _leads(log)]
        assert len(leaders) == 1, [log.read_text() for log in logs]
        leader, standby = leaders[0], 1 - leaders[0]
        assert _runs(logs[standby]) == 0

        procs[leader].kill()  # kill -9
        procs[leader].wait(10)
        took = _wait(lambda: _leads(logs[standby]), 60, "the standby to take over")
        assert took < 60
        _wait(lambda: _runs(logs[standby]) >= 2, 20, "jobs on the new leader")

        procs[standby].send_signal(signal.SIGTERM)
        assert procs[standby].wait(20) == 0
        assert "stopped" in logs[standby].read_text()
        with store.read() as conn:
            assert conn.scalar(select(func.count()).select_from(SchedulerLock)) == 0
            statuses = set(conn.execute(select(CollectorRun.status)).scalars())
        assert statuses <= {"ok", "interrupted"}
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait(10)
        store.dispose()


def test_sqlite_lease_is_taken_over_after_three_missed_heartbeats(sqlite_store):
    a = SqliteLeaseLock(sqlite_store, "a", interval=0.2)
    b = SqliteLeaseLock(sqlite_store, "b", interval=0.2)
    assert a.acquire() and a.fresh()
    assert not b.acquire()
    assert a.heartbeat()
    time.sleep(0.7)  # a misses 3 heartbeats
    assert not a.fresh()
    assert b.acquire()
    assert not a.heartbeat()  # a learns it lost the lock and stops running jobs
    assert not a.acquire()
    b.release()
    assert a.acquire()


def test_pg_advisory_lock_is_released_when_the_holder_connection_dies(pg_store):
    a = PgAdvisoryLock(pg_store, "a", interval=0.2)
    b = PgAdvisoryLock(pg_store, "b", interval=0.2)
    assert a.acquire()
    assert not b.acquire()
    a.conn.invalidate()  # the holder's connection dies (as with kill -9)
    # The server frees the lock as the dead backend exits: a standby's next try gets it.
    _wait(b.acquire, 5, "the advisory lock to be freed")
    assert b.heartbeat()
    assert not a.heartbeat()
    with pg_store.read() as conn:
        assert conn.scalar(select(SchedulerLock.holder)).startswith("b pg=")
    b.release()


def test_pg_hung_holder_is_ended_after_three_missed_heartbeats(pg_store):
    a = PgAdvisoryLock(pg_store, "a", interval=0.2)
    b = PgAdvisoryLock(pg_store, "b", interval=0.2)
    assert a.acquire()
    time.sleep(0.7)  # a is alive but silent
    _wait(b.acquire, 5, "the hung holder to be ended")
    assert not a.heartbeat()
    b.release()
    a.release()
