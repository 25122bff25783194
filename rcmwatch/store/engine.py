"""Opening the canonical store: URL checks, per-connection SQLite settings, schema version checks
and migrations. Every failure becomes a typed, one-line :mod:`rcmwatch.errors` error.

SQLite: every connection gets WAL, foreign keys and a busy timeout (≥ 5 s). Readers start
deferred transactions (in WAL they never block); writers go through :meth:`Store.write`, which
starts ``BEGIN IMMEDIATE`` so that a read-then-write transaction cannot fail at once with
SQLITE_BUSY when another writer committed meanwhile (the busy timeout does not cover that case).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, event, inspect
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError
from sqlalchemy.orm import Session

from rcmwatch.errors import ConfigError, SchemaMissing, SchemaTooNew, StoreUnreachable

DEFAULT_BUSY_TIMEOUT_MS = 10_000
PG_MIGRATION_LOCK = 0x72636D77  # "rcmw": pg_advisory_xact_lock key while migrating


def parse_database_url(raw: str) -> URL:
    """Validate and normalise a store URL (bare ``postgresql://`` means psycopg 3 here)."""
    if not raw or not raw.strip():
        raise ConfigError("database URL is empty")
    try:
        url = make_url(raw.strip())
    except ArgumentError:
        raise ConfigError(
            f"database URL {redact(raw)!r} is not a valid SQLAlchemy URL",
            next_step="expected e.g. sqlite:///path/to.db or postgresql+psycopg://user@host/db",
        ) from None
    if url.drivername in {"postgresql", "postgres"}:
        url = url.set(drivername="postgresql+psycopg")
    backend = url.get_backend_name()
    if backend not in {"sqlite", "postgresql"}:
        raise ConfigError(
            f"database URL {redact(raw)!r} names backend {backend!r}; rcmwatch supports "
            "sqlite and postgresql"
        )
    return url


def redact(raw: str) -> str:
    try:
        return make_url(raw).render_as_string(hide_password=True)
    except Exception:
        return "<unparseable URL>"


WAL_AUTOCHECKPOINT_PAGES = 10_000


def _sqlite_listeners(engine: Engine, busy_timeout_ms: int) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record) -> None:
        # Let SQLAlchemy's "begin" event, not the sqlite3 module, decide when transactions start.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        cur.execute("PRAGMA foreign_keys = ON")
        if cur.execute("PRAGMA journal_mode").fetchone()[0].lower() != "memory":
            cur.execute("PRAGMA journal_mode = WAL")
        cur.execute("PRAGMA synchronous = NORMAL")
        # Checkpoint every ~40 MB of WAL instead of SQLite's 4 MB: each checkpoint syncs the
        # main file, and on a multi-GB store one day of collection and ingest paid ~1 s for the
        # dozens of them (measured with `rcmwatch bench collect --fixture` on the 1M fixture).
        cur.execute(f"PRAGMA wal_autocheckpoint = {WAL_AUTOCHECKPOINT_PAGES}")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")


@dataclass
class Store:
    engine: Engine
    url: URL

    @property
    def backend(self) -> str:
        return self.url.get_backend_name()

    @property
    def is_sqlite(self) -> bool:
        return self.backend == "sqlite"

    @property
    def display_url(self) -> str:
        return self.url.render_as_string(hide_password=True)

    @contextlib.contextmanager
    def write(self) -> Iterator[Connection]:
        """One write transaction (``BEGIN IMMEDIATE`` on SQLite); commits or rolls back whole."""
        conn = self.engine.connect()
        if self.is_sqlite:
            conn = conn.execution_options(sqlite_begin="IMMEDIATE")
        try:
            with conn.begin():
                yield conn
        finally:
            conn.close()

    @contextlib.contextmanager
    def read(self) -> Iterator[Connection]:
        with self.engine.connect() as conn:
            yield conn

    @contextlib.contextmanager
    def session(self) -> Iterator[Session]:
        """An ORM session in one write transaction, for small state changes (jobs, audit)."""
        with self.write() as conn, Session(bind=conn, expire_on_commit=False) as session:
            yield session
            session.flush()

    def revision(self) -> str | None:
        from rcmwatch.store.migrate import current_revision

        with self.engine.connect() as conn:
            return current_revision(conn)

    def dispose(self) -> None:
        self.engine.dispose()


def make_engine(url: URL, busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS) -> Engine:
    try:
        if url.get_backend_name() == "sqlite":
            database = url.database or ""
            if database and database != ":memory:" and not database.startswith("file:"):
                folder = Path(database).expanduser().parent
                try:
                    folder.mkdir(parents=True, exist_ok=True)
                except OSError as exc:
                    raise StoreUnreachable(
                        f"cannot create the folder {folder} for the store: {exc.strerror}"
                    ) from None
            engine = create_engine(
                url, connect_args={"timeout": busy_timeout_ms / 1000}, pool_pre_ping=False
            )
            _sqlite_listeners(engine, busy_timeout_ms)
        else:
            engine = create_engine(url, pool_pre_ping=True, connect_args={"connect_timeout": 10})
    except NoSuchModuleError:
        raise ConfigError(f"no database driver for {url.drivername!r}") from None
    except ArgumentError as exc:
        raise ConfigError(f"database URL is not usable: {exc}") from None
    return engine


def open_store(settings, *, create: bool = True) -> Store:
    """Open the store of ``settings``; with ``create`` also create or upgrade its schema.

    Raises :class:`ConfigError` (bad URL), :class:`StoreUnreachable`, :class:`SchemaTooNew`, or
    :class:`SchemaMissing` (``create=False`` and the store is not at the code's revision).
    """
    url = parse_database_url(settings.effective_database_url)
    return open_store_url(url, create=create, busy_timeout_ms=settings.sqlite_busy_timeout_ms)


def open_store_url(
    url: URL | str, *, create: bool = True, busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS
) -> Store:
    from rcmwatch.store import migrate

    if isinstance(url, str):
        url = parse_database_url(url)
    engine = make_engine(url, busy_timeout_ms)
    store = Store(engine=engine, url=url)
    try:
        with engine.connect() as conn:
            db_rev = migrate.current_revision(conn)
    except OperationalError as exc:
        engine.dispose()
        raise StoreUnreachable(
            f"cannot open the store at {store.display_url}: {_first_line(exc)}"
        ) from None
    head = migrate.head_revision()
    if db_rev is not None and not migrate.is_known_revision(db_rev):
        engine.dispose()
        raise SchemaTooNew(
            f"the store at {store.display_url} is at schema revision {db_rev}, newer than this "
            f"rcmwatch knows (its newest is {head})"
        )
    if db_rev != head:
        if not create:
            engine.dispose()
            state = "has no rcmwatch schema" if db_rev is None else f"is at revision {db_rev}"
            raise SchemaMissing(f"the store at {store.display_url} {state}; expected {head}")
        try:
            migrate.upgrade(store)
        except OperationalError as exc:
            engine.dispose()
            raise StoreUnreachable(
                f"cannot migrate the store at {store.display_url}: {_first_line(exc)}"
            ) from None
    return store


def _first_line(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None) or exc
    text = str(orig).strip().splitlines()
    return text[0] if text else type(orig).__name__


def table_names(store: Store) -> list[str]:
    return inspect(store.engine).get_table_names()
