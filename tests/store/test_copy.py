"""Copying a finished SQLite store into PostgreSQL (`bench fixture --copy-to`) gives the same
rows, ids kept, with sequences that continue after them — and never overwrites a database that
holds data."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from rcmwatch.errors import ConfigError
from rcmwatch.store.copy import copy_sqlite_to_postgres
from rcmwatch.store.engine import open_store_url
from rcmwatch.store.models import Base, Patient
from tests.checks.world import build_good_world


def _contents(store) -> dict[str, list[tuple]]:
    out = {}
    with store.read() as conn:
        for table in Base.metadata.sorted_tables:
            if table.name == "alembic_version":
                continue
            order = list(table.primary_key.columns) or list(table.columns)
            out[table.name] = [tuple(r) for r in conn.execute(select(table).order_by(*order))]
    return out


def test_copy_gives_the_same_rows_and_sequences_continue(sqlite_store, pg_url):
    build_good_world(sqlite_store)
    before = _contents(sqlite_store)
    path = sqlite_store.url.database
    sqlite_store.dispose()

    report = copy_sqlite_to_postgres(path, pg_url, log=lambda _line: None)

    assert report.tables["claim"] == len(before["claim"]) > 0
    target = open_store_url(pg_url)
    try:
        after = _contents(target)
        differing = [name for name in before if before[name] != after[name]]
        assert differing == []  # every table, every value (money, timestamps, booleans)
        with Session(target.engine) as s:
            highest = max(s.scalars(select(Patient.id)))
            p = Patient(patient_key="new-after-copy", key_kind="mrn", source="registration")
            s.add(p)
            s.commit()
            assert p.id == highest + 1

        with pytest.raises(ConfigError, match="already holds data"):
            copy_sqlite_to_postgres(path, pg_url, log=lambda _line: None)
        assert len(_contents(target)["patient"]) == len(after["patient"]) + 1  # untouched
    finally:
        target.dispose()
