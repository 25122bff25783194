"""Metric snapshots in the store: invalidation marks, refresh, and roll-ups read back.

**What ingest and collectors call** (in the transaction that writes the rows, so a mark is never
lost and never precedes its data):

- :func:`mark_remits` ``(conn, claim_payment_ids)`` after writing 835 claim payments (new loops,
  reversals, relinked orphans, changed links): marks their 835 production days *and* the initial
  adjudication day of every (claim, payer) pair they belong to (a late payment overturns a denial
  dated months earlier), plus the days their files were received (posting KPIs).
- :func:`mark_claims` ``(conn, claim_ids)`` after writing 837 claims/versions, 999 or 277CA rows,
  or linking a remit to a claim: marks the claims' submission days and every day their remits
  count on.
- :func:`mark_days` ``(conn, family, days)`` for everything else: ``"erp"`` (payments, write-offs,
  revenue by posting day / month), ``"posting"`` (ERP postings: the claim payment's received day
  and the posting day), ``"work"`` (work items and decisions: open, resolution and decision
  days), ``"interface"`` (message days).

:func:`refresh_snapshots` (the scheduler's job, ``rcmwatch kpi --refresh-snapshots``) recomputes
the marked days only — or every day with ``full=True`` — and rewrites only the cells whose
content changed, so unaffected rows keep their ids and ``computed_at``.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

import polars as pl
from sqlalchemy import Connection, bindparam, delete, select, text

from metrics.common import KpiParams, as_utc
from metrics.engine import FactCache
from metrics.registry import registry
from metrics.snapshots import CELL_SCHEMA, KEY_COLUMNS, cells
from rcmwatch.store import bulk
from rcmwatch.store.engine import Store
from rcmwatch.store.models import MetricInvalidation, MetricSnapshot

FAMILIES: dict[str, tuple[str, ...]] = {
    "front_end": ("claims", "touches"),
    "adjudication": ("pairs", "unmatched", "remit_balance", "underpayments", "cash"),
    "posting": ("payments", "postings", "touches"),
    "erp": ("cash", "write_offs"),
    "work": ("resolved_work", "decisions", "touches"),
    "interface": ("messages",),
}


def mark_days(conn: Connection, family: str, days: Iterable[date], reason: str = "") -> int:
    """Mark (family, day) as changed; idempotent. Returns the number of days marked."""
    if family not in FAMILIES:
        raise ValueError(f"unknown snapshot family {family!r}; one of {sorted(FAMILIES)}")
    wanted = sorted({d for d in days if d is not None})
    if not wanted:
        return 0
    table = MetricInvalidation.__table__
    existing = set(
        conn.execute(
            select(table.c.day).where(
                table.c.family == family, table.c.day.in_(bindparam("days", expanding=True))
            ),
            {"days": wanted},
        ).scalars()
    )
    existing = {d if isinstance(d, date) else date.fromisoformat(str(d)) for d in existing}
    now = datetime.now(UTC)  # bookkeeping time of the mark, not a KPI input
    rows = [
        {"family": family, "day": d, "marked_at": now, "reason": reason[:200] or None}
        for d in wanted
        if d not in existing
    ]
    if rows:
        if conn.dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import insert

            conn.execute(insert(table).on_conflict_do_nothing(), rows)
        else:
            from sqlalchemy.dialects.sqlite import insert

            conn.execute(insert(table).on_conflict_do_nothing(), rows)
    return len(wanted)


def _days(conn: Connection, sql: str, ids: list[int]) -> list[date]:
    if not ids:
        return []
    stmt = text(sql).bindparams(bindparam("ids", expanding=True))
    out = []
    for (value,) in conn.execute(stmt, {"ids": ids}):
        if value is None:
            continue
        if isinstance(value, datetime):
            out.append(value.astimezone(UTC).date() if value.tzinfo else value.date())
        elif isinstance(value, date):
            out.append(value)
        else:
            out.append(date.fromisoformat(str(value)[:10]))
    return out


_PRODUCTION = "COALESCE(rt.production_date, CAST(rt.received_at AS DATE))"


def mark_remits(conn: Connection, claim_payment_ids: Iterable[int], reason: str = "835") -> int:
    ids = sorted(set(claim_payment_ids))
    loops = (
        "FROM claim_payment cp JOIN remit_transaction rt ON rt.id = cp.remit_transaction_id "
        "WHERE cp.id IN :ids"
    )
    production = _days(conn, f"SELECT {_PRODUCTION} {loops}", ids)
    received = _days(conn, f"SELECT rt.received_at {loops}", ids)
    # Every loop of the same pairs (claim or unmatched pcn, payer): initial-adjudication days.
    pair_days = _days(
        conn,
        f"SELECT {_PRODUCTION} FROM claim_payment o "
        "JOIN remit_transaction rt ON rt.id = o.remit_transaction_id "
        "JOIN claim_payment cp ON cp.id IN :ids AND o.pcn = cp.pcn",
        ids,
    )
    n = mark_days(conn, "adjudication", production + pair_days, reason)
    n += mark_days(conn, "posting", received, reason)
    return n


def mark_claims(conn: Connection, claim_ids: Iterable[int], reason: str = "claims") -> int:
    ids = sorted(set(claim_ids))
    submitted = _days(conn, "SELECT first_submitted_at FROM claim WHERE id IN :ids", ids)
    payments = (
        [
            r
            for (r,) in conn.execute(
                text(
                    "SELECT cp.id FROM claim_payment cp JOIN claim c ON c.pcn = cp.pcn "
                    "WHERE c.id IN :ids"
                ).bindparams(bindparam("ids", expanding=True)),
                {"ids": ids},
            )
        ]
        if ids
        else []
    )
    n = mark_days(conn, "front_end", submitted, reason)
    return n + mark_remits(conn, payments, reason)


@dataclass
class RefreshSummary:
    days: int = 0
    written: int = 0
    deleted: int = 0
    unchanged: int = 0
    seconds: float = 0.0
    kpis: dict[str, int] = field(default_factory=dict)

    def describe(self) -> str:
        return (
            f"snapshots: {self.days} day(s) recomputed, {self.written} cell(s) written, "
            f"{self.deleted} deleted, {self.unchanged} unchanged in {self.seconds:.1f} s"
        )


def _existing(conn: Connection, kpis: list[str], days: list[date] | None) -> pl.DataFrame:
    t = MetricSnapshot.__table__
    query = select(
        t.c.id,
        t.c.kpi,
        t.c.day,
        t.c.facility_key,
        t.c.payer_key,
        t.c.payer_sequence,
        t.c.inputs_hash,
    ).where(t.c.kpi.in_(kpis))
    params = {}
    if days is not None:
        query = query.where(t.c.day.in_(bindparam("days", expanding=True)))
        params["days"] = days
    rows = conn.execute(query, params).all()
    schema = {
        "id": pl.Int64,
        "kpi": pl.String,
        "day": pl.Date,
        "facility_key": pl.String,
        "payer_key": pl.String,
        "payer_sequence": pl.String,
        "old_hash": pl.String,
    }
    data = [
        (r[0], r[1], r[2] if isinstance(r[2], date) else date.fromisoformat(str(r[2])), *r[3:])
        for r in rows
    ]
    return pl.DataFrame(data, schema=schema, orient="row")


def refresh_snapshots(
    store: Store,
    as_of: datetime,
    *,
    full: bool = False,
    params: KpiParams | None = None,
    frames=None,
) -> RefreshSummary:
    """Recompute the snapshot cells of the marked days (every day with ``full``)."""
    from rcmwatch.queries.kpi_frames import load_frames

    started = time.perf_counter()
    as_of = as_utc(as_of)
    summary = RefreshSummary()
    with store.read() as conn:
        marks = conn.execute(
            select(MetricInvalidation.id, MetricInvalidation.family, MetricInvalidation.day)
        ).all()
    if not full and not marks:
        summary.seconds = time.perf_counter() - started
        return summary
    wanted: dict[str, set[date]] = defaultdict(set)
    for _, family, day in marks:
        day = day if isinstance(day, date) else date.fromisoformat(str(day))
        for kind in FAMILIES.get(family, ()):
            wanted[kind].add(day)
    frames = frames if frames is not None else load_frames(store)
    cache = FactCache(frames, as_of, params or KpiParams())
    new_cells = []
    kpi_days: dict[str, list[date] | None] = {}
    all_days: set[date] = set()
    for defn in registry().values():
        if not defn.snapshot:
            continue
        facts = cache.dated(defn.facts)
        if full:
            days = None
        else:
            days = sorted(wanted.get(defn.facts, ()))
            if not days:
                continue
            facts = facts.filter(pl.col("day").is_in(days))
        frame = cells(defn, facts)
        names = _cell_kpis(defn)
        for name in names:
            kpi_days[name] = days
        new_cells.append(frame)
        summary.kpis[defn.name] = frame.height
        all_days.update(days or frame["day"].unique().to_list())
    new = pl.concat(new_cells) if new_cells else pl.DataFrame(schema=CELL_SCHEMA)
    with store.write() as conn:
        old = (
            pl.concat([_existing(conn, [k], d) for k, d in kpi_days.items()])
            if kpi_days
            else pl.DataFrame()
        )
        if old.height:
            old = old.filter(pl.col("kpi").is_in(list(kpi_days)))
        joined = (
            new.join(old, on=list(KEY_COLUMNS), how="full", coalesce=True)
            if old.height
            else new.with_columns(
                pl.lit(None, dtype=pl.Int64).alias("id"),
                pl.lit(None, dtype=pl.String).alias("old_hash"),
            )
        )
        changed = joined.filter(
            pl.col("inputs_hash").is_not_null()
            & (pl.col("old_hash").is_null() | (pl.col("old_hash") != pl.col("inputs_hash")))
        )
        gone = joined.filter(pl.col("inputs_hash").is_null())
        stale_ids = pl.concat([changed["id"], gone["id"]]).drop_nulls().to_list()
        summary.unchanged = joined.height - changed.height - gone.height
        t = MetricSnapshot.__table__
        for i in range(0, len(stale_ids), 5000):
            conn.execute(delete(t).where(t.c.id.in_(stale_ids[i : i + 5000])))
        to_write = changed.select(list(CELL_SCHEMA)).with_columns(
            pl.lit(as_of).alias("computed_at")
        )
        if to_write.height:
            if conn.dialect.name == "postgresql":
                _insert_pg(conn, to_write)
            else:
                bulk.insert_frame(conn, t, bulk.with_ids(conn, t, to_write))
        if marks:
            ids = [m[0] for m in marks]
            mt = MetricInvalidation.__table__
            for i in range(0, len(ids), 5000):
                conn.execute(delete(mt).where(mt.c.id.in_(ids[i : i + 5000])))
    summary.written = changed.height
    summary.deleted = gone.height
    summary.days = len(all_days)
    summary.seconds = time.perf_counter() - started
    return summary


def _insert_pg(conn: Connection, frame: pl.DataFrame) -> None:
    # JSONB samples through COPY's csv needs the JSON text as is; ids come from the sequence.
    t = MetricSnapshot.__table__
    bulk.insert_frame(conn, t, bulk.with_ids(conn, t, frame))


def _cell_kpis(defn) -> list[str]:
    from metrics.snapshots import SPLIT

    if defn.name in SPLIT:
        if defn.name == "denials_by_category":
            from rcmwatch.reference.carc_map import CATEGORIES

            return [f"{defn.name}:{c}" for c in CATEGORIES]
        from metrics.operations import MANUAL_TOUCH_DOMAINS

        return [f"{defn.name}:{d}" for d in MANUAL_TOUCH_DOMAINS]
    return [defn.name]


def read_snapshots(
    store: Store,
    kpis: Iterable[str] | None = None,
    first: date | None = None,
    last: date | None = None,
) -> pl.DataFrame:
    """Snapshot cells (as :data:`metrics.snapshots.CELL_SCHEMA`) for ``kpis`` between days."""
    # Raw SQL: the money columns' Core type would hand back Decimals; cells stay in cents.
    where, params = ["1 = 1"], {}
    if kpis is not None:
        where.append("kpi IN :kpis")
        params["kpis"] = list(kpis)
    if first is not None:
        where.append("day >= :first")
        params["first"] = first
    if last is not None:
        where.append("day <= :last")
        params["last"] = last
    stmt = text(f"SELECT {', '.join(CELL_SCHEMA)} FROM metric_snapshot WHERE {' AND '.join(where)}")
    if kpis is not None:
        stmt = stmt.bindparams(bindparam("kpis", expanding=True))
    with store.read() as conn:
        rows = conn.execute(stmt, params).all()
    data = []
    for r in rows:
        r = list(r)
        if not isinstance(r[1], date):
            r[1] = date.fromisoformat(str(r[1]))
        if r[9] is not None and not isinstance(r[9], str):
            import json

            r[9] = json.dumps(r[9], separators=(",", ":"))
        data.append(tuple(r))
    return pl.DataFrame(data, schema=CELL_SCHEMA, orient="row")


def snapshot_cut_sql(store: Store, kpi_prefix: str, first: date, last: date) -> list[tuple]:
    """Sums per facility × month × KPI part straight from the snapshot table in SQL (what a page
    uses for a drill-down cut, e.g. ``denials_by_category:`` → facility × month × category)."""
    month = "strftime('%Y-%m', day)" if store.is_sqlite else "to_char(day, 'YYYY-MM')"
    sql = text(
        f"SELECT facility_key, {month} AS month, kpi, CAST(SUM(numerator) AS BIGINT), "
        "CAST(SUM(amount_cents) AS BIGINT) "
        "FROM metric_snapshot WHERE kpi IN :kpis AND day BETWEEN :first AND :last "
        "GROUP BY facility_key, month, kpi ORDER BY facility_key, month, kpi"
    ).bindparams(bindparam("kpis", expanding=True))
    # The KPI names, not LIKE: an IN list uses the (kpi, day) index on every backend.
    names = _cell_kpis(registry()[kpi_prefix.rstrip(":")])
    with store.read() as conn:
        return [tuple(r) for r in conn.execute(sql, {"kpis": names, "first": first, "last": last})]
