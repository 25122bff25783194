"""What the store holds: row counts by area, the span of dates covered, the latest landed files,
and the option lists of the global filters."""

from __future__ import annotations

from datetime import date

import polars as pl
from sqlalchemy import func, select

from rcmwatch.store.engine import Store
from rcmwatch.store.models import (
    AckSet,
    Claim,
    ClaimPayment,
    ClaimStatus,
    Facility,
    InboundFile,
    InterfaceMessage,
    Payer,
    Posting,
    RemitTransaction,
    Submission,
    WorkItem,
)

# (area, what a leader calls it, table) in the order the Overview lists them.
INVENTORY: tuple[tuple[str, str, type], ...] = (
    ("Clearinghouse", "Files landed", InboundFile),
    ("Clearinghouse", "Claim submissions (837 sets)", Submission),
    ("Claims", "Claims", Claim),
    ("Acknowledgments", "999 set acknowledgments", AckSet),
    ("Acknowledgments", "277CA statuses", ClaimStatus),
    ("Remits", "835 remittance transactions", RemitTransaction),
    ("Remits", "Claim payments (CLP)", ClaimPayment),
    ("ERP", "Postings", Posting),
    ("Work queues", "Work items", WorkItem),
    ("Integration", "Interface messages", InterfaceMessage),
    ("Reference", "Facilities", Facility),
    ("Reference", "Payers", Payer),
)

# Tables whose rows come from sources; reference rows alone (seeded) do not make a store "used".
_SOURCE_AREAS = {"Clearinghouse", "Claims", "Acknowledgments", "Remits", "ERP", "Work queues",
                 "Integration"}  # fmt: skip


def store_inventory(store: Store) -> pl.DataFrame:
    rows = []
    with store.read() as conn:
        for area, label, model in INVENTORY:
            count = conn.scalar(select(func.count()).select_from(model)) or 0
            rows.append({"area": area, "records": label, "count": int(count)})
    return pl.DataFrame(rows, schema={"area": pl.String, "records": pl.String, "count": pl.Int64})


def holds_source_data(inventory: pl.DataFrame) -> bool:
    return bool(inventory.filter(pl.col("area").is_in(_SOURCE_AREAS))["count"].sum())


def date_span(store: Store) -> dict[str, tuple[date | None, date | None]]:
    """First and last date of each dated record kind (submission date, 835 production date)."""
    with store.read() as conn:
        sub = conn.execute(
            select(func.min(Submission.submitted_at), func.max(Submission.submitted_at))
        ).one()
        remit = conn.execute(
            select(
                func.min(RemitTransaction.production_date),
                func.max(RemitTransaction.production_date),
            )
        ).one()
    return {
        "claims submitted": (_as_date(sub[0]), _as_date(sub[1])),
        "remits produced": (_as_date(remit[0]), _as_date(remit[1])),
    }


def _as_date(value) -> date | None:
    if value is None:
        return None
    return value.date() if hasattr(value, "date") and callable(value.date) else value


def recent_files(store: Store, limit: int = 20) -> pl.DataFrame:
    with store.read() as conn:
        rows = conn.execute(
            select(
                InboundFile.path,
                InboundFile.file_kind,
                InboundFile.status,
                InboundFile.received_at,
                InboundFile.quarantine_reason,
            )
            .order_by(InboundFile.received_at.desc(), InboundFile.id.desc())
            .limit(limit)
        ).all()
    return pl.DataFrame(
        [tuple(r) for r in rows],
        schema={
            "path": pl.String,
            "kind": pl.String,
            "status": pl.String,
            "received_at": pl.Datetime("us", "UTC"),
            "quarantine_reason": pl.String,
        },
        orient="row",
    )


def facility_options(store: Store, facility_ids: frozenset[int] | None) -> list[tuple[str, str]]:
    """(code, name) of the facilities a user may see, by name."""
    query = select(Facility.id, Facility.code, Facility.name).order_by(Facility.name)
    with store.read() as conn:
        rows = conn.execute(query).all()
    return [(r.code, r.name) for r in rows if facility_ids is None or r.id in facility_ids]


def payer_options(store: Store) -> list[tuple[str, str]]:
    with store.read() as conn:
        rows = conn.execute(select(Payer.code, Payer.name).order_by(Payer.name)).all()
    return [(r.code, r.name) for r in rows]


def month_options(store: Store) -> list[str]:
    """Months (YYYY-MM) that hold submissions or remits, newest first."""
    span = date_span(store)
    firsts = [a for a, _ in span.values() if a]
    lasts = [b for _, b in span.values() if b]
    if not firsts:
        return []
    start, end = min(firsts), max(lasts)
    months = []
    y, m = start.year, start.month
    while (y, m) <= (end.year, end.month):
        months.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return months[::-1]
