"""Copy a whole SQLite store into an empty PostgreSQL database, row for row, ids kept.

Why: a benchmark fixture is built once (generate → ingest → collect, about an hour at 1M claims)
and is then wanted on both backends. Re-running ingest against PostgreSQL would take as long
again; copying the finished store with COPY takes minutes and gives the same rows, so the two
backends are measured on identical data.

The target is migrated to the code's schema first; its seeded reference rows are replaced by the
source's. Foreign-key triggers are off for the copy (``session_replication_role = replica``): the
source store is already consistent, and checking 30M references row by row would dominate. The
whole copy is one transaction: a failure leaves the target as it was.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import text

from rcmwatch.errors import ConfigError

BATCH = 20_000
# Rows here mean the target already holds somebody's data, not just what a migration seeds.
_DATA_TABLES = ("inbound_file", "claim", "facility", "receivable", "work_item")


@dataclass
class CopyReport:
    tables: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def rows(self) -> int:
        return sum(self.tables.values())


def copy_sqlite_to_postgres(
    sqlite_path: Path, postgres_url: str, *, log: Callable[[str], None] = print
) -> CopyReport:
    from rcmwatch.store.engine import open_store_url
    from rcmwatch.store.models import Base

    started = time.perf_counter()
    if not Path(sqlite_path).is_file():
        raise ConfigError(f"no SQLite store at {sqlite_path}")
    target = open_store_url(postgres_url)  # creates or upgrades the schema
    if target.is_sqlite:
        target.dispose()
        raise ConfigError(f"{target.display_url} is not PostgreSQL")
    source = sqlite3.connect(f"file:{sqlite_path}?mode=ro", uri=True)
    report = CopyReport()
    try:
        with target.engine.connect() as conn:
            for name in _DATA_TABLES:
                if conn.execute(text(f'SELECT EXISTS (SELECT 1 FROM "{name}")')).scalar():
                    raise ConfigError(
                        f"{target.display_url} already holds data ({name} has rows)",
                        next_step="copy into an empty database (CREATE DATABASE ...)",
                    )
        tables = [t for t in Base.metadata.sorted_tables if t.name != "alembic_version"]
        present = {
            r[0] for r in source.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        }
        with target.engine.begin() as conn:
            raw = conn.connection.driver_connection
            raw.execute("SET TIME ZONE 'UTC'")  # SQLite holds naive UTC timestamps
            raw.execute("SET session_replication_role = replica")
            names = ", ".join(f'"{t.name}"' for t in tables)
            raw.execute(f"TRUNCATE {names} RESTART IDENTITY")
            for table in tables:
                if table.name not in present:
                    continue
                have = [r[1] for r in source.execute(f'PRAGMA table_info("{table.name}")')]
                columns = [c.name for c in table.columns if c.name in have]
                n = _copy_table(source, raw, table.name, columns)
                report.tables[table.name] = n
                if n:
                    log(f"  {table.name}: {n:,} rows ({time.perf_counter() - started:.0f} s)")
            for table in tables:
                if "id" in table.columns and table.columns["id"].autoincrement is not False:
                    seq = raw.execute(
                        "SELECT pg_get_serial_sequence(%s, 'id')", (table.name,)
                    ).fetchone()[0]
                    if seq:
                        raw.execute(
                            f'SELECT setval(%s, COALESCE((SELECT MAX(id) FROM "{table.name}"), 1),'
                            f' (SELECT MAX(id) FROM "{table.name}") IS NOT NULL)',
                            (seq,),
                        )
            raw.execute("SET session_replication_role = DEFAULT")
        with target.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("ANALYZE"))
    finally:
        source.close()
        target.dispose()
    report.seconds = time.perf_counter() - started
    return report


def _copy_table(source: sqlite3.Connection, raw, name: str, columns: list[str]) -> int:
    quoted = ", ".join(f'"{c}"' for c in columns)
    cur = source.execute(f'SELECT {quoted} FROM "{name}"')
    n = 0
    with raw.cursor() as pg, pg.copy(f'COPY "{name}" ({quoted}) FROM STDIN') as copy:
        while rows := cur.fetchmany(BATCH):
            for row in rows:
                copy.write_row(row)
            n += len(rows)
    return n
