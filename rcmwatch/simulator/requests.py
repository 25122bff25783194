"""The ERP/workflow request table: how a remediation job asks the source systems to act, and how
the simulated systems answer — the way a real ERP's or workflow system's request interface would.

``action_request`` lives in the workflow system's database (``sources/workflow.sqlite``)::

    request_id    TEXT PRIMARY KEY   the requester's key (e.g. the job's idempotency key + row)
    action        TEXT               repost | reassign
    subject_type  TEXT               remit (repost: erp remit_import_id) | work_item (reassign)
    subject_key   TEXT
    parameters    TEXT               JSON: reassign {"assignee": user}; repost {} (optional
                                     {"posted_by": user})
    requested_by  TEXT
    requested_at  TEXT               ISO UTC
    status        TEXT               pending → done | rejected
    acted_at      TEXT               when the system acted (simulated time)
    result        TEXT               what it did, or why it refused
    updated_at    TEXT

A re-post posts an unposted remit (``remit_import.status`` → posted, manual, a payment posting
on the claim's insurance receivable and a payment row) and closes its posting work item; a
reassignment sets a work item's assignee (an open item becomes in progress). The effects reach
rcmwatch only through the collectors, like any other change at the source.
"""

from __future__ import annotations

import json
from datetime import datetime

CREATE_REQUEST_TABLE = (
    "CREATE TABLE IF NOT EXISTS action_request (request_id TEXT PRIMARY KEY, action TEXT, "
    "subject_type TEXT, subject_key TEXT, parameters TEXT, requested_by TEXT, requested_at TEXT, "
    "status TEXT, acted_at TEXT, result TEXT, updated_at TEXT)"
)


def _iso(at: datetime) -> str:
    from rcmwatch.simulator.world import naive_utc

    return naive_utc(at).isoformat(timespec="seconds")


def act_on_requests(tables, now: datetime) -> list[tuple[str, str, str]]:
    """Act on every pending request; returns (request_id, status, result) of each."""
    db = tables.dbs["workflow"]
    pending = db.execute(
        "SELECT request_id, action, subject_key, parameters FROM action_request "
        "WHERE status = 'pending' ORDER BY requested_at, request_id"
    ).fetchall()
    outcomes = []
    for request_id, action, subject_key, parameters in pending:
        params = json.loads(parameters or "{}")
        if action == "repost":
            status, result = _repost(tables, subject_key, params, now)
        elif action == "reassign":
            status, result = _reassign(tables, subject_key, params, now)
        else:
            status, result = "rejected", f"unknown action {action!r}"
        stamp = _iso(now)
        db.execute(
            "UPDATE action_request SET status = ?, acted_at = ?, result = ?, updated_at = ? "
            "WHERE request_id = ?",
            (status, stamp, result, stamp, request_id),
        )
        outcomes.append((request_id, status, result))
    tables.commit()
    return outcomes


def _repost(tables, remit_id: str, params: dict, now: datetime) -> tuple[str, str]:
    remit = tables.row("remit_import", remit_id)
    if remit is None:
        return "rejected", f"no remit {remit_id}"
    if remit["status"] == "posted":
        return "done", f"remit {remit_id} already posted at {remit['posted_at']}"
    stamp = _iso(now)
    user = params.get("posted_by") or "zz.poster01"
    tables.upsert(
        "remit_import",
        [dict(remit, status="posted", posted_at=stamp, is_manual=1, updated_at=stamp)],
    )
    paid = int(remit["paid_cents"] or 0)
    if paid:
        key = f"RP{remit_id}"
        tables.upsert(
            "posting",
            [
                {
                    "posting_id": key,
                    "receivable_id": f"{remit['pcn']}-I",
                    "pcn": remit["pcn"],
                    "remit_import_id": remit_id,
                    "remit_trace_number": remit["trace_number"],
                    "payer_code": remit["payer_code"],
                    "facility_code": remit["facility_code"],
                    "kind": "payment",
                    "group_code": None,
                    "carc": None,
                    "amount_cents": -paid,
                    "posted_at": stamp,
                    "is_manual": 1,
                    "posted_by": user,
                    "updated_at": stamp,
                }
            ],
        )
        tables.upsert(
            "payment",
            [
                {
                    "payment_id": key,
                    "payer_type": "payer",
                    "payer_code": remit["payer_code"],
                    "pcn": remit["pcn"],
                    "facility_code": remit["facility_code"],
                    "method": "EFT",
                    "amount_cents": paid,
                    "received_on": (remit["production_date"] or stamp)[:10],
                    "posted_at": stamp,
                    "remit_trace_number": remit["trace_number"],
                    "remit_import_id": remit_id,
                    "updated_at": stamp,
                }
            ],
        )
    closed = _close_items(tables, "remit", remit_id, "posted_manually", user, stamp)
    return "done", f"posted remit {remit_id} ({paid} cents); closed {closed} work item(s)"


def _close_items(tables, subject_type, subject_key, resolution, user, stamp) -> int:
    db = tables.dbs["workflow"]
    rows = db.execute(
        "SELECT work_item_id FROM work_item WHERE subject_type = ? AND subject_key = ? "
        "AND status != 'closed'",
        (subject_type, subject_key),
    ).fetchall()
    for (wid,) in rows:
        item = tables.row("work_item", wid)
        tables.upsert(
            "work_item",
            [
                dict(
                    item,
                    status="closed",
                    resolved_at=stamp,
                    resolved_by=user,
                    resolution=resolution,
                    updated_at=stamp,
                )
            ],
        )
    return len(rows)


def _reassign(tables, work_item_id: str, params: dict, now: datetime) -> tuple[str, str]:
    item = tables.row("work_item", work_item_id)
    assignee = params.get("assignee")
    if item is None:
        return "rejected", f"no work item {work_item_id}"
    if not assignee:
        return "rejected", "reassign needs parameters.assignee"
    if item["status"] == "closed":
        return "rejected", f"work item {work_item_id} is closed"
    stamp = _iso(now)
    status = "in_progress" if item["status"] == "open" else item["status"]
    tables.upsert("work_item", [dict(item, assignee=assignee, status=status, updated_at=stamp)])
    return "done", f"work item {work_item_id} assigned to {assignee} (was {item['assignee']})"
