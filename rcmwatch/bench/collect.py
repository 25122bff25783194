"""``rcmwatch bench collect``: the collectors' part of a collection cycle, measured.

1. generate a health system (``sample_data.generate``, the demo size by default) and collect its
   engine, workflow and ERP databases once (the initial load);
2. a cycle over the unchanged sources (target ≤ 2 s);
3. one simulated day of new data — built synthetically by cloning the rows of ~3,000 claims in
   the source databases with new keys and the next day's ``updated_at`` (messages, work items,
   decisions, receivables, postings, write-offs, payments) — then a cycle (target ≤ 5 s).

``--fixture FOLDER`` runs steps 2 and 3 on a copy of a built fixture (``rcmwatch bench fixture``,
e.g. the 1M-claim system): its store (already loaded) and its source databases are copied into
the work folder, so the cached fixture stays as it was built. The day then also ingests the X12
of the fixture's day closest to ``--day-claims`` submitted claims, with that day's 999s, 277CAs and
835s (files re-sent under new interchange control numbers), and reports
the day's total: SQL sources collected + X12 ingested.

X12 ingest of the day's files is the ingest benchmark's (``rcmwatch bench ingest``); the EDI
folder collector only adds the move of each file to the archive.
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

# Per source table: the share of one day's new rows, as a count per 3,000 claims.
DAY_ROWS = {
    ("engine", "message_log"): 9_000,
    ("workflow", "work_item"): 600,
    ("workflow", "automated_decision"): 600,
    ("workflow", "override"): 40,
    ("erp", "receivable"): 3_000,
    ("erp", "posting"): 9_000,
    ("erp", "write_off"): 300,
    ("erp", "payment"): 3_000,
}


def _clone_day(out: Path, claims: int, day: str) -> int:
    """Append one synthetic day to the source databases; returns the rows added. Keys get a
    suffix unique to this call, so a kept work folder can be benchmarked again."""
    tag = f"{day}-{uuid.uuid4().hex[:6]}"
    added = 0
    for (system, table), per_3000 in DAY_ROWS.items():
        n = max(1, per_3000 * claims // 3_000)
        db = sqlite3.connect(out / "sources" / f"{system}.sqlite")
        try:
            cols = [r[1] for r in db.execute(f"PRAGMA table_info({table})")]
            key = cols[0]
            exprs = []
            for c in cols:
                if c == key:
                    exprs.append(f"{c} || '-D{tag}'")
                elif c == "decision_id" and table == "override":
                    # Overrides of the day's cloned decisions, so their references resolve.
                    exprs.append(f"{c} || '-D{tag}'")
                elif c == "updated_at":
                    exprs.append(f"'{day}T' || substr(updated_at, 12)")
                else:
                    exprs.append(c)
            if table == "override":
                db.execute(
                    f"INSERT INTO {table} ({', '.join(cols)}) SELECT {', '.join(exprs)} "
                    f"FROM {table} WHERE decision_id || '-D{tag}' IN "
                    f"(SELECT decision_id FROM automated_decision) LIMIT {n}"
                )
            else:
                db.execute(
                    f"INSERT INTO {table} ({', '.join(cols)}) SELECT {', '.join(exprs)} "
                    f"FROM {table} WHERE {key} NOT LIKE '%-D%' ORDER BY {key} LIMIT {n}"
                )
            added += db.execute("SELECT changes()").fetchone()[0]
            db.commit()
        finally:
            db.close()
    return added


def _newest_day(out: Path) -> date:
    newest = "2000-01-01"
    for system, table in DAY_ROWS:
        db = sqlite3.connect(out / "sources" / f"{system}.sqlite")
        try:
            newest = max(newest, db.execute(f"SELECT MAX(updated_at) FROM {table}").fetchone()[0])
        finally:
            db.close()
    return date.fromisoformat(newest[:10])


def _from_fixture(fixture: Path, workdir: Path, log: Callable[[str], None]):
    """A copy of the fixture's store and source databases in ``workdir``; returns the store."""
    import json
    import shutil

    from rcmwatch.errors import ConfigError
    from rcmwatch.store.engine import open_store_url

    try:
        built = json.loads((fixture / "fixture.json").read_text())
    except (OSError, ValueError):
        raise ConfigError(
            f"--fixture {fixture}: no readable fixture.json (build one with rcmwatch bench fixture)"
        ) from None
    if not built.get("completed"):
        raise ConfigError(f"--fixture {fixture}: the fixture did not complete; build it again")
    if not (fixture / "store.db").is_file():
        raise ConfigError(f"--fixture {fixture}: no SQLite store.db in the fixture folder")
    out = workdir / "system"
    if out.exists():
        shutil.rmtree(out)
    (out / "sources").mkdir(parents=True)
    log(f"copying the {built['claims']:,}-claim fixture's store and sources into {workdir}")
    for db in (fixture / "system" / "sources").glob("*.sqlite"):
        shutil.copy2(db, out / "sources" / db.name)
    for extra in ("exports", "manifest.json"):
        src = fixture / "system" / extra
        if src.is_dir():
            shutil.copytree(src, out / extra)
        elif src.is_file():
            shutil.copy2(src, out / extra)
    shutil.copy2(fixture / "store.db", workdir / "store.db")
    # Measure the collector, not the kernel writing back the copy: flush those GBs first.
    started = time.perf_counter()
    os.sync()
    log(f"copy flushed to disk in {time.perf_counter() - started:.1f} s")
    return open_store_url(f"sqlite:///{workdir / 'store.db'}"), built["claims"]


