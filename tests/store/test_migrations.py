"""The schema comes only from Alembic revisions, from empty, on both backends, and matches the
models exactly; downgrade and upgrade again work; a store newer than the code is refused."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from rcmwatch.errors import SchemaMissing, SchemaTooNew
from rcmwatch.store import migrate
from rcmwatch.store.engine import make_engine, open_store_url, parse_database_url
from rcmwatch.store.models import Base


def _fresh_url(request, backend: str, tmp_path) -> str:
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'empty.db'}"
    server = request.getfixturevalue("pg_server")
    request.node.add_marker(pytest.mark.postgres)
    url = server.fresh_database(migrated=False)
    request.addfinalizer(lambda: server.drop(parse_database_url(url).database))
    return url


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_upgrade_from_empty_creates_every_table_and_matches_models(request, backend, tmp_path):
    url = _fresh_url(request, backend, tmp_path)
    store = open_store_url(url)
    try:
        tables = set(inspect(store.engine).get_table_names())
        assert set(Base.metadata.tables) <= tables
        assert tables - set(Base.metadata.tables) == {"alembic_version"}
        assert store.revision() == migrate.head_revision()
        with store.engine.connect() as conn:
            diffs = compare_metadata(
                MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata
            )
        assert diffs == [], f"models and migrations differ: {diffs}"
    finally:
        store.dispose()


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_downgrade_to_empty_then_upgrade_again(request, backend, tmp_path):
    from alembic import command

    url = _fresh_url(request, backend, tmp_path)
    store = open_store_url(url)
    with store.write() as conn:
        command.downgrade(migrate.alembic_config(conn), "base")
    assert set(inspect(store.engine).get_table_names()) <= {"alembic_version"}
    store.dispose()
    store = open_store_url(url)
    with store.read() as conn:
        assert conn.execute(text("SELECT count(*) FROM carc_category")).scalar() == 93
    store.dispose()


def test_reopening_is_idempotent_and_seeds_once(sqlite_url):
    for _ in range(3):
        store = open_store_url(sqlite_url)
        with store.read() as conn:
            assert conn.execute(text("SELECT count(*) FROM governed_version")).scalar() == 1
            assert conn.execute(text("SELECT count(*) FROM role")).scalar() == 5
        store.dispose()


def test_store_newer_than_code_is_refused(sqlite_url):
    engine = make_engine(parse_database_url(sqlite_url))
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999_future'"))
    engine.dispose()
    with pytest.raises(SchemaTooNew, match="9999_future"):
        open_store_url(sqlite_url)


def test_reading_without_schema_says_run_init(tmp_path):
    with pytest.raises(SchemaMissing) as err:
        open_store_url(f"sqlite:///{tmp_path / 'none.db'}", create=False)
    assert "rcmwatch init" in err.value.next_step


def test_sqlite_connections_get_wal_foreign_keys_and_busy_timeout(sqlite_store):
    with sqlite_store.read() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar().lower() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000


def test_postgres_compresses_landed_files_with_lz4(pg_store):
    """Raw X12 kept at landing is compressed with lz4 (pglz took 2.5x as long on a 45 MB 837)."""
    with pg_store.read() as conn:
        available = conn.execute(
            text(
                "SELECT 1 FROM pg_settings WHERE name = 'default_toast_compression' "
                "AND 'lz4' = ANY(enumvals)"
            )
        ).first()
        if available is None:
            pytest.skip("this PostgreSQL has no lz4")
        method = conn.execute(
            text(
                "SELECT attcompression FROM pg_attribute "
                "WHERE attrelid = 'inbound_file'::regclass AND attname = 'content'"
            )
        ).scalar()
    assert method == "l"
