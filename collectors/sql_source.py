"""The generic SQL collector: a vendor's tables (integration engine message log, workflow work
items/decisions/overrides, ERP receivables/postings/write-offs/payments/revenue), read through a
column mapping (:mod:`collectors.mapping`) into the canonical tables.

Per stream (one mapped source table), each run:

1. checks the source still has every mapped column (else :class:`SchemaDrift`, naming them);
2. re-reads rows still in quarantine (a reference that had not arrived, a value fixed since);
3. reads rows changed since the watermark minus an overlap window (rows committed late with an
   older ``updated_at`` are still seen), in keyset-ordered batches of ``batch_size``; each batch is
   converted, upserted and its watermark saved in one store transaction;
4. on a full-scan run, compares every source key with the store: rows the source deleted get
   ``removed_at_source`` (open work items are closed as ``removed_at_source``), rows the store
   lacks (a NULL ``updated_at``, a row older than the overlap) are fetched by key.

The engine is injected (tests pass one to an unreachable server, or wrap it to provoke faults).
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine, create_engine, inspect, text
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import make_url

from collectors import state
from collectors.base import RunContext
from collectors.errors import (
    SchemaDrift,
    SourceAuthError,
    SourceConfigError,
    SourceTimeout,
    SourceUnavailable,
)
from collectors.mapping import SourceMapping, TableMap
from collectors.retry import RetryPolicy
from collectors.sink import Resolver, RowConverter, active_keys, close_removed, write_batch

_AUTH_HINTS = ("password authentication failed", "authentication failed", "no password supplied",
               "role \"", "permission denied")  # fmt: skip
_TIMEOUT_HINTS = ("timeout", "timed out", "canceling statement")
_DRIFT_HINTS = ("no such column", "no such table", "does not exist", "undefinedcolumn")


def translate_db_error(exc: BaseException, where: str) -> Exception:
    """A driver error as the collector error it means."""
    orig = getattr(exc, "orig", None) or exc
    detail = " ".join(str(orig).split())[:300] or type(orig).__name__
    low = detail.lower()
    if any(h in low for h in _AUTH_HINTS):
        return SourceAuthError(f"{where}: {detail}")
    if isinstance(exc, sa_exc.TimeoutError) or any(h in low for h in _TIMEOUT_HINTS):
        return SourceTimeout(f"{where}: {detail}")
    if any(h in low for h in _DRIFT_HINTS):
        return SchemaDrift(f"{where}: {detail}")
    return SourceUnavailable(f"{where}: {detail}")


def source_engine(url: str, base_dir: Path, timeout_seconds: int = 30) -> Engine:
    """An engine for a source database (read only by us): relative SQLite paths are relative to
    the sources file; connection and statement time limits so a hung source becomes a timeout."""
    try:
        parsed = make_url(url)
    except sa_exc.ArgumentError:
        raise SourceConfigError(f"source URL {url!r} is not a valid SQLAlchemy URL") from None
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        db = parsed.database or ""
        if db and db != ":memory:" and not Path(db).is_absolute():
            parsed = parsed.set(database=str(base_dir / db))
        if parsed.database and parsed.database != ":memory:":
            # mode=rw: a missing file is "unable to open" (unavailable), not a new empty database
            # in which every table would look missing.
            parsed = parsed.set(
                database=f"file:{parsed.database}", query={"mode": "rw", "uri": "true"}
            )
        return create_engine(parsed, connect_args={"timeout": timeout_seconds})
    if backend == "postgresql":
        if parsed.drivername in ("postgresql", "postgres"):
            parsed = parsed.set(drivername="postgresql+psycopg")
        return create_engine(
            parsed,
            pool_pre_ping=True,
            connect_args={
                "connect_timeout": timeout_seconds,
                "options": f"-c statement_timeout={timeout_seconds * 1000}",
            },
        )
    return create_engine(parsed, pool_pre_ping=True)


def _shift_text(raw: str, delta: timedelta) -> str:
    """``raw`` (an ISO time as the source writes it) moved by ``delta``, written the same way,
    so that text comparisons at the source still order correctly."""
    at = datetime.fromisoformat(raw.replace("Z", "+00:00")) + delta
    sep = "T" if "T" in raw else " "
    spec = "microseconds" if "." in raw else "seconds"
    out = at.isoformat(sep=sep, timespec=spec)
    if raw.endswith("Z"):
        out = out.replace("+00:00", "Z")
    return out


class SqlCollector:
    kind = "sql"

    def __init__(
        self,
        name: str,
        engine: Engine,
        mapping: SourceMapping,
        *,
        cadence_seconds: int = 300,
        retry: RetryPolicy | None = None,
        full_scan_seconds: int | None = 86_400,
        overlap_seconds: int = 300,
        record_source: str | None = None,
        quarantine_retry_limit: int = 1000,
    ) -> None:
        self.name = name
        self.engine = engine
        self.mapping = mapping
        self.cadence_seconds = cadence_seconds
        self.retry = retry or RetryPolicy()
        self.full_scan_seconds = full_scan_seconds
        self.overlap = timedelta(seconds=overlap_seconds)
        self.record_source = record_source or name
        self.quarantine_retry_limit = quarantine_retry_limit

    def close(self) -> None:
        self.engine.dispose()

    # --- source access ---------------------------------------------------------------------

    @contextlib.contextmanager
    def _source(self, what: str) -> Iterator:
        try:
            with self.engine.connect() as conn:
                yield conn
        except (sa_exc.DBAPIError, sa_exc.TimeoutError) as exc:
            raise translate_db_error(exc, f"{self.name}: {what}") from None

    def _q(self, name: str) -> str:
        quote = self.engine.dialect.identifier_preparer.quote
        return ".".join(quote(part) for part in name.split("."))

    def check_schema(self) -> None:
        try:
            with self._source("reading the schema") as conn:
                inspector = inspect(conn)
                self._check_columns(inspector)
        except (sa_exc.DBAPIError, sa_exc.TimeoutError) as exc:
            raise translate_db_error(exc, f"{self.name}: reading the schema") from None

    def _check_columns(self, inspector) -> None:
        for tm in self.mapping.tables:
            schema, _, table = tm.source_table.rpartition(".")
            try:
                have = {c["name"] for c in inspector.get_columns(table, schema=schema or None)}
            except sa_exc.NoSuchTableError:
                raise SchemaDrift(
                    f"{self.name}: table {tm.source_table} is missing at the source "
                    f"(mapping {self.mapping.path})"
                ) from None
            missing = [c for c in tm.source_columns if c not in have]
            if missing:
                raise SchemaDrift(
                    f"{self.name}: table {tm.source_table} has no column(s) "
                    f"{', '.join(missing)} (mapping {self.mapping.path}, stream {tm.stream})"
                )

    def _select(self, tm: TableMap) -> str:
        cols = ", ".join(self._q(c) for c in tm.source_columns)
        return f"SELECT {cols} FROM {self._q(tm.source_table)}"

    def _page(self, tm: TableMap, after: tuple | None, start) -> list[dict]:
        u, k = self._q(tm.updated_at), self._q(tm.key)
        sql = self._select(tm)
        params: dict = {"n": tm.batch_size}
        if after is not None:
            sql += f" WHERE {u} > :a OR ({u} = :a AND {k} > :k)"
            params.update(a=after[0], k=after[1])
        elif start is not None:
            sql += f" WHERE {u} >= :a"
            params["a"] = start
        else:
            sql += f" WHERE {u} IS NOT NULL"
        sql += f" ORDER BY {u}, {k} LIMIT :n"
        with self._source(f"reading {tm.source_table}") as conn:
            return [dict(r) for r in conn.execute(text(sql), params).mappings()]

    def _by_keys(self, tm: TableMap, keys: list) -> Iterator[list[dict]]:
        for i in range(0, len(keys), 500):
            chunk = keys[i : i + 500]
            marks = ", ".join(f":k{j}" for j in range(len(chunk)))
            sql = f"{self._select(tm)} WHERE {self._q(tm.key)} IN ({marks})"
            with self._source(f"reading {tm.source_table} by key") as conn:
                rows = conn.execute(text(sql), {f"k{j}": v for j, v in enumerate(chunk)}).mappings()
                yield [dict(r) for r in rows]

    def _source_keys(self, tm: TableMap) -> dict[str, object]:
        sql = f"SELECT {self._q(tm.key)} FROM {self._q(tm.source_table)}"
        with self._source(f"scanning the keys of {tm.source_table}") as conn:
            rows = conn.execute(text(sql)).scalars()
            return {str(v).strip(): v for v in rows if v is not None and str(v).strip()}

    # --- one run ---------------------------------------------------------------------------

    def collect(self, run: RunContext) -> None:
        self.check_schema()
        resolver = Resolver()
        for tm in self.mapping.tables:
            self._collect_stream(run, tm, resolver)
        if run.full_scan:
            for tm in self.mapping.tables:
                self._full_scan(run, tm, resolver)
        resolver.report(run.stats)

    def _write(self, run: RunContext, tm: TableMap, rows: list[dict], resolver: Resolver,
               cursor: tuple | None, open_keys: set[str]) -> None:  # fmt: skip
        batch = RowConverter(tm).convert(rows)
        run.stats.rows_read += batch.read
        run.stats.saw(batch.newest)
        with run.store.write() as conn:
            written, taken, refused = write_batch(conn, tm, self.record_source, batch, resolver)
            run.stats.rows_written += written
            run.quarantine(conn, tm.stream, batch.refused + refused)
            if open_keys:
                fixed = [k for k in taken if k in open_keys]
                if fixed:
                    state.resolve_quarantined(conn, self.name, tm.stream, fixed, run.now())
                    open_keys.difference_update(fixed)
            if cursor is not None:
                state.set_cursor(conn, self.name, tm.stream, run.now(), watermark=_dump(cursor))

    def _collect_stream(self, run: RunContext, tm: TableMap, resolver: Resolver) -> None:
        with run.store.read() as conn:
            watermark, _ = state.get_cursor(conn, self.name, tm.stream)
            open_keys = set(
                state.open_quarantined_keys(conn, self.name, tm.stream, self.quarantine_retry_limit)
            )
        if open_keys:
            for rows in self._by_keys(tm, sorted(open_keys)):
                self._write(run, tm, rows, resolver, None, open_keys)
        start = None
        if watermark is not None:
            wm = json.loads(watermark)
            run.stats.watermark = wm["at"]
            start = _load_at(wm, -self.overlap)
        after = None
        while True:
            rows = self._page(tm, after, start)
            if not rows:
                break
            last = rows[-1]
            after = (last[tm.updated_at], last[tm.key])
            self._write(run, tm, rows, resolver, after, open_keys)
            run.stats.watermark = str(after[0])
            if len(rows) < tm.batch_size:
                break

    def _full_scan(self, run: RunContext, tm: TableMap, resolver: Resolver) -> None:
        source_keys = self._source_keys(tm)
        with run.store.read() as conn:
            active = active_keys(conn, tm.table, self.record_source)
            # Quarantined rows are re-read at the start of every run already.
            held = set(state.open_quarantined_keys(conn, self.name, tm.stream, 10**9))
        gone = active - source_keys.keys()
        if gone:
            with run.store.write() as conn:
                closed = close_removed(conn, tm.table, self.record_source, gone, run.now())
            run.stats.notice(f"{tm.stream}: {closed} rows removed at the source")
        missing = [source_keys[k] for k in sorted(source_keys.keys() - active - held)]
        for rows in self._by_keys(tm, missing):
            self._write(run, tm, rows, resolver, None, set())
        with run.store.write() as conn:
            state.set_cursor(conn, self.name, tm.stream, run.now(), full_scan_at=run.now())


def _dump(cursor: tuple) -> str:
    at, key = cursor
    if isinstance(at, datetime):
        return json.dumps({"at": at.isoformat(), "typed": True, "key": key}, default=str)
    return json.dumps({"at": str(at), "typed": False, "key": key}, default=str)


def _load_at(wm: dict, delta: timedelta):
    if wm.get("typed"):
        return datetime.fromisoformat(wm["at"]) + delta
    try:
        return _shift_text(wm["at"], delta)
    except ValueError:
        # Not a time (a sequence number as updated_at): no overlap can be computed in time.
        return wm["at"]
