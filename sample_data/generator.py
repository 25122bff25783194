"""``generate()``: the synthetic health system's sources, written under one folder.

Layout (stable; the ingest, collectors and benchmarks rely on it)::

    DIR/manifest.json                       what was written, counts, seed, as-of, scenario
    DIR/reference/{facilities,payers,fee_schedule,users}.csv
    DIR/clearinghouse/outbound/<YYYYMMDD-HHMMSS>_837{P,I}_<entity>.837
    DIR/clearinghouse/inbound/<YYYYMMDD-HHMMSS>_{999,277CA,835}_....{999,277,835}
    DIR/sources/{engine,workflow,erp}.sqlite
    DIR/exports/{engine,workflow,erp}/<table>.csv

File names start with the time the file was sent or arrived, so sorting by name is arrival
order; each file's modification time is set to that time too.

How it scales: claims are cut into chunks of a fixed size (``CHUNK_CLAIMS``) generated in worker
processes (``workers``, default: the machine's cores, at most 2); each chunk writes its rows and
its X12 fragments to a work folder, then the assembly step streams the fragments into files and
merges the rows in chunk order. Peak memory depends on the chunk size, not on the claim count,
and the output is byte-identical whatever the number of workers.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import shutil
import time
from calendar import monthrange
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sample_data.chunk import ChunkResult, ChunkTask, close_worker_db, run_chunk
from sample_data.clearinghouse_files import (
    WrittenFile,
    assemble_claim_files,
    assemble_remit_files,
    set_file_times,
    write_transfer_log,
)
from sample_data.health_system import build_health_system, write_reference
from sample_data.scenarios import SCENARIO_NAMES, build_scenario
from sample_data.source_exports import (
    decider_version_rows,
    file_message_rows,
    finish_databases,
    merge_worker_databases,
    revenue_rows,
    write_exports,
)

GENERATOR_VERSION = "1"
CHUNK_CLAIMS = 8000
DEMO_CLAIMS = 25_000
DEMO_MONTHS = 6


@dataclass
class Manifest:
    """What ``generate`` wrote (also saved as ``manifest.json``)."""

    generator_version: str
    seed: int
    claims: int
    months: int
    as_of: str  # the first day not generated: everything happened before it (00:00 UTC)
    first_service_date: str
    scenario: str
    scenario_description: str
    out_dir: str
    files: dict[str, int] = field(default_factory=dict)  # by kind: 837P, 837I, 999, 277CA, 835
    x12_claims: dict[str, int] = field(default_factory=dict)
    tables: dict[str, int] = field(default_factory=dict)  # rows per source table
    reference: dict[str, int] = field(default_factory=dict)
    layout: dict[str, str] = field(default_factory=dict)
    # Seconds per phase of this run (not saved: the manifest's bytes are deterministic).
    phase_seconds: dict[str, float] = field(default_factory=dict)

    def to_json(self) -> str:
        data = asdict(self)
        data.pop("out_dir")
        data.pop("phase_seconds")
        return json.dumps(data, indent=2, sort_keys=True) + "\n"


def window_start(as_of: date, months: int) -> date:
    y, m = as_of.year, as_of.month - months
    while m < 1:
        m += 12
        y -= 1
    return date(y, m, min(as_of.day, monthrange(y, m)[1]))


def daily_claims(start: date, as_of: date, claims: int) -> list[tuple[date, int]]:
    """Claims per service day: weekdays busy, weekends light; exact total by largest remainder."""
    days = [start + timedelta(days=i) for i in range((as_of - start).days)]
    weights = [1.0 if d.weekday() < 5 else (0.35 if d.weekday() == 5 else 0.2) for d in days]
    total = sum(weights)
    raw = [claims * w / total for w in weights]
    counts = [int(r) for r in raw]
    rest = claims - sum(counts)
    order = sorted(range(len(days)), key=lambda i: (-(raw[i] - counts[i]), i))
    for i in order[:rest]:
        counts[i] += 1
    return list(zip(days, counts, strict=True))


def plan_chunks(per_day: list[tuple[date, int]], chunk_claims: int) -> list[list]:
    """Cut the claim sequence (ordered by service day) into chunks of ``chunk_claims``."""
    chunks: list[list] = []
    current: list = []
    room = chunk_claims
    index = 0
    for day, count in per_day:
        while count:
            take = min(count, room)
            current.append((day, index, take))
            index += take
            count -= take
            room -= take
            if room == 0:
                chunks.append(current)
                current, room = [], chunk_claims
    if current:
        chunks.append(current)
    return chunks


def _worker_init() -> None:
    close_worker_db()


def generate(
    out_dir: str | Path,
    seed: int = 1,
    claims: int = DEMO_CLAIMS,
    months: int = DEMO_MONTHS,
    as_of: date | None = None,
    scenario: str = "baseline",
    workers: int | None = None,
) -> Manifest:
    """Write a synthetic health system's sources under ``out_dir`` and return the manifest.

    ``as_of`` is the first day *not* generated (default: today, UTC): services run from
    ``months`` months before it to the day before; every event dated at or after it has not
    happened yet. Same ``seed``, ``as_of``, ``claims``, ``months`` and ``scenario`` → the same
    bytes in every X12 and CSV file.
    """
    if scenario not in SCENARIO_NAMES:
        raise ValueError(f"unknown scenario {scenario!r} (choose from {', '.join(SCENARIO_NAMES)})")
    if claims < 1:
        raise ValueError("claims must be at least 1")
    if not 1 <= months <= 36:
        raise ValueError("months must be between 1 and 36")
    as_of = as_of or datetime.now(UTC).date()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    for sub in ("clearinghouse", "sources", "exports", "reference", ".work"):
        if (out / sub).exists():
            shutil.rmtree(out / sub)
    work = out / ".work"
    work.mkdir()
    start = window_start(as_of, months)
    cutoff = datetime(as_of.year, as_of.month, as_of.day)
    system = build_health_system(seed, start)
    sc = build_scenario(scenario, as_of)
    reference = write_reference(system, out / "reference", start)

    set_size = max(4, min(200, claims // 2000))
    patients = max(50, claims * 2 // 5)
    tasks = [
        ChunkTask(str(work), seed, n, start, as_of, scenario, set_size, patients, tuple(days))
        for n, days in enumerate(plan_chunks(daily_claims(start, as_of, claims), CHUNK_CLAIMS))
    ]
    workers = workers or min(2, os.cpu_count() or 1)
    clock = time.perf_counter()
    phases: dict[str, float] = {}

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        phases[name] = round(now - clock, 3)
        clock = now

    results: list[ChunkResult] = []
    if workers == 1 or len(tasks) == 1:
        for t in tasks:
            results.append(run_chunk(t))
        close_worker_db()
    else:
        ctx = multiprocessing.get_context("fork" if os.name == "posix" else "spawn")
        with ctx.Pool(workers, initializer=_worker_init, maxtasksperchild=None) as pool:
            results = list(pool.imap(run_chunk, tasks, chunksize=1))
    lap("claims")
    files: list[WrittenFile] = []
    if workers == 1:
        files += assemble_claim_files(out, work, system, seed, cutoff)
        files += assemble_remit_files(out, work, system, seed)
        merge_worker_databases(out, work)
    else:
        # X12 assembly (two streams) and the database merge are independent: run them together.
        ctx = multiprocessing.get_context("fork" if os.name == "posix" else "spawn")
        with ctx.Pool(workers) as pool:
            a = pool.apply_async(assemble_claim_files, (out, work, system, seed, cutoff))
            b = pool.apply_async(assemble_remit_files, (out, work, system, seed))
            c = pool.apply_async(merge_worker_databases, (out, work))
            files += a.get() + b.get()
            c.get()
    set_file_times(out, files)
    write_transfer_log(out, files)
    lap("x12+databases")

    revenue: dict[tuple[str, str], list[int]] = {}
    for r in results:
        for key, (gross, net) in r.revenue.items():
            acc = revenue.setdefault(key, [0, 0])
            acc[0] += gross
            acc[1] += net
    extra = {
        "message_log": file_message_rows(files, seed, system, cutoff),
        "decider_version": decider_version_rows(system, sc),
        "revenue": revenue_rows(revenue, cutoff),
    }
    finish_databases(out, extra)
    lap("indexes")
    chunk_rows: dict[str, int] = {}
    for r in results:
        for table, n in r.rows.items():
            chunk_rows[table] = chunk_rows.get(table, 0) + n
    table_counts = write_exports(out, work, extra, chunk_rows)
    lap("exports")
    shutil.rmtree(work)

    kinds: dict[str, int] = {}
    x12_claims: dict[str, int] = {}
    for f in files:
        kinds[f.kind] = kinds.get(f.kind, 0) + 1
        x12_claims[f.kind] = x12_claims.get(f.kind, 0) + f.claims
    manifest = Manifest(
        GENERATOR_VERSION,
        seed,
        claims,
        months,
        as_of.isoformat(),
        start.isoformat(),
        scenario,
        sc.description,
        str(out),
        dict(sorted(kinds.items())),
        dict(sorted(x12_claims.items())),
        table_counts,
        reference,
        {
            "reference": "reference/*.csv",
            "outbound": "clearinghouse/outbound/*.837",
            "inbound": "clearinghouse/inbound/*.{999,277,835}",
            "transfer_log": "clearinghouse/transfer_log.csv",
            "databases": "sources/{engine,workflow,erp}.sqlite",
            "exports": "exports/{engine,workflow,erp}/*.csv",
        },
    )
    manifest.phase_seconds = phases
    (out / "manifest.json").write_text(manifest.to_json(), encoding="utf-8")
    return manifest
