"""The EDI inbound folder on a real folder: complete files go through ingest and are archived,
failures are quarantined with a reason file, partial files are left alone, nothing is deleted."""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from collectors.edi_folder import EdiFolderCollector
from collectors.runner import run_source
from rcmwatch.clock import FixedClock
from rcmwatch.ingest.outcome import FileOutcome
from rcmwatch.store.models import CollectorRun, InboundFile

NOW = datetime(2024, 6, 15, 12, tzinfo=UTC)


def _aged(path: Path, content: bytes, age: float = 60) -> Path:
    path.write_bytes(content)
    t = time.time() - age
    os.utime(path, (t, t))
    return path


def _collector(tmp_path, **kw) -> EdiFolderCollector:
    inbound = tmp_path / "inbound"
    inbound.mkdir(exist_ok=True)
    return EdiFolderCollector(
        "clearinghouse",
        inbound,
        archive=tmp_path / "archive",
        quarantine=tmp_path / "quarantine",
        settle_seconds=5,
        **kw,
    )


def _files(folder: Path) -> list[str]:
    if not folder.exists():
        return []
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


def test_files_are_archived_or_quarantined_and_partial_ones_left(tmp_path, sqlite_store):
    seen = []

    def ingest(store, path, *, clock, source):
        seen.append(path.name)
        if b"BAD" in path.read_bytes():
            return FileOutcome(str(path), "quarantined", reason="truncated in ST 0001\nat end")
        if path.name.startswith("dup"):
            return FileOutcome(str(path), "skipped", reason="already in the store")
        return FileOutcome(str(path), "ingested")

    collector = _collector(tmp_path, ingest=ingest)
    inbound = collector.inbound
    _aged(inbound / "a.835", b"ISA...", age=120)
    _aged(inbound / "dup.835", b"ISA...", age=90)
    _aged(inbound / "bad.837", b"BAD", age=60)
    _aged(inbound / "big.835.part", b"ISA", age=600)  # still uploading (by name)
    _aged(inbound / ".hidden", b"x", age=600)
    _aged(inbound / "fresh.999", b"ISA", age=0)  # modified just now: may still grow
    (tmp_path / "archive" / "2024" / "06" / "15").mkdir(parents=True)
    _aged(tmp_path / "archive" / "2024" / "06" / "15" / "a.835", b"older file, same name")

    result = run_source(sqlite_store, collector, clock=FixedClock(NOW))
    assert result.ok, result.line()
    assert seen == ["a.835", "dup.835", "bad.837"]  # oldest first
    s = result.stats
    assert (s.rows_read, s.rows_written, s.rows_quarantined) == (3, 1, 1)
    assert "1 file(s) still being written" in "; ".join(s.notices)
    assert _files(inbound) == [".hidden", "big.835.part", "fresh.999"]
    assert _files(tmp_path / "archive") == [
        "2024/06/15/a.1.835",  # nothing overwritten
        "2024/06/15/a.835",
        "2024/06/15/dup.835",
    ]
    assert _files(tmp_path / "quarantine") == ["bad.837", "bad.837.reason.txt"]
    reason = (tmp_path / "quarantine" / "bad.837.reason.txt").read_text()
    assert reason == "truncated in ST 0001 at end\n"


def test_the_real_ingest_quarantines_a_file_that_is_not_x12(tmp_path, sqlite_store):
    collector = _collector(tmp_path)
    _aged(collector.inbound / "junk.835", b"this is not an interchange")
    result = run_source(sqlite_store, collector, clock=FixedClock(NOW))
    assert result.ok and result.stats.rows_quarantined == 1
    assert _files(tmp_path / "quarantine") == ["junk.835", "junk.835.reason.txt"]
    assert (tmp_path / "quarantine" / "junk.835.reason.txt").read_text().strip()
    with sqlite_store.read() as conn:
        run = conn.execute(select(CollectorRun)).one()
        landed = conn.execute(select(InboundFile.status)).scalars().all()
    assert run.rows_quarantined == 1 and run.status == "ok"
    assert landed in ([], ["quarantined"])  # kept in the store too once the parser is wired


def test_a_missing_inbound_folder_is_unavailable(tmp_path, sqlite_store):
    collector = EdiFolderCollector(
        "clearinghouse",
        tmp_path / "nowhere",
        archive=tmp_path / "a",
        quarantine=tmp_path / "q",
    )
    waits: list[float] = []
    result = run_source(sqlite_store, collector, clock=FixedClock(NOW), sleep=waits.append)
    assert (result.ok, result.error_kind, len(waits)) == (False, "unavailable", 2)


def test_collect_loop_runs_each_source_at_its_cadence_until_stopped(tmp_path, sqlite_store):
    import threading

    from collectors.service import collect_loop

    (tmp_path / "inbound").mkdir()
    sources = tmp_path / "sources.toml"
    sources.write_text(
        '[source.clearinghouse]\nkind = "edi_folder"\ninbound = "inbound"\n'
        "cadence_seconds = 1\nsettle_seconds = 0\n"
    )
    stop = threading.Event()
    timer = threading.Timer(1.6, stop.set)
    timer.start()
    collect_loop(sqlite_store, sources, clock=FixedClock(NOW), stop=stop)
    timer.join()
    with sqlite_store.read() as conn:
        runs = conn.execute(select(CollectorRun.status)).scalars().all()
    assert runs == ["ok", "ok"]  # at 0 s and at 1 s


def test_settle_zero_takes_files_whose_arrival_is_ahead_of_the_wall_clock(tmp_path):
    # The simulator's clock runs ahead of the wall: its files' mtimes (arrival) are in the future.
    collector = _collector(tmp_path)
    ahead = _aged(collector.inbound / "20261205-064000_835_X.835", b"ISA", age=-9 * 86400)
    assert collector.ready_files() == ([], 1)  # with a settle time: "still being written"
    collector.settle_seconds = 0  # files land atomically: nothing is still being written
    assert collector.ready_files() == ([ahead], 0)
