"""SQLite in WAL with a busy timeout and IMMEDIATE write transactions: a writer and readers (and a
second writer doing read-then-write) work at the same time without "database is locked"."""

from __future__ import annotations

import multiprocessing as mp
from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import func, insert, select

from rcmwatch.store.engine import open_store_url
from rcmwatch.store.models import Posting


def _writer(url: str, name: str, n: int, queue) -> None:
    try:
        store = open_store_url(url)
        for i in range(n):
            with store.write() as conn:
                # Read then write in one transaction: the pattern that fails at once with
                # SQLITE_BUSY under deferred transactions.
                count = conn.execute(select(func.count()).select_from(Posting)).scalar()
                conn.execute(
                    insert(Posting).values(
                        source=name,
                        source_key=f"{i}:{count}",
                        kind="payment",
                        amount=Decimal("1.00"),
                        posted_at=datetime.now(UTC),
                    )
                )
        queue.put((name, "ok"))
    except Exception as exc:  # reported to the parent, which fails the test
        queue.put((name, f"{type(exc).__name__}: {exc}"))


def _reader(url: str, name: str, n: int, queue) -> None:
    try:
        store = open_store_url(url)
        seen = 0
        for _ in range(n):
            with store.read() as conn:
                seen = conn.execute(select(func.count()).select_from(Posting)).scalar()
        queue.put((name, "ok" if seen >= 0 else "bad"))
    except Exception as exc:
        queue.put((name, f"{type(exc).__name__}: {exc}"))


def test_writers_and_readers_at_once_never_see_database_is_locked(sqlite_url):
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    procs = [
        ctx.Process(target=_writer, args=(sqlite_url, "w1", 150, queue)),
        ctx.Process(target=_writer, args=(sqlite_url, "w2", 150, queue)),
        ctx.Process(target=_reader, args=(sqlite_url, "r1", 400, queue)),
        ctx.Process(target=_reader, args=(sqlite_url, "r2", 400, queue)),
    ]
    for p in procs:
        p.start()
    results = dict(queue.get(timeout=120) for _ in procs)
    for p in procs:
        p.join(30)
    assert results == {"w1": "ok", "w2": "ok", "r1": "ok", "r2": "ok"}
    store = open_store_url(sqlite_url)
    with store.read() as conn:
        assert conn.execute(select(func.count()).select_from(Posting)).scalar() == 300
    store.dispose()
