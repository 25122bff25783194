"""Schema migrations through Alembic, configured in code (no alembic.ini needed at run time).

Revisions live in ``rcmwatch/store/migrations/versions``; a landed revision is never edited.
Upgrades run in one transaction under a lock (PostgreSQL advisory lock; SQLite ``BEGIN
IMMEDIATE``) so two processes starting at once cannot both migrate."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, text

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(connection: Connection | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


@cache
def _script() -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config())


def head_revision() -> str:
    head = _script().get_current_head()
    assert head is not None, "no migrations found"
    return head


def is_known_revision(rev: str) -> bool:
    return any(s.revision == rev for s in _script().walk_revisions())


def current_revision(conn: Connection) -> str | None:
    return MigrationContext.configure(conn).get_current_revision()


def upgrade(store, target: str = "head") -> None:
    with store.write() as conn:
        if store.backend == "postgresql":
            from rcmwatch.store.engine import PG_MIGRATION_LOCK

            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": PG_MIGRATION_LOCK})
        if current_revision(conn) != head_revision():
            command.upgrade(alembic_config(conn), target)
            from rcmwatch.store.seed import seed_reference_data

            seed_reference_data(conn)
