"""``rcmwatch bench collect``: the collectors' part of a collection cycle, measured.

1. generate a health system (``sample_data.generate``, the demo size by default) and collect its
   engine, workflow and ERP databases once (the initial load);
2. a cycle over the unchanged sources (target ≤ 2 s);
3. one simulated day of new data — built synthetically by cloning the rows of ~3,000 claims in
   the source databases with new keys and the next day's ``updated_at`` (messages, work items,
   decisions, receivables, postings, write-offs, payments) — then a cycle (target ≤ 5 s).

``--fixture FOLDER`` runs steps 2 and 3 on a copy of a built fixture (``rcmwatch bench fixture``,
e.g. the 1M-claim system): its store (already loaded) and its source databases are copied into
the work folder, so the cached fixture stays as it was built.

X12 ingest of the day's files is the ingest benchmark's (``rcmwatch bench ingest``); the EDI
folder collector only adds the move of each file to the archive.
"""

from __future__ import annotations

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

    from rcmwatch.store.engine import open_store_url

    built = json.loads((fixture / "fixture.json").read_text())
    if not built.get("completed"):
        raise RuntimeError(f"the fixture at {fixture} did not complete: build it again")
    if not (fixture / "store.db").is_file():
        raise RuntimeError(f"the fixture at {fixture} has no SQLite store.db")
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
    return open_store_url(f"sqlite:///{workdir / 'store.db'}"), built["claims"]


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
        report["targets"] = {"unchanged_cycle_s": 2.0, "day_cycle_s": 5.0}
        report["met"] = (
            report["unchanged_cycle"]["seconds"] <= 2.0 and report["day_cycle"]["seconds"] <= 5.0
        )
        return report
    finally:
        if tmp is not None:
            tmp.cleanup()
