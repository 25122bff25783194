"""Fixtures for the collector tests: a vendor source database on SQLite or PostgreSQL (the real
server), a store with one facility and one payer, and a no-wait sleep for retries."""

from __future__ import annotations

import pytest
from sqlalchemy import insert

from rcmwatch.store.models import Facility, Payer
from tests.collectors import vendor


@pytest.fixture(params=["sqlite", "postgres"])
def vendor_url(request, tmp_path) -> str:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'acme_wq.sqlite'}"
    else:
        request.node.add_marker(pytest.mark.postgres)
        server = request.getfixturevalue("pg_server")
        url = server.fresh_database(migrated=False)
        request.addfinalizer(lambda: server.drop(url.rsplit("/", 1)[1]))
    vendor.create_schema(url)
    return url


@pytest.fixture
def sqlite_vendor_url(tmp_path) -> str:
    url = f"sqlite:///{tmp_path / 'acme_wq.sqlite'}"
    vendor.create_schema(url)
    return url


def add_reference(store) -> None:
    with store.write() as conn:
        conn.execute(insert(Facility).values(code="H1", name="Hospital One", kind="hospital"))
        conn.execute(insert(Payer).values(code="MCARE", name="Medicare", payer_class="medicare"))


@pytest.fixture
def ref_store(sqlite_store):
    add_reference(sqlite_store)
    return sqlite_store


class NoSleep:
    def __init__(self) -> None:
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


@pytest.fixture
def no_sleep() -> NoSleep:
    return NoSleep()
