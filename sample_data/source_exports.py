"""Finish the source systems: merge the workers' rows into one SQLite database per system under
``sources/`` and concatenate the chunks' CSV parts (in chunk order, so the bytes do not depend on
which process ran which chunk) into ``exports/<system>/<table>.csv``.
"""

from __future__ import annotations

import csv
import hashlib
import io
import shutil
import sqlite3
from datetime import datetime, timedelta
from pathlib import Path

from sample_data.claim_story import INTERFACE_ROUTES, u64
from sample_data.clearinghouse_files import WrittenFile
from sample_data.health_system import HealthSystem
from sample_data.scenarios import Scenario
from sample_data.source_tables import SYSTEMS, TABLES, create_sql, insert_sql

EXTRA_PART = "999999"  # rows made after the chunks (file messages, revenue, versions) go last

FILE_INTERFACE = {
    "837P": "claims_out",
    "837I": "claims_out",
    "999": "acks_in",
    "277CA": "acks_in",
    "835": "era_in",
}


def file_message_rows(
    files: list[WrittenFile], seed: int, system: HealthSystem, cutoff: datetime
) -> list[tuple]:
    """The engine moves every clearinghouse file once; a few need a second attempt."""
    rows = []
    for n, f in enumerate(sorted(files, key=lambda f: (f.at, f.path)), start=1):
        interface = FILE_INTERFACE[f.kind]
        direction, queue, exchange, rkey, mtype = INTERFACE_ROUTES[interface]
        name = f.path.rsplit("/", 1)[1]
        created = f.at
        retried = u64(seed, "file-message", name) < 0.03
        done = created + timedelta(minutes=7 if retried else 1)
        if done >= cutoff:
            done = created
        facility = f.entity if f.entity != "PHYS" else "MG"
        rows.append(
            (
                f"MF{n:012d}",
                interface,
                direction,
                queue,
                exchange,
                rkey,
                mtype.replace("ACK", f.kind[:3]),
                name,
                "file",
                name,
                facility,
                "processed",
                "SFTP_TIMEOUT" if retried else None,
                "SFTP read timeout after 60s" if retried else None,
                2 if retried else 1,
                created.isoformat(),
                done.isoformat(),
                done.isoformat(),
                None,
                None,
                done.isoformat(),
            )
        )
    return rows


def decider_version_rows(system: HealthSystem, scenario: Scenario) -> list[tuple]:
    rows = []
    for d in system.deciders:
        rows.append(
            (
                f"{d.kind}:{d.name}:{d.version}",
                d.kind,
                d.name,
                d.version,
                d.content_hash,
                d.author,
                d.approver,
                d.effective_from.isoformat(),
                d.description,
                f"{d.effective_from.isoformat()}T00:00:00",
            )
        )
    if scenario.override_rule:
        base = next(d for d in system.deciders if d.name == scenario.override_rule)
        h = hashlib.sha256(f"{base.kind}:{base.name}:{scenario.override_version}".encode())
        rows.append(
            (
                f"{base.kind}:{base.name}:{scenario.override_version}",
                base.kind,
                base.name,
                scenario.override_version,
                h.hexdigest(),
                "zz.coder03",
                "zz.denials01",
                scenario.override_from.isoformat(),
                base.description + " (widened to all imaging)",
                f"{scenario.override_from.isoformat()}T00:00:00",
            )
        )
    return rows


def revenue_rows(revenue: dict[tuple[str, str], list[int]], cutoff: datetime) -> list[tuple]:
    rows = []
    for (facility, period), (gross, net) in sorted(revenue.items()):
        rows.append(
            (
                f"{facility}-{period[:7]}",
                facility,
                period,
                gross,
                gross - net,
                net,
                f"{period[:7]}-28T23:00:00"
                if period[:7] < cutoff.strftime("%Y-%m")
                else (cutoff - timedelta(hours=1)).isoformat(),
            )
        )
    return rows


def write_exports(
    out: Path, work: Path, extra: dict[str, list[tuple]], chunk_rows: dict[str, int]
) -> dict[str, int]:
    """CSV exports with a header line; chunk parts in chunk order (copied as bytes), then the
    extra rows. Returns the row count of each export."""
    counts = {}
    for table in TABLES:
        folder = out / "exports" / table.system
        folder.mkdir(parents=True, exist_ok=True)
        parts = sorted((work / "parts" / table.name).glob("*.csv"))
        rows = extra.get(table.name, [])
        tail = io.StringIO()
        csv.writer(tail, lineterminator="\n").writerows(rows)
        with open(folder / f"{table.name}.csv", "wb") as fh:
            fh.write((",".join(table.column_names) + "\n").encode())
            for part in parts:
                with open(part, "rb") as src:
                    shutil.copyfileobj(src, fh, 1 << 20)
            fh.write(tail.getvalue().encode("utf-8"))
        counts[table.name] = chunk_rows.get(table.name, 0) + len(rows)
    return counts


def merge_worker_databases(out: Path, work: Path) -> None:
    """One SQLite database per source system under ``sources/``, from the workers' databases
    (runs while the X12 files are assembled)."""
    folder = out / "sources"
    folder.mkdir(parents=True, exist_ok=True)
    worker_dbs = sorted((work / "db").glob("*.sqlite"))
    for system in SYSTEMS:
        path = folder / f"{system}.sqlite"
        if path.exists():
            path.unlink()
        db = sqlite3.connect(path)
        db.execute("PRAGMA journal_mode=OFF")
        db.execute("PRAGMA synchronous=OFF")
        db.execute("PRAGMA cache_size=-65536")
        tables = [t for t in TABLES if t.system == system]
        for t in tables:
            db.execute(create_sql(t))
        for i, wdb in enumerate(worker_dbs):
            db.execute(f"ATTACH DATABASE ? AS w{i}", (str(wdb),))
        for t in tables:
            if t.name in ("decider_version", "revenue"):
                continue
            # Each worker's rows are in chunk order already: no sort (it would cost memory
            # that grows with the claim count).
            for i in range(len(worker_dbs)):
                db.execute(f"INSERT INTO {t.name} SELECT * FROM w{i}.{t.name}")
        db.commit()
        for i in range(len(worker_dbs)):
            db.execute(f"DETACH DATABASE w{i}")
        db.close()


def finish_databases(out: Path, extra: dict[str, list[tuple]]) -> None:
    """Add the rows made after the chunks, then the indexes collectors poll with."""
    for system in SYSTEMS:
        db = sqlite3.connect(out / "sources" / f"{system}.sqlite")
        db.execute("PRAGMA journal_mode=OFF")
        db.execute("PRAGMA synchronous=OFF")
        for t in (t for t in TABLES if t.system == system):
            rows = extra.get(t.name, [])
            if rows:
                db.executemany(insert_sql(t), rows)
            db.execute(f"CREATE INDEX ix_{t.name}_updated_at ON {t.name} (updated_at)")
        if system == "erp":
            db.execute("CREATE INDEX ix_remit_import_status ON remit_import (status)")
        if system == "workflow":
            db.execute("CREATE INDEX ix_work_item_subject ON work_item (subject_type, subject_key)")
        db.commit()
        db.close()
