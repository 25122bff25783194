"""The floors under ``rcmwatch bench ingest``: what no ingest code can beat on this machine.

- **parse only**: the set's files parsed as ingest parses them, nothing written (wall and CPU
  seconds — the parser runs two threads, so CPU exceeds wall).
- **load only**: exactly the rows an ingest of the set wrote, taken from that finished store and
  loaded into a fresh one in one transaction with nothing else to do — no parse, no lookup, no
  link, every row already built:
  - SQLite through Python's driver (``executemany``, how any Python writer binds values), and
    inside the engine (``INSERT … SELECT`` from the finished store attached: no binding at all —
    a floor no writer sharing the file's transaction can reach, since Python's driver is the only
    way into that connection);
  - PostgreSQL by binary COPY with the schema's foreign keys checked, as every ingest has them
    checked, and — what if the schema dropped them — with those checks off
    (``session_replication_role = replica``; superuser only, else reported as not measured).

An ingest can overlap parsing with loading across cores, but cannot write its rows faster than
loading them alone: claims ÷ load seconds is a ceiling on claims/s for this schema here.

Run as ``python -m rcmwatch.bench.ingest_floor parse|sqlite|postgresql ...`` (one JSON line), so
that each measurement is a process of its own, like the timed ingests.
"""

from __future__ import annotations

import argparse
import io
import json
import resource
import sqlite3
import sys
import time
from pathlib import Path

from sqlalchemy import Table, func, select
from sqlalchemy.engine import make_url


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)  # every thread of the process
    return usage.ru_utime + usage.ru_stime


def parse_only(paths: list[Path]) -> dict:
    """Parse each file as ingest does (:func:`rcmwatch.ingest.parse.parse_x12`), in order."""
    from rcmwatch.ingest.parse import parse_x12
    from rcmwatch.ingest.run import expand_paths

    contents = [p.read_bytes() for p in expand_paths(paths)]  # reading is not parsing
    cpu, started = _cpu_seconds(), time.perf_counter()
    for data in contents:
        parse_x12(data)
    return {
        "files": len(contents),
        "wall_s": round(time.perf_counter() - started, 3),
        "cpu_s": round(_cpu_seconds() - cpu, 3),
    }


def ingested_tables(source_conn, fresh_conn) -> list[Table]:
    """The tables the ingest filled, parents first: rows in the finished store, none in a fresh
    one (what a migration seeds — roles, CARC categories — is not the ingest's)."""
    from rcmwatch.store.models import Base

    tables = []
    for table in Base.metadata.sorted_tables:
        if fresh_conn.execute(select(func.count()).select_from(table)).scalar():
            continue
        if source_conn.execute(select(func.count()).select_from(table)).scalar():
            tables.append(table)
    return tables


def sqlite_load(source: Path, workdir: Path) -> dict:
    """Load the rows of the finished SQLite store ``source`` into fresh stores, timed: through
    Python's driver, then inside the engine."""
    from rcmwatch.store.engine import open_store_url

    def fresh(name: str):
        path = workdir / f"{name}.db"
        for old in workdir.glob(f"{name}.db*"):
            old.unlink()
        return open_store_url(f"sqlite:///{path}")

    out: dict = {}
    store = fresh("floor_driver")
    reader = open_store_url(f"sqlite:///{source}")
    with reader.read() as src, store.read() as dst:
        tables = ingested_tables(src, dst)
    reader.dispose()
    # Python's driver: the rows fetched first (not timed), then bound and inserted.
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    rows = {t.name: src.execute(_select_all(t)).fetchall() for t in tables}
    src.close()
    out["rows"] = {name: len(r) for name, r in rows.items()}
    raw = store.engine.raw_connection()  # the store's own pragmas: WAL, foreign keys on
    try:
        conn = raw.driver_connection
        started = time.perf_counter()
        conn.execute("BEGIN IMMEDIATE")
        for t in tables:
            conn.executemany(_insert_values(t), rows[t.name])
        conn.execute("COMMIT")
        out["python_driver_s"] = round(time.perf_counter() - started, 3)
    finally:
        raw.close()
        store.dispose()
    del rows
    # Inside the engine: no value crosses into Python.
    store = fresh("floor_engine")
    raw = store.engine.raw_connection()
    try:
        conn = raw.driver_connection
        conn.execute("ATTACH DATABASE ? AS src", (f"file:{source}?mode=ro",))
        for t in tables:  # the source's pages read once, so the timing is the writes
            conn.execute(f'SELECT count(*) FROM src."{t.name}"').fetchone()
        started = time.perf_counter()
        conn.execute("BEGIN IMMEDIATE")
        for t in tables:
            cols = _columns(t)
            conn.execute(f'INSERT INTO main."{t.name}" ({cols}) SELECT {cols} FROM src."{t.name}"')
        conn.execute("COMMIT")
        out["engine_s"] = round(time.perf_counter() - started, 3)
        conn.execute("DETACH DATABASE src")
    finally:
        raw.close()
        store.dispose()
    return out


