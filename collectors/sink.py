"""From source rows to canonical rows: convert (refusing what cannot be converted, with the
reason), resolve facilities, payers and references in bulk, upsert on (source, source_key), and
close the rows a source no longer has. Shared by the SQL, CSV and broker collectors."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

import polars as pl
from sqlalchemy import JSON, Boolean, Connection, Date, Float, Integer, Table, select, update

from collectors.mapping import (
    RowRefused,
    TableMap,
    column_converter,
    columns_by_name,
    source_zone,
    to_utc,
)
from rcmwatch.ingest.payers import resolve as resolve_payers
from rcmwatch.store import bulk
from rcmwatch.store.models import Facility, Payer, PayerIdentifier, WorkItem
from rcmwatch.store.types import Money, UTCDateTime


def polars_dtype(column) -> pl.DataType:
    t = column.type
    if isinstance(t, Money):
        return pl.Int64()
    if isinstance(t, UTCDateTime):
        return pl.Datetime("us", "UTC")
    if isinstance(t, Date):
        return pl.Date()
    if isinstance(t, Boolean):
        return pl.Boolean()
    if isinstance(t, Float):
        return pl.Float64()
    if isinstance(t, Integer):
        return pl.Int64()
    if isinstance(t, JSON):
        return pl.Object()
    return pl.String()


@dataclass
class Batch:
    """One batch of source rows, converted: canonical rows (with their ``source_key``), the rows
    refused with a reason, and the newest ``updated_at`` seen."""

    rows: list[dict] = field(default_factory=list)
    refused: list[tuple[str | None, str, dict]] = field(default_factory=list)
    newest: datetime | None = None
    read: int = 0
    raw: dict[str, Mapping] = field(default_factory=dict)


class RowConverter:
    """Converts raw source rows (mappings of source column → value) for one stream."""

    def __init__(self, tm: TableMap) -> None:
        self.tm = tm
        self.zone = source_zone(tm.timezone)
        # (target, source column or None, constant, converter): plain tuples, read per value.
        self._convert = [
            (cm.target, cm.column, cm.const, column_converter(tm, cm)) for cm in tm.columns
        ]
        table = tm.table
        self._required = []
        for col in table.columns:
            if col.name in ("id", "source", "source_key", "removed_at_source") or col.nullable:
                continue
            default = col.default.arg if col.default is not None and col.default.is_scalar else None
            self._required.append((col.name, default))

    def convert(self, raw_rows: Iterable[Mapping]) -> Batch:
        batch = Batch()
        key_col, upd_col = self.tm.key, self.tm.updated_at
        for raw in raw_rows:
            batch.read += 1
            key_value = raw.get(key_col)
            key = None if key_value is None else str(key_value).strip()
            if not key:
                batch.refused.append((None, f"missing key {key_col}", dict(raw)))
                continue
            try:
                if upd_col is not None and raw.get(upd_col) not in (None, ""):
                    at = to_utc(raw[upd_col], self.zone)
                    if batch.newest is None or at > batch.newest:
                        batch.newest = at
                row = {"source_key": key}
                get = raw.get
                for target, column, const, fn in self._convert:
                    row[target] = fn(get(column) if column else const)
                for name, default in self._required:
                    if row.get(name) is None:
                        if default is None:
                            raise RowRefused(f"missing {name}")
                        row[name] = default
            except RowRefused as exc:
                batch.refused.append((key, str(exc), dict(raw)))
                continue
            batch.rows.append(row)
            batch.raw[key] = raw
        return batch


class Resolver:
    """Facility and payer codes to ids, cached for one run."""

    def __init__(self) -> None:
        self.facilities: dict[str, int | None] = {}
        self.payers: dict[str, int] = {}
        self.unknown_facilities: set[str] = set()

    def report(self, stats) -> None:
        """Say in the run's notice which facility codes could not be mapped."""
        if self.unknown_facilities:
            sample = ", ".join(sorted(self.unknown_facilities)[:5])
            stats.notice(f"unknown facility codes left unmapped: {sample}")

    def facility_ids(self, conn: Connection, codes: set[str]) -> dict[str, int | None]:
        missing = [c for c in codes if c not in self.facilities]
        for i in range(0, len(missing), 500):
            chunk = missing[i : i + 500]
            found = dict(
                conn.execute(
                    select(Facility.code, Facility.id).where(Facility.code.in_(chunk))
                ).all()
            )
            for code in chunk:
                self.facilities[code] = found.get(code)
                if code not in found:
                    self.unknown_facilities.add(code)
        return self.facilities

    def payer_ids(self, conn: Connection, codes: set[str]) -> dict[str, int]:
        missing = [c for c in codes if c not in self.payers]
        if missing:
            by_code = dict(conn.execute(select(Payer.code, Payer.id)).all())
            by_ident = dict(
                conn.execute(select(PayerIdentifier.value, PayerIdentifier.payer_id)).all()
            )
            unknown = []
            for code in missing:
                pid = by_code.get(code) or by_ident.get(code)
                if pid is None:
                    unknown.append(code)
                else:
                    self.payers[code] = pid
            if unknown:
                # Unknown payers are added (needs_mapping), as ingest does: nothing is dropped.
                ids = resolve_payers(conn, [[("erp_code", c)] for c in unknown], unknown)
                self.payers.update(zip(unknown, ids, strict=True))
        return self.payers


