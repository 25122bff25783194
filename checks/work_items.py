"""Work items for failing rows a person must fix (error-severity checks with ``work_item``).

Keyed by (check, row): one item per failing row, ``source = 'rcmwatch'`` and
``source_key = 'dq:<check>:<row key>'``, stage ``data_quality``. When the row passes a later run
the item is closed (by rcmwatch, not a person); when it fails again the same item is reopened,
never duplicated. An item already open for the same row (the posting item ingest raises for an
unbalanced remit: same subject type and key) is adopted — it gets the check's id — instead of a
second one being opened.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, insert, select, update

from checks.runner import Outcome
from rcmwatch.money import from_cents
from rcmwatch.store.models import WorkItem

STAGE = "data_quality"
DUE_AFTER = timedelta(days=3)
RESOLVER = "rcmwatch checks"


@dataclass
class WorkItemChanges:
    opened: int = 0
    reopened: int = 0
    closed: int = 0
    adopted: int = 0

    def as_dict(self) -> dict[str, int]:
        return {k: getattr(self, k) for k in ("opened", "reopened", "closed", "adopted")}


def _chunks(values: list, size: int = 500) -> Iterable[list]:
    for i in range(0, len(values), size):
        yield values[i : i + size]


def sync_work_items(conn: Connection, outcome: Outcome, at: datetime) -> WorkItemChanges:
    check = outcome.check
    changes = WorkItemChanges()
    if not check.work_item or outcome.errored:
        return changes
    failing = {row.row_key: row for row in outcome.failing}
    mine = {
        r.subject_key: r
        for r in conn.execute(
            select(WorkItem.id, WorkItem.subject_key, WorkItem.status).where(
                WorkItem.check_id == check.id, WorkItem.subject_type == check.table
            )
        )
    }
    # Adopt what another part of rcmwatch already opened for the same row.
    unowned = [k for k in failing if k not in mine]
    for part in _chunks(unowned):
        rows = conn.execute(
            select(WorkItem.id, WorkItem.subject_key, WorkItem.status).where(
                WorkItem.subject_type == check.table,
                WorkItem.subject_key.in_(part),
                WorkItem.check_id.is_(None),
                WorkItem.status != "closed",
            )
        ).all()
        for r in rows:
            if r.subject_key in mine:
                continue
            conn.execute(update(WorkItem).where(WorkItem.id == r.id).values(check_id=check.id))
            mine[r.subject_key] = r
            changes.adopted += 1
    new = [
        {
            "source": "rcmwatch",
            "source_key": f"dq:{check.id}:{key}",
            "type": check.id,
            "stage": STAGE,
            "exception_type": check.id,
            "subject_type": check.table,
            "subject_key": key,
            "facility_id": row.facility_id,
            "payer_id": row.payer_id,
            "amount": None if row.amount_cents is None else from_cents(row.amount_cents),
            "opened_at": at,
            "due_at": at + DUE_AFTER,
            "status": "open",
            "check_id": check.id,
        }
        for key, row in failing.items()
        if key not in mine
    ]
    if new:
        conn.execute(insert(WorkItem), new)
        changes.opened = len(new)
    reopen = [mine[k].id for k in failing if k in mine and mine[k].status == "closed"]
    for part in _chunks(reopen):
        conn.execute(
            update(WorkItem)
            .where(WorkItem.id.in_(part))
            .values(
                status="open",
                resolved_at=None,
                resolved_by=None,
                resolution=None,
                resolved_by_person=None,
            )
        )
        changes.reopened = len(reopen)
    if outcome.complete:
        # Every failing row of the checked scope is known: an open item whose row is not among
        # them now passes (an incremental run re-checks every row that failed before).
        close = [r.id for k, r in mine.items() if k not in failing and r.status != "closed"]
        for part in _chunks(close):
            conn.execute(
                update(WorkItem)
                .where(WorkItem.id.in_(part))
                .values(
                    status="closed",
                    resolved_at=at,
                    resolved_by=RESOLVER,
                    resolved_by_person=False,
                    resolution=f"row passes {check.id}",
                )
            )
        changes.closed = len(close)
    return changes