def _day_of_x12(system: Path, out: Path, claims: int) -> tuple[list[Path], int, str]:
    """The clearinghouse files of the fixture's steady-state day whose 837s carry closest to
    ``claims`` claims (ties: the later day), with that day's 999s, 277CAs and 835s, copied into
    ``out``
    as new content: ISA13/IEA02 moved by 500,000,000, so ingest reads them as new files (the
    fixture already holds the originals; same claims, so a day's real linking work)."""
    import csv
    import re
    from collections import defaultdict

    house = system / "clearinghouse"
    by_day: dict[str, list[tuple[str, int]]] = defaultdict(list)
    submitted: dict[str, int] = defaultdict(int)
    with (house / "transfer_log.csv").open(newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            day = row["transferred_at"][:10]
            by_day[day].append((row["file"], int(row["claims"] or 0)))
            if row["direction"] == "outbound":
                submitted[day] += int(row["claims"] or 0)
    # Steady state only (the second half of the history): early days have few remits yet.
    days = sorted(by_day)
    day = min(
        days[len(days) // 2 :],
        key=lambda d: (abs(submitted[d] - claims), -int(d.replace("-", ""))),
    )
    out.mkdir(parents=True, exist_ok=True)
    files = []
    for name, _ in by_day[day]:
        data = (system / name).read_bytes()
        control = data[90:99]
        bumped = b"%09d" % ((int(control) + 500_000_000) % 1_000_000_000)
        data = data[:90] + bumped + data[99:]
        data = re.sub(rb"(IEA\W\d+\W)" + control, rb"\g<1>" + bumped, data)
        target = out / Path(name).name
        target.write_bytes(data)
        files.append(target)
    return files, submitted[day], day


def run_benchmark(
    store,
    *,
    claims: int,
    day_claims: int,
    workdir: Path | None,
    log: Callable[[str], None],
    fixture: Path | None = None,
) -> dict:
    from collectors.config import load_sources
    from collectors.generated import write_generated_sources
    from collectors.service import collect_source
    from rcmwatch.clock import SystemClock
    from sample_data import generate

    tmp = None
    if workdir is None:
        tmp = tempfile.TemporaryDirectory(prefix="rcmwatch-bench-collect-")
        workdir = Path(tmp.name)
    try:
        out = Path(workdir) / "system"
        if fixture is not None:
            store, claims = _from_fixture(fixture, Path(workdir), log)
        elif not (out / "sources").is_dir():
            log(f"generating {claims:,} claims into {out}")
            generate(out, seed=1, claims=claims, months=6, as_of=date(2024, 7, 1))
        sources = [
            s for s in load_sources(write_generated_sources(out)).enabled() if s.kind == "sql"
        ]
        clock = SystemClock()

        def cycle(label: str) -> dict:
            start = time.perf_counter()
            results = [collect_source(store, cfg, clock=clock, full_scan=False) for cfg in sources]
            seconds = time.perf_counter() - start
            for r in results:
                if not r.ok:
                    raise RuntimeError(r.line())
            rows = sum(r.stats.rows_read for r in results)
            written = sum(r.stats.rows_written for r in results)
            log(f"{label}: {seconds:.2f} s ({rows:,} rows read, {written:,} written)")
            return {"seconds": round(seconds, 3), "rows_read": rows, "rows_written": written}

        report = {
            "store": store.backend,
            "claims": claims,
            "fixture": str(fixture) if fixture else None,
            "initial_load": None if fixture else cycle("initial load"),
            "unchanged_cycle": cycle("cycle over unchanged sources"),
        }
        day = (_newest_day(out) + timedelta(days=1)).isoformat()
        added = _clone_day(out, day_claims, day)
        log(f"added one synthetic day: {added:,} source rows (~{day_claims:,} claims' worth)")
        report["day_rows_added"] = added
        report["day_cycle"] = cycle("cycle after one day of new data")
        day_total = report["day_cycle"]["seconds"]
        if fixture is not None:
            from rcmwatch.clock import FixedClock
            from rcmwatch.ingest.run import ingest_paths

            files, day_claims_x12, busiest = _day_of_x12(
                fixture / "system", Path(workdir) / "day_x12", day_claims
            )
            start = time.perf_counter()
            outcomes = list(ingest_paths(store, files, clock=FixedClock(clock.now())))
            seconds = time.perf_counter() - start
            failed = [o for o in outcomes if o.failed]
            if failed:
                raise RuntimeError(f"{len(failed)} of the day's files failed to ingest")
            log(
                f"ingest of one day's X12 ({busiest}: {len(files)} files, "
                f"{day_claims_x12:,} claims submitted, with that day's acks and remits): "
                f"{seconds:.2f} s"
            )
            report["day_x12"] = {
                "day": busiest,
                "files": len(files),
                "claims": day_claims_x12,
                "seconds": round(seconds, 3),
            }
            day_total += seconds
        report["day_total_s"] = round(day_total, 3)
        report["targets"] = {"unchanged_cycle_s": 2.0, "day_cycle_s": 5.0}
        report["met"] = report["unchanged_cycle"]["seconds"] <= 2.0 and day_total <= 5.0
        return report
    finally:
        if tmp is not None:
            tmp.cleanup()
