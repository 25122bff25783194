"""The audit log: append-only, hash-chained.

Everything a person or a job does that changes state appends one event (who, what, when, why,
before/after). Each event's hash covers its content and the previous event's hash, so editing or
deleting a row breaks the chain (:func:`verify_chain` finds where); database triggers refuse
UPDATE and DELETE on the table. Appends are serialised (SQLite write transactions are; on
PostgreSQL an advisory transaction lock) so two writers cannot fork the chain.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select, text

from rcmwatch.clock import as_utc
from rcmwatch.store.models import AuditEvent

GENESIS = "0" * 64
AUDIT_LOCK = 0x61756474  # "audt"


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)


def _json_safe(value: dict | None) -> dict | None:
    return None if value is None else json.loads(_canonical(value))


def event_hash(prev_hash: str, fields: dict[str, Any]) -> str:
    return hashlib.sha256((prev_hash + _canonical(fields)).encode()).hexdigest()


def append(
    conn: Connection,
    *,
    actor: str,
    action: str,
    at: datetime,
    subject_type: str | None = None,
    subject_key: str | None = None,
    reason: str | None = None,
    before: dict | None = None,
    after: dict | None = None,
) -> str:
    """Append one event inside the caller's transaction; returns its hash."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": AUDIT_LOCK})
    prev = conn.scalar(select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)) or GENESIS
    # Store exactly what is hashed: JSON-safe payloads, microsecond-free times (backends differ
    # in sub-second precision).
    at = as_utc(at).replace(microsecond=0)
    before = _json_safe(before)
    after = _json_safe(after)
    fields = {
        "at": at.isoformat(),
        "actor": actor,
        "action": action,
        "subject_type": subject_type,
        "subject_key": subject_key,
        "reason": reason,
        "before": before,
        "after": after,
    }
    digest = event_hash(prev, fields)
    conn.execute(
        insert(AuditEvent).values(
            at=at,
            actor=actor,
            action=action,
            subject_type=subject_type,
            subject_key=subject_key,
            reason=reason,
            before=before,
            after=after,
            prev_hash=prev,
            hash=digest,
        )
    )
    return digest


def verify_chain(conn: Connection) -> int | None:
    """Id of the first event whose hash does not match its content or predecessor; None if the
    chain is intact."""
    prev = GENESIS
    table = AuditEvent.__table__
    for ev in conn.execute(select(table).order_by(table.c.id)).mappings():
        fields = {
            "at": as_utc(ev["at"]).isoformat(),
            "actor": ev["actor"],
            "action": ev["action"],
            "subject_type": ev["subject_type"],
            "subject_key": ev["subject_key"],
            "reason": ev["reason"],
            "before": ev["before"],
            "after": ev["after"],
        }
        if ev["prev_hash"] != prev or event_hash(prev, fields) != ev["hash"]:
            return ev["id"]
        prev = ev["hash"]
    return None
