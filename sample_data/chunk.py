"""One chunk of claims (a fixed number, so memory does not grow with the total): run every claim's
story, then flush what it produced — table rows to CSV parts and to the worker's SQLite database,
X12 fragments appended to the day buckets the assembly step turns into files.

Chunks run in worker processes; everything a chunk writes is keyed by its number, so the
assembly can merge the workers' outputs in chunk order whatever process ran which chunk.
"""

from __future__ import annotations

import csv
import os
import sqlite3
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sample_data.claim_story import ClaimStory
from sample_data.health_system import build_health_system
from sample_data.scenarios import build_scenario
from sample_data.source_tables import TABLES, insert_sql

WORK_TABLES = tuple(t for t in TABLES if t.name not in ("decider_version", "revenue"))


@dataclass(frozen=True)
class ChunkTask:
    work_dir: str
    seed: int
    chunk: int
    start: date
    as_of: date
    scenario: str
    set_size: int
    patients: int
    days: tuple[tuple[date, int, int], ...]  # (service day, first claim index, claim count)


@dataclass
class ChunkResult:
    chunk: int
    claims: int
    rows: dict[str, int]
    revenue: dict[tuple[str, str], tuple[int, int]]


class ChunkSink:
    """Collects one chunk's output in memory (bounded by the chunk size) until ``flush``."""

    def __init__(self, chunk: int) -> None:
        self.chunk = chunk
        self.rows: dict[str, list[tuple]] = {t.name: [] for t in WORK_TABLES}
        self.counters: dict[str, int] = {}
        self._prefixes: dict[str, str] = {}
        self.postings = self.rows["posting"]
        self.b837: dict[str, list[str]] = {}
        self.b835: dict[str, list[str]] = {}
        self.rev: dict[tuple[str, str], list[int]] = {}
        self._work_item_index: dict[str, int] = {}

    def next_id(self, prefix: str) -> str:
        n = self.counters.get(prefix, 0) + 1
        self.counters[prefix] = n
        return f"{self._prefixes.get(prefix) or self._prefix(prefix)}{n:07d}"

    def _prefix(self, prefix: str) -> str:
        self._prefixes[prefix] = f"{prefix}{self.chunk:06d}"
        return self._prefixes[prefix]

    def add(self, table: str, row: tuple) -> None:
        rows = self.rows[table]
        if table == "work_item":
            self._work_item_index[row[0]] = len(rows)
        rows.append(row)

    def close_last_work_item(
        self, wid: str | None, resolved: datetime, resolution: str, cutoff: datetime
    ) -> None:
        """Rewrite an open work item as closed at ``resolved`` (if that is before the cut-off)."""
        if wid is None or resolved >= cutoff:
            return
        rows = self.rows["work_item"]
        i = self._work_item_index[wid]
        r = list(rows[i])
        r[12] = "closed"
        r[13] = resolved.isoformat()
        r[14] = r[11] or "zz.biller01"
        r[15] = resolution
        r[16] = resolved.isoformat()
        rows[i] = tuple(r)

    def spool_837(self, day: date, entity: str, record: str) -> None:
        self.b837.setdefault(f"{day:%Y%m%d}_{entity}", []).append(record)

    def spool_835(self, day: date, payer: str, entity: str, record: str) -> None:
        self.b835.setdefault(f"{day:%Y%m%d}_{payer}_{entity}", []).append(record)

    def revenue(self, facility: str, day: date, gross: int, net: int) -> None:
        key = (facility, f"{day:%Y-%m}-01")
        acc = self.rev.get(key)
        if acc is None:
            self.rev[key] = [gross, net]
        else:
            acc[0] += gross
            acc[1] += net


_DB: sqlite3.Connection | None = None


def _worker_db(work: Path) -> sqlite3.Connection:
    """Each worker process appends its rows to one SQLite file of its own."""
    global _DB
    if _DB is None:
        path = work / "db" / f"{os.getpid()}.sqlite"
        path.parent.mkdir(parents=True, exist_ok=True)
        _DB = sqlite3.connect(path)
        _DB.execute("PRAGMA journal_mode=OFF")
        _DB.execute("PRAGMA synchronous=OFF")
        for t in WORK_TABLES:
            cols = ", ".join(f"{c.name} {c.type}" for c in t.columns)
            _DB.execute(f"CREATE TABLE IF NOT EXISTS {t.name} ({cols})")
    return _DB


def flush(sink: ChunkSink, work: Path) -> dict[str, int]:
    counts = {}
    db = _worker_db(work)
    for table, rows in sink.rows.items():
        counts[table] = len(rows)
        part = work / "parts" / table / f"{sink.chunk:06d}.csv"
        part.parent.mkdir(parents=True, exist_ok=True)
        with part.open("w", newline="", encoding="utf-8") as fh:
            csv.writer(fh, lineterminator="\n").writerows(rows)
        if rows:
            db.executemany(insert_sql(next(t for t in WORK_TABLES if t.name == table)), rows)
    db.commit()
    for kind, buckets in (("837", sink.b837), ("835", sink.b835)):
        # One spool per chunk, sorted by bucket: the assembly merges all chunks' spools.
        folder = work / "spool" / kind
        folder.mkdir(parents=True, exist_ok=True)
        with open(folder / f"{sink.chunk:06d}.txt", "w", encoding="utf-8") as fh:
            for bucket in sorted(buckets):
                prefix = bucket + "\t"
                records = buckets[bucket]
                if kind == "837":
                    # One 837 set per subset: keep a set's claims together (stable order).
                    records = sorted(records, key=lambda r: r[7:11])
                fh.write(prefix + ("\n" + prefix).join(records) + "\n")
    return counts


def run_chunk(task: ChunkTask) -> ChunkResult:
    """Generate one chunk (called in a worker process)."""
    start = task.start
    system = build_health_system(task.seed, start)
    scenario = build_scenario(task.scenario, task.as_of)
    cutoff = datetime(task.as_of.year, task.as_of.month, task.as_of.day)
    sink = ChunkSink(task.chunk)
    story = ClaimStory(
        seed=task.seed,
        chunk=task.chunk,
        system=system,
        scenario=scenario,
        start=start,
        cutoff=cutoff,
        set_size=task.set_size,
        patients=task.patients,
        sink=sink,
    )
    claims = 0
    for day, first, count in task.days:
        for index in range(first, first + count):
            story.run(index, day)
            claims += 1
    counts = flush(sink, Path(task.work_dir))
    revenue = {k: (v[0], v[1]) for k, v in sink.rev.items()}
    return ChunkResult(task.chunk, claims, counts, revenue)


def close_worker_db() -> None:
    global _DB
    if _DB is not None:
        _DB.close()
        _DB = None
