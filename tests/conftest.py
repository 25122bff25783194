"""Shared fixtures: a fresh store per test on SQLite and (when reachable) PostgreSQL, and the
bookkeeping `.ci/run` relies on (how many PostgreSQL tests really ran).

PostgreSQL: ``RCMWATCH_TEST_POSTGRES_URL`` names a server database we may connect to (CI:
postgresql+psycopg://postgres@127.0.0.1:5432/test). The session creates its own template database
(migrated once), each test gets a copy, and everything is dropped at the end. Without the variable
or the server, those tests skip with one line — unless ``RCMWATCH_REQUIRE_SERVICES=1`` (CI), where
a missing service is a failure.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from rcmwatch.clock import FixedClock
from rcmwatch.store.engine import Store, open_store_url

REPO_ROOT = Path(__file__).resolve().parent.parent


def _shared_dir() -> Path:
    """The brief's ``../shared`` (public X12 samples, Synthea output, code lists).

    Beside the checkout; in a clone (CI clones the repository into a temporary folder) beside the
    clone's origin; ``RCMWATCH_SHARED`` overrides both. Tests needing it skip when it is absent.
    """
    if os.environ.get("RCMWATCH_SHARED"):
        return Path(os.environ["RCMWATCH_SHARED"])
    candidates = [REPO_ROOT.parent / "shared"]
    origin = subprocess.run(
        ["git", "-C", str(REPO_ROOT), "config", "--get", "remote.origin.url"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    if origin and Path(origin).is_dir():
        candidates.append(Path(origin).resolve().parent / "shared")
    return next((c for c in candidates if c.is_dir()), candidates[0])


SHARED = _shared_dir()
AS_OF = "2024-06-15T12:00:00+00:00"

_PG_RAN = 0


def _require_services() -> bool:
    return os.environ.get("RCMWATCH_REQUIRE_SERVICES") == "1"


def _skip_or_fail(reason: str):
    if _require_services():
        pytest.fail(f"required service missing: {reason}", pytrace=False)
    pytest.skip(reason)


def pytest_collection_modifyitems(items):
    for item in items:
        if "pg_server" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.postgres)


def pytest_runtest_logreport(report):
    # Counted from the reports, not the items: under pytest-xdist (`make test` runs two
    # workers) the tests run in the workers and only their reports reach this process.
    global _PG_RAN
    if report.when == "call" and report.passed and "postgres" in report.keywords:
        _PG_RAN += 1


def pytest_terminal_summary(terminalreporter):
    if hasattr(terminalreporter.config, "workerinput"):
        return  # a worker: the controller writes the count
    terminalreporter.write_line(f"PostgreSQL tests passed: {_PG_RAN}")
    report = os.environ.get("RCMWATCH_TEST_REPORT")
    if report:
        Path(report).write_text(json.dumps({"postgres_passed": _PG_RAN}))


@pytest.fixture
def clock() -> FixedClock:
    from datetime import datetime

    return FixedClock(datetime.fromisoformat(AS_OF))


# --- SQLite -------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("sqlite-template") / "template.db"
    store = open_store_url(f"sqlite:///{path}")
    with store.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    store.dispose()
    return path


@pytest.fixture
def sqlite_url(_sqlite_template, tmp_path) -> str:
    path = tmp_path / "store.db"
    shutil.copyfile(_sqlite_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def sqlite_store(sqlite_url) -> Store:
    store = open_store_url(sqlite_url)
    yield store
    store.dispose()


# --- PostgreSQL ---------------------------------------------------------------------------


class PgServer:
    """Creates and drops this session's databases on the test server."""

    def __init__(self, admin_url: str) -> None:
        self.admin_url = make_url(admin_url).set(drivername="postgresql+psycopg")
        self.prefix = f"rcmwatch_t_{os.getpid()}_{uuid.uuid4().hex[:6]}"
        self.admin = create_engine(self.admin_url, isolation_level="AUTOCOMMIT")
        self.created: list[str] = []
        self.template = f"{self.prefix}_tmpl"

    def url_of(self, name: str) -> str:
        return self.admin_url.set(database=name).render_as_string(hide_password=False)

    def create(self, name: str, template: str | None = None) -> str:
        with self.admin.connect() as conn:
            suffix = f' TEMPLATE "{template}"' if template else ""
            conn.execute(text(f'CREATE DATABASE "{name}"{suffix}'))
        self.created.append(name)
        return self.url_of(name)

    def drop(self, name: str) -> None:
        with self.admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        if name in self.created:
            self.created.remove(name)

    def fresh_database(self, *, migrated: bool = True) -> str:
        name = f"{self.prefix}_{uuid.uuid4().hex[:8]}"
        return self.create(name, self.template if migrated else None)

    def close(self) -> None:
        for name in list(reversed(self.created)):
            self.drop(name)
        self.admin.dispose()


@pytest.fixture(scope="session")
def _pg_session():
    url = os.environ.get("RCMWATCH_TEST_POSTGRES_URL")
    if not url:
        yield None
        return
    server = PgServer(url)
    try:
        with server.admin.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:
        server.admin.dispose()
        yield f"PostgreSQL at {make_url(url).render_as_string()} unreachable: {type(exc).__name__}"
        return
    tmpl_url = server.create(server.template)
    store = open_store_url(tmpl_url)
    store.dispose()
    yield server
    server.close()


@pytest.fixture
def pg_server(_pg_session) -> PgServer:
    if _pg_session is None:
        _skip_or_fail("PostgreSQL not configured (set RCMWATCH_TEST_POSTGRES_URL)")
    if isinstance(_pg_session, str):
        _skip_or_fail(_pg_session)
    return _pg_session


@pytest.fixture
def pg_url(pg_server) -> str:
    name_url = pg_server.fresh_database()
    yield name_url
    pg_server.drop(make_url(name_url).database)


@pytest.fixture
def pg_store(pg_url) -> Store:
    store = open_store_url(pg_url)
    yield store
    store.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def store_url(request) -> str:
    """The same test on both backends."""
    if request.param == "sqlite":
        return request.getfixturevalue("sqlite_url")
    request.node.add_marker(pytest.mark.postgres)
    return request.getfixturevalue("pg_url")


@pytest.fixture
def store(store_url) -> Store:
    s = open_store_url(store_url)
    yield s
    s.dispose()


@pytest.fixture
def chromium() -> str:
    from tests.e2e.browser import CHROMIUM, chromium_available

    if not chromium_available():
        _skip_or_fail(f"Debian chromium not installed at {CHROMIUM}")
    return CHROMIUM
