"""The audit log is append-only (the database refuses UPDATE/DELETE) and hash-chained (a forged
row is found)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import insert, text
from sqlalchemy.exc import DBAPIError

from rcmwatch import audit
from rcmwatch.store.models import AuditEvent

AT = datetime(2024, 5, 10, 9, 30, tzinfo=UTC)


def _append_three(store):
    with store.write() as conn:
        for i in range(3):
            audit.append(
                conn,
                actor="alice",
                action="approve_job",
                at=AT,
                subject_type="job",
                subject_key=str(i),
                reason="cohort checked",
                before={"status": "requested"},
                after={"status": "approved"},
            )


def test_chain_verifies_and_links(store):
    _append_three(store)
    with store.read() as conn:
        assert audit.verify_chain(conn) is None
        rows = conn.execute(text("SELECT prev_hash, hash FROM audit_event ORDER BY id")).all()
    assert rows[0][0] == audit.GENESIS
    assert rows[1][0] == rows[0][1] and rows[2][0] == rows[1][1]


@pytest.mark.parametrize(
    "statement",
    ["UPDATE audit_event SET actor = 'mallory'", "DELETE FROM audit_event"],
)
def test_database_refuses_rewriting_history(store, statement):
    _append_three(store)
    with pytest.raises(DBAPIError, match="append-only"), store.write() as conn:
        conn.execute(text(statement))


def test_forged_row_breaks_the_chain(store):
    _append_three(store)
    with store.write() as conn:
        conn.execute(
            insert(AuditEvent).values(
                at=AT, actor="mallory", action="approve_job", prev_hash="0" * 64, hash="f" * 64
            )
        )
    with store.read() as conn:
        broken = audit.verify_chain(conn)
        last = conn.execute(text("SELECT max(id) FROM audit_event")).scalar()
    assert broken == last