def postgres_load(source_url: str, checked_url: str, unchecked_url: str) -> dict:
    """Load the rows of the finished PostgreSQL store at ``source_url`` by binary COPY into two
    fresh, migrated databases: foreign keys checked, then (superuser) not."""
    import psycopg

    from rcmwatch.store.engine import open_store_url

    def libpq(url: str) -> str:
        return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)

    reader = open_store_url(source_url)
    checked = open_store_url(checked_url)
    with reader.read() as src, checked.read() as dst:
        tables = ingested_tables(src, dst)
    reader.dispose()
    checked.dispose()
    open_store_url(unchecked_url).dispose()
    dumps: dict[str, bytes] = {}
    out: dict = {"rows": {}}
    with psycopg.connect(libpq(source_url)) as src:
        for t in tables:
            buf = io.BytesIO()
            sql = f'COPY "{t.name}" ({_columns(t)}) TO STDOUT (FORMAT binary)'
            with src.cursor().copy(sql) as cp:
                for chunk in cp:
                    buf.write(chunk)
            dumps[t.name] = buf.getvalue()
            out["rows"][t.name] = src.execute(f'SELECT count(*) FROM "{t.name}"').fetchone()[0]

    out["copy_s"] = copy_into(libpq(checked_url), tables, dumps, checks=True)
    out["copy_without_fk_checks_s"] = copy_into(libpq(unchecked_url), tables, dumps, checks=False)
    return out


def copy_into(conninfo: str, tables: list[Table], dumps: dict[str, bytes], *, checks: bool):
    """Seconds to COPY ``dumps`` into ``tables`` in one transaction; with ``checks`` off, None
    where the user may not turn foreign-key triggers off (not a superuser)."""
    import psycopg

    with psycopg.connect(conninfo) as conn:
        started = time.perf_counter()
        try:
            with conn.transaction():  # rolled back whole if anything below raises
                if not checks:
                    conn.execute("SET LOCAL session_replication_role = replica")
                for t in tables:
                    sql = f'COPY "{t.name}" ({_columns(t)}) FROM STDIN (FORMAT binary)'
                    with conn.cursor().copy(sql) as cp:
                        cp.write(dumps[t.name])
        except psycopg.errors.InsufficientPrivilege:
            if checks:
                raise
            return None
        return round(time.perf_counter() - started, 3)


def _columns(table: Table) -> str:
    return ", ".join(f'"{c.name}"' for c in table.columns)


def _select_all(table: Table) -> str:
    return f'SELECT {_columns(table)} FROM "{table.name}"'


def _insert_values(table: Table) -> str:
    marks = ", ".join("?" for _ in table.columns)
    return f'INSERT INTO "{table.name}" ({_columns(table)}) VALUES ({marks})'


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m rcmwatch.bench.ingest_floor")
    sub = parser.add_subparsers(dest="what", required=True)
    p = sub.add_parser("parse")
    p.add_argument("paths", nargs="+", type=Path)
    s = sub.add_parser("sqlite")
    s.add_argument("source", type=Path)
    s.add_argument("workdir", type=Path)
    g = sub.add_parser("postgresql")
    g.add_argument("source_url")
    g.add_argument("checked_url")
    g.add_argument("unchecked_url")
    args = parser.parse_args(argv)
    if args.what == "parse":
        result = parse_only(args.paths)
    elif args.what == "sqlite":
        result = sqlite_load(args.source, args.workdir)
    else:
        result = postgres_load(args.source_url, args.checked_url, args.unchecked_url)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
