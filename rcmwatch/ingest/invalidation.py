"""Tell the KPI snapshots which days a file changed (``rcmwatch.store.snapshots.mark_days``).

Computed set-wise from the claims the file touched (the linker's affected patient control
numbers), so a 100,000-claim file costs a few small queries: every production day of those
claims' remits (their initial-adjudication and overturn days included), the days the remits were
received (posting latency), and the claims' first submission days (front end)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import Connection, text

from rcmwatch.ingest.links import AFFECTED
from rcmwatch.store.snapshots import mark_days


def _as_date(value) -> date | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return (value.astimezone(UTC) if value.tzinfo else value).date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _days(conn: Connection, sql: str) -> list[date]:
    return [d for (v,) in conn.execute(text(sql)) if (d := _as_date(v)) is not None]


def mark_affected_days(conn: Connection, reason: str) -> int:
    remits = (
        "FROM claim_payment cp JOIN remit_transaction rt ON rt.id = cp.remit_transaction_id "
        f'WHERE cp.pcn IN (SELECT pcn FROM "{AFFECTED}")'
    )
    produced = _days(conn, f"SELECT DISTINCT rt.production_date {remits}")
    received = _days(conn, f"SELECT DISTINCT rt.received_at {remits}")
    # Every submission day of the claims, not only the first: a late original moves a claim's
    # first submission day, and both days change.
    submitted = _days(
        conn,
        "SELECT DISTINCT s.submitted_at FROM claim c "
        "JOIN claim_version v ON v.claim_id = c.id JOIN submission s ON s.id = v.submission_id "
        f'WHERE c.pcn IN (SELECT pcn FROM "{AFFECTED}")',
    )
    return (
        mark_days(conn, "adjudication", produced, reason)
        + mark_days(conn, "posting", received, reason)
        + mark_days(conn, "front_end", submitted, reason)
    )
