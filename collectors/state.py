"""The collectors' bookkeeping in the store: run records, source state (freshness and health),
stream cursors and quarantined rows. Writes happen inside the caller's transaction, so a batch's
rows, its quarantined rows and its advanced watermark commit together or not at all."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import Connection, Table, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from rcmwatch.store.models import CollectorQuarantine, CollectorRun, SourceCursor, SourceState


def _upsert(conn: Connection, table: Table, values: dict, keys: list[str]) -> None:
    make = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    stmt = make(table).values(**values)
    changing = {k: stmt.excluded[k] for k in values if k not in keys}
    conn.execute(stmt.on_conflict_do_update(index_elements=keys, set_=changing))


def ensure_source_state(conn: Connection, source: str, kind: str, cadence_seconds: int) -> None:
    """Create the source's state row, or refresh its declared kind and cadence."""
    exists = conn.scalar(select(SourceState.source).where(SourceState.source == source))
    if exists is None:
        conn.execute(
            insert(SourceState).values(
                source=source, kind=kind, cadence_seconds=cadence_seconds, healthy=True
            )
        )
    else:
        conn.execute(
            update(SourceState)
            .where(SourceState.source == source)
            .values(kind=kind, cadence_seconds=cadence_seconds)
        )


def source_state(conn: Connection, source: str):
    return conn.execute(select(SourceState).where(SourceState.source == source)).first()


def start_run(conn: Connection, source: str, at: datetime) -> int:
    # A run still marked running belongs to a process that died (kill -9, power): say so.
    conn.execute(
        update(CollectorRun)
        .where(CollectorRun.source == source, CollectorRun.status == "running")
        .values(status="interrupted", error="the process running it stopped before the end")
    )
    return conn.execute(
        insert(CollectorRun)
        .values(source=source, started_at=at, status="running")
        .returning(CollectorRun.id)
    ).scalar_one()


def finish_run(conn: Connection, run_id: int, **values) -> None:
    conn.execute(update(CollectorRun).where(CollectorRun.id == run_id).values(**values))


def update_source_state(conn: Connection, source: str, **values) -> None:
    conn.execute(update(SourceState).where(SourceState.source == source).values(**values))


def get_cursor(conn: Connection, source: str, stream: str) -> tuple[str | None, datetime | None]:
    row = conn.execute(
        select(SourceCursor.watermark, SourceCursor.last_full_scan_at).where(
            SourceCursor.source == source, SourceCursor.stream == stream
        )
    ).first()
    return (row.watermark, row.last_full_scan_at) if row else (None, None)


def set_cursor(
    conn: Connection,
    source: str,
    stream: str,
    at: datetime,
    *,
    watermark: str | None = None,
    full_scan_at: datetime | None = None,
) -> None:
    current, scanned = get_cursor(conn, source, stream)
    _upsert(
        conn,
        SourceCursor.__table__,
        {
            "source": source,
            "stream": stream,
            "watermark": watermark if watermark is not None else current,
            "last_full_scan_at": full_scan_at if full_scan_at is not None else scanned,
            "updated_at": at,
        },
        ["source", "stream"],
    )


def _row_hash(reason: str, row: dict) -> str:
    body = json.dumps(row, sort_keys=True, default=str)
    return hashlib.sha256(f"{reason}\n{body}".encode()).hexdigest()


def json_safe(row: dict) -> dict:
    return {
        str(k): (v if v is None or isinstance(v, (str, int, bool)) else str(v))
        for k, v in row.items()
    }


def quarantine(
    conn: Connection,
    source: str,
    stream: str,
    rows: Iterable[tuple[str | None, str, dict]],
    *,
    run_id: int | None,
    at: datetime,
) -> int:
    """Keep each ``(source_key, reason, raw row)``; the same row with the same reason is kept
    once however often it is read again. Returns how many rows were given."""
    records = []
    seen = set()
    for key, reason, row in rows:
        safe = json_safe(row)
        digest = _row_hash(reason, safe)
        if digest in seen:
            continue
        seen.add(digest)
        records.append(
            {
                "source": source,
                "stream": stream,
                "source_key": key[:200] if key else None,
                "row_hash": digest,
                "reason": reason[:1000],
                "row": safe,
                "run_id": run_id,
                "quarantined_at": at,
            }
        )
    if not records:
        return 0
    make = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    stmt = make(CollectorQuarantine.__table__).on_conflict_do_nothing(
        index_elements=["source", "stream", "row_hash"]
    )
    conn.execute(stmt, records)
    return len(records)


def open_quarantined_keys(conn: Connection, source: str, stream: str, limit: int) -> list[str]:
    rows = conn.execute(
        select(CollectorQuarantine.source_key)
        .where(
            CollectorQuarantine.source == source,
            CollectorQuarantine.stream == stream,
            CollectorQuarantine.resolved_at.is_(None),
            CollectorQuarantine.source_key.is_not(None),
        )
        .distinct()
        .limit(limit)
    ).scalars()
    return list(rows)


def resolve_quarantined(
    conn: Connection, source: str, stream: str, keys: list[str], at: datetime
) -> None:
    """Rows of these keys were taken since: their quarantine entries are resolved."""
    for i in range(0, len(keys), 500):
        conn.execute(
            update(CollectorQuarantine)
            .where(
                CollectorQuarantine.source == source,
                CollectorQuarantine.stream == stream,
                CollectorQuarantine.resolved_at.is_(None),
                CollectorQuarantine.source_key.in_(keys[i : i + 500]),
            )
            .values(resolved_at=at)
        )
