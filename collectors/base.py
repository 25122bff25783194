"""What every collector is, and what one run of it sees.

A collector is an object with a ``name`` (the source's name), a ``kind``, a declared
``cadence_seconds``, a :class:`~collectors.retry.RetryPolicy`, how often it does a full key scan
(``full_scan_seconds``), and ``collect(run)``. Its client (database engine, HTTP client, broker
connection, folder) is given to it at construction, so tests inject fakes to provoke faults.

``collect`` reads its source in bounded batches and commits each batch — rows, quarantined rows
and the advanced watermark — in one store transaction: a crash loses at most the batch in flight,
which the next run reads again and upserts idempotently. It raises a
:class:`~collectors.errors.CollectorError` when the source misbehaves.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from sqlalchemy import Connection

from collectors import state
from collectors.retry import RetryPolicy
from rcmwatch.clock import Clock
from rcmwatch.store.engine import Store


@dataclass
class RunStats:
    rows_read: int = 0
    rows_written: int = 0
    rows_quarantined: int = 0
    newest_record_at: datetime | None = None
    watermark: str | None = None
    notices: list[str] = field(default_factory=list)

    def saw(self, at: datetime | None) -> None:
        if at is not None and (self.newest_record_at is None or at > self.newest_record_at):
            self.newest_record_at = at

    def notice(self, text: str) -> None:
        if text not in self.notices:
            self.notices.append(text)


@dataclass
class RunContext:
    """One run of one collector: the store, the clock, the run id, whether this run does the
    full key scan, and the counters that become the run record."""

    store: Store
    clock: Clock
    source: str
    run_id: int
    full_scan: bool
    stats: RunStats = field(default_factory=RunStats)

    def now(self) -> datetime:
        return self.clock.now()

    def quarantine(
        self, conn: Connection, stream: str, rows: list[tuple[str | None, str, dict]]
    ) -> int:
        n = state.quarantine(conn, self.source, stream, rows, run_id=self.run_id, at=self.now())
        self.stats.rows_quarantined += n
        return n


class Collector(Protocol):
    name: str
    kind: str
    cadence_seconds: int
    retry: RetryPolicy
    full_scan_seconds: int | None

    def collect(self, run: RunContext) -> None: ...

    def close(self) -> None: ...
