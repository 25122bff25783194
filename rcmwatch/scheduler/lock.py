"""One scheduler at a time: a lock with a heartbeat, taken over after 3 missed heartbeats.

- PostgreSQL: a session advisory lock held on a dedicated connection — released by the server
  the moment the holder's connection dies (kill -9, crash). The ``scheduler_lock`` row carries
  the holder and its heartbeat for everyone to see; a holder that stops heartbeating while its
  connection stays open (hung process) has its backend terminated after 3 missed heartbeats so
  the standby can take the lock.
- SQLite: the ``scheduler_lock`` row is the lock (a lease): taken when missing or when its
  heartbeat is older than 3 intervals, renewed by the holder only while it still names it.

Times are the wall clock (never the as-of or simulated clock): they measure real liveness.
"""

from __future__ import annotations

import os
import socket
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from rcmwatch.store.engine import Store
from rcmwatch.store.models import SchedulerLock

LOCK_NAME = "scheduler"
PG_SCHEDULER_LOCK = 0x72636D73  # "rcms"
MISSED_HEARTBEATS = 3


def default_holder() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _now() -> datetime:
    return datetime.now(UTC)


class _LeaseRow:
    def __init__(self, store: Store, holder: str, interval: float) -> None:
        self.store = store
        self.holder = holder
        self.interval = interval
        self.last_beat: datetime | None = None

    @property
    def stale_after(self) -> timedelta:
        return timedelta(seconds=self.interval * MISSED_HEARTBEATS)

    def fresh(self) -> bool:
        """True while our last successful heartbeat is recent enough that no standby may have
        taken over: jobs start only then."""
        return self.last_beat is not None and _now() - self.last_beat < self.stale_after

    def _write_row(self, conn, now: datetime) -> None:
        make = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
        stmt = make(SchedulerLock).values(
            name=LOCK_NAME, holder=self.holder, acquired_at=now, heartbeat_at=now
        )
        conn.execute(
            stmt.on_conflict_do_update(
                index_elements=["name"],
                set_={"holder": self.holder, "acquired_at": now, "heartbeat_at": now},
            )
        )

    def current(self):
        with self.store.read() as conn:
            return conn.execute(
                select(SchedulerLock).where(SchedulerLock.name == LOCK_NAME)
            ).first()


class SqliteLeaseLock(_LeaseRow):
    def acquire(self) -> bool:
        now = _now()
        with self.store.write() as conn:
            row = conn.execute(
                select(SchedulerLock.holder, SchedulerLock.heartbeat_at).where(
                    SchedulerLock.name == LOCK_NAME
                )
            ).first()
            taken = row is not None and row.holder != self.holder
            if taken and now - row.heartbeat_at < self.stale_after:
                return False
            self._write_row(conn, now)
        self.last_beat = now
        return True

    def heartbeat(self) -> bool:
        now = _now()
        try:
            with self.store.write() as conn:
                renewed = conn.execute(
                    update(SchedulerLock)
                    .where(SchedulerLock.name == LOCK_NAME, SchedulerLock.holder == self.holder)
                    .values(heartbeat_at=now)
                ).rowcount
        except Exception:
            return False
        if renewed:
            self.last_beat = now
        else:
            self.last_beat = None
        return bool(renewed)

    def release(self) -> None:
        with self.store.write() as conn:
            conn.execute(
                delete(SchedulerLock).where(
                    SchedulerLock.name == LOCK_NAME, SchedulerLock.holder == self.holder
                )
            )
        self.last_beat = None


class PgAdvisoryLock(_LeaseRow):
    def __init__(self, store: Store, holder: str, interval: float) -> None:
        super().__init__(store, holder, interval)
        self.conn = None

    def _connection(self):
        if self.conn is None or self.conn.closed:
            self.conn = self.store.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        return self.conn

    def acquire(self) -> bool:
        try:
            conn = self._connection()
            got = conn.execute(
                text("SELECT pg_try_advisory_lock(:k)"), {"k": PG_SCHEDULER_LOCK}
            ).scalar()
            if not got:
                self._end_hung_holder(conn)
                got = conn.execute(
                    text("SELECT pg_try_advisory_lock(:k)"), {"k": PG_SCHEDULER_LOCK}
                ).scalar()
            if not got:
                return False
            pid = conn.execute(text("SELECT pg_backend_pid()")).scalar()
            self.holder = f"{self.holder.split(' pg=')[0]} pg={pid}"
            now = _now()
            self._write_row(conn, now)
        except Exception:
            self._drop()
            return False
        self.last_beat = now
        return True

    def _end_hung_holder(self, conn) -> None:
        row = conn.execute(
            select(SchedulerLock.holder, SchedulerLock.heartbeat_at).where(
                SchedulerLock.name == LOCK_NAME
            )
        ).first()
        if row is None or _now() - row.heartbeat_at < self.stale_after or " pg=" not in row.holder:
            return
        pid = int(row.holder.rsplit(" pg=", 1)[1])
        holds = conn.execute(
            text(
                "SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND pid = :pid "
                "AND objid::bigint = :k AND granted"
            ),
            {"pid": pid, "k": PG_SCHEDULER_LOCK},
        ).first()
        if holds:
            conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
            # The server releases the lock as the backend exits.
            conn.execute(text("SELECT pg_sleep(0.2)"))

    def heartbeat(self) -> bool:
        try:
            conn = self._connection()
            renewed = conn.execute(
                update(SchedulerLock)
                .where(SchedulerLock.name == LOCK_NAME, SchedulerLock.holder == self.holder)
                .values(heartbeat_at=_now())
            ).rowcount
            mine = conn.execute(
                text(
                    "SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND objid::bigint = :k "
                    "AND pid = pg_backend_pid() AND granted"
                ),
                {"k": PG_SCHEDULER_LOCK},
            ).first()
        except Exception:
            self._drop()
            return False
        if renewed and mine:
            self.last_beat = _now()
            return True
        self._drop()
        return False

    def _drop(self) -> None:
        self.last_beat = None
        if self.conn is not None:
            try:
                self.conn.invalidate()
                self.conn.close()
            except Exception:
                pass
            self.conn = None

    def release(self) -> None:
        if self.conn is not None and not self.conn.closed:
            try:
                self.conn.execute(
                    delete(SchedulerLock).where(
                        SchedulerLock.name == LOCK_NAME, SchedulerLock.holder == self.holder
                    )
                )
                self.conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": PG_SCHEDULER_LOCK})
            finally:
                self.conn.close()
                self.conn = None
        self.last_beat = None


def make_lock(store: Store, holder: str, interval: float):
    if store.backend == "postgresql":
        return PgAdvisoryLock(store, holder, interval)
    return SqliteLeaseLock(store, holder, interval)
