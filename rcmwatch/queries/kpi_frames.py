"""Loading the KPI engine's inputs from the store into Polars frames.

Only the columns the metrics need are read (``metrics.frames.SCHEMAS`` plus the columns that
exclude test data and rows removed at their source). The fast path reads each table straight
into Arrow: connectorx on SQLite (it keeps SQLite's declared types, so dates and times come
back typed) and ADBC on PostgreSQL (connectorx when ADBC is missing); when no fast driver is
installed or a read fails, the same query goes through SQLAlchemy. Every frame is then cast to
its declared schema, so all paths give identical frames.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import polars as pl
from sqlalchemy import text

from metrics.frames import FILTER_COLUMNS, SCHEMAS, TABLES, Frames, prepare
from rcmwatch.store.engine import Store

log = logging.getLogger(__name__)
ENGINES = ("auto", "adbc", "connectorx", "sqlalchemy")
READ_WORKERS = 3  # tables read side by side (measured: 2 and 3 workers equal on 2 cores)


@dataclass
class LoadReport:
    """Which reader loaded each table and how long the load took (for benchmarks)."""

    readers: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0
    rows: dict[str, int] = field(default_factory=dict)


def table_query(table: str) -> str:
    columns = list(SCHEMAS[table]) + list(FILTER_COLUMNS.get(table, {}))
    select = ", ".join(f'"{c}"' for c in columns)
    where = " WHERE hl_level = 'PT'" if table == "claim_status" else ""
    return f'SELECT {select} FROM "{table}"{where}'


def _plain_url(store: Store) -> str:
    url = store.url.set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


def _sqlite_path(store: Store) -> str:
    return str(Path(store.url.database or "").resolve())


def _read_connectorx(store: Store, query: str) -> pl.DataFrame:
    uri = f"sqlite://{_sqlite_path(store)}" if store.is_sqlite else _plain_url(store)
    return pl.read_database_uri(query, uri, engine="connectorx")


def _read_adbc(conn, query: str) -> pl.DataFrame:
    return pl.read_database(query, conn)


def _read_sqlalchemy(store: Store, query: str) -> pl.DataFrame:
    with store.read() as conn:
        result = conn.execute(text(query))
        names = list(result.keys())
        rows = result.all()
    return pl.DataFrame(
        [tuple(r) for r in rows], schema=names, orient="row", infer_schema_length=None
    )


def _sqlite_checkpointed(store: Store) -> bool:
    """connectorx reads the SQLite file itself and does not see pages still in the WAL: copy
    them into the file first (PASSIVE never blocks; it reports whether it copied them all)."""
    with store.engine.connect() as conn:
        busy, log_frames, done = conn.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)").one()
        conn.commit()
    return busy == 0 and (log_frames == -1 or done == log_frames)


def _available(module: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(module) is not None


def choose_reader(store: Store, engine: str = "auto") -> str:
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {ENGINES}")
    if engine != "auto":
        return engine
    if not store.is_sqlite and _available("adbc_driver_postgresql"):
        return "adbc"
    if _available("connectorx") and (store.is_sqlite is False or store.url.database):
        return "connectorx"
    return "sqlalchemy"


def load_raw(
    store: Store,
    tables: Iterable[str] | None = None,
    engine: str = "auto",
    report: LoadReport | None = None,
) -> dict[str, pl.DataFrame]:
    """Raw rows of each table (before test data is excluded)."""
    import time

    started = time.perf_counter()
    tables = list(tables or TABLES)
    reader = choose_reader(store, engine)
    if reader == "adbc" and store.is_sqlite:
        reader = "connectorx"
    if reader == "connectorx" and store.is_sqlite and not _sqlite_checkpointed(store):
        log.warning("SQLite WAL could not be checkpointed (a writer is busy); using SQLAlchemy")
        reader = "sqlalchemy"
    # connectorx and ADBC read outside the GIL: tables load side by side (on this 2-core
    # machine the 1M fixture loads in ~9 s instead of ~15 s). ADBC connections are not shared
    # between threads, so each worker opens its own.
    workers = 1 if reader == "sqlalchemy" else min(READ_WORKERS, len(tables)) or 1
    local = threading.local()
    opened: list = []
    lock = threading.Lock()

    def adbc_conn():
        if getattr(local, "conn", None) is None:
            import adbc_driver_postgresql.dbapi as adbc

            local.conn = adbc.connect(_plain_url(store))
            with lock:
                opened.append(local.conn)
        return local.conn

    def read(table: str) -> tuple[pl.DataFrame, str]:
        query = table_query(table)
        try:
            if reader == "adbc":
                return _read_adbc(adbc_conn(), query), reader
            if reader == "connectorx":
                return _read_connectorx(store, query), reader
            return _read_sqlalchemy(store, query), reader
        except Exception as exc:  # a fast driver's gap must not lose the KPIs
            if reader == "sqlalchemy":
                raise
            log.warning("%s could not read %s (%s); using SQLAlchemy", reader, table, exc)
            return _read_sqlalchemy(store, query), "sqlalchemy"

    raw: dict[str, pl.DataFrame] = {}
    try:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            for table, (frame, used) in zip(tables, pool.map(read, tables), strict=True):
                raw[table] = frame
                if report is not None:
                    report.readers[table] = used
                    report.rows[table] = frame.height
    finally:
        for conn in opened:
            conn.close()
    if report is not None:
        report.seconds = time.perf_counter() - started
    return raw


def load_frames(store: Store, *, engine: str = "auto", report: LoadReport | None = None) -> Frames:
    """Every input of the KPI engine from ``store``, test data and removed rows excluded."""
    return prepare(load_raw(store, engine=engine, report=report))


def current_carc_map_version(store: Store, as_of: datetime) -> int | None:
    """The newest CARC → category table version in effect at as-of (what ingest classifies new
    remits with); KPI output names it when no adjudication of the period names one."""
    with store.read() as conn:
        rows = conn.execute(
            text("SELECT version, effective_from FROM governed_version WHERE kind = 'carc_map'")
        ).all()
    versions = []
    for version, effective in rows:
        if effective is not None and isinstance(effective, str):
            effective = datetime.fromisoformat(effective)
        if effective is not None and effective.tzinfo is None:
            from datetime import UTC

            effective = effective.replace(tzinfo=UTC)
        if effective is None or effective <= as_of:
            try:
                versions.append(int(version))
            except ValueError:
                continue
    return max(versions) if versions else None