def write_batch(
    conn: Connection, tm: TableMap, source: str, batch: Batch, resolver: Resolver
) -> tuple[int, list[str], list[tuple[str | None, str, dict]]]:
    """Upsert the batch's rows; returns (rows inserted or changed, keys taken, rows refused while
    resolving references)."""
    rows = batch.rows
    refused: list[tuple[str | None, str, dict]] = []
    for cm in tm.columns:
        if cm.lookup == "facility":
            ids = resolver.facility_ids(conn, {r[cm.target] for r in rows if r[cm.target]})
            for r in rows:
                if r[cm.target] is not None:
                    r[cm.target] = ids.get(r[cm.target])
        elif cm.lookup == "payer":
            ids = resolver.payer_ids(conn, {r[cm.target] for r in rows if r[cm.target]})
            for r in rows:
                if r[cm.target] is not None:
                    r[cm.target] = ids[r[cm.target]]
        elif cm.ref:
            ref_table = tm.table.metadata.tables[cm.ref]
            wanted = list({r[cm.target] for r in rows if r[cm.target]})
            found: dict[str, int] = {}
            for i in range(0, len(wanted), 500):
                found.update(
                    conn.execute(
                        select(ref_table.c.source_key, ref_table.c.id).where(
                            ref_table.c.source == source,
                            ref_table.c.source_key.in_(wanted[i : i + 500]),
                        )
                    ).all()
                )
            kept = []
            for r in rows:
                value = r[cm.target]
                if value is not None and value not in found:
                    reason = f"{cm.target}: {cm.ref} {value!r} is not collected (yet)"
                    refused.append((r["source_key"], reason, dict(batch.raw[r["source_key"]])))
                    continue
                r[cm.target] = found.get(value) if value is not None else None
                kept.append(r)
            rows = kept
    written = upsert_rows(conn, tm.table, source, rows)
    keys = [r["source_key"] for r in rows]
    if tm.table.name == "posting":
        # A posting names its remit by trace number + patient control number; link it to the
        # stored claim payment now (ingest links the other way when the 835 comes later).
        from rcmwatch.ingest.links import link_postings_by_source_keys

        link_postings_by_source_keys(conn, source, keys)
    from rcmwatch.ingest.links import link_erp_claims_by_source_keys

    link_erp_claims_by_source_keys(conn, tm.table.name, source, keys)
    return written, keys, refused


def upsert_rows(conn: Connection, table: Table, source: str, rows: list[dict]) -> int:
    if not rows:
        return 0
    names = list(rows[0].keys())
    data: dict[str, list] = {"source": [source] * len(rows)}
    for name in names:
        data[name] = [r[name] for r in rows]
    data["removed_at_source"] = [None] * len(rows)
    by_name = columns_by_name(table)
    schema = {name: polars_dtype(by_name[name]) for name in data}
    frame = pl.DataFrame(data, schema=schema)
    return bulk.upsert_frame(conn, table, frame, ["source", "source_key"])


def active_keys(conn: Connection, table: Table, source: str) -> set[str]:
    return set(
        conn.execute(
            select(table.c.source_key).where(
                table.c.source == source, table.c.removed_at_source.is_(None)
            )
        ).scalars()
    )


def all_keys(conn: Connection, table: Table, source: str) -> set[str]:
    return set(conn.execute(select(table.c.source_key).where(table.c.source == source)).scalars())


def close_removed(
    conn: Connection, table: Table, source: str, keys: Iterable[str], at: datetime
) -> int:
    """Mark rows the source no longer has (``removed_at_source``); an open work item so removed
    is closed with ``resolution = 'removed_at_source'``."""
    keys = sorted(keys)
    closed = 0
    for i in range(0, len(keys), 500):
        chunk = keys[i : i + 500]
        where = (
            table.c.source == source,
            table.c.source_key.in_(chunk),
            table.c.removed_at_source.is_(None),
        )
        if table is WorkItem.__table__:
            conn.execute(
                update(table)
                .where(*where, table.c.status != "closed")
                .values(status="closed", resolved_at=at)
            )
            conn.execute(update(table).where(*where).values(resolution="removed_at_source"))
        closed += conn.execute(update(table).where(*where).values(removed_at_source=at)).rowcount
    return closed
