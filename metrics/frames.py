"""The canonical records the KPI engine reads, as Polars frames with fixed schemas.

Each frame holds the columns of one canonical table that some KPI needs, named as in SQL (money
as ``*_cents`` Int64, times as UTC datetimes, dates as dates). Test data (ISA15 = T) and rows
removed at their source are already excluded when frames come from the store
(:func:`rcmwatch.queries.kpi_frames.load_frames`); tests build frames directly with
:meth:`Frames.build`. Nothing here reads a database: the metrics stay pure.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

import polars as pl

DT = pl.Datetime("us", "UTC")
I64 = pl.Int64
STR = pl.String
BOOL = pl.Boolean
DATE = pl.Date
# Codes with a handful of values, in the biggest tables: 4 bytes a row instead of a 16-byte
# string view (10M claims: about 1.2 GiB less). Compare them with literals or join them to each
# other; cast to STR before string functions or joins with string columns.
CODE = pl.Categorical

SCHEMAS: dict[str, dict[str, pl.DataType]] = {
    "claim": {
        "id": I64,
        "pcn": STR,
        "facility_id": I64,
        "payer_id": I64,
        "first_submission_id": I64,
        "first_submitted_at": DT,
        "service_from": DATE,
        "voided_at": DT,
        "claim_type": CODE,
    },
    "claim_version": {
        "id": I64,
        "claim_id": I64,
        "submission_id": I64,
        "frequency_code": CODE,
        "payer_sequence": CODE,
        "payer_id": I64,
        "charge_cents": I64,
    },
    "submission": {"id": I64, "submitted_at": DT},
    "ack_set": {
        "id": I64,
        "acknowledged_at": DT,
        "ak2_set_control": STR,
        "ik5_code": STR,
        "ak9_code": STR,
    },
    "ack_link": {"ack_set_id": I64, "submission_id": I64},
    # Claim-level (HL03 = PT) 277CA rows only.
    "claim_status": {
        "id": I64,
        "claim_id": I64,
        "submission_id": I64,
        "status_category": CODE,
        "rejected_above": BOOL,
        "reported_at": DT,
    },
    "remit_transaction": {
        "id": I64,
        "payer_id": I64,
        "production_date": DATE,
        "received_at": DT,
        "balanced": BOOL,
    },
    "claim_payment": {
        "id": I64,
        "remit_transaction_id": I64,
        "seq": I64,
        "pcn": STR,
        "claim_id": I64,
        "payer_id": I64,
        "status_code": CODE,
        "charge_cents": I64,
        "paid_cents": I64,
        "patient_responsibility_cents": I64,
        "is_reversal": BOOL,
        "is_predetermination": BOOL,
        "reverses_claim_payment_id": I64,
        "payer_sequence": CODE,
        "denial_kind": CODE,
        "denied_cents": I64,
        "denial_category": CODE,
        "carc_map_version": I64,
        "balanced": BOOL,
    },
    "adjustment": {"claim_payment_id": I64, "group_code": CODE, "amount_cents": I64},
    "service_line_payment": {
        "claim_payment_id": I64,
        "procedure_qualifier": STR,
        "procedure_code": STR,
        "modifiers": STR,
        "units": pl.Float64,
        "service_date": DATE,
    },
    "payer": {
        "id": I64,
        "code": STR,
        "payer_class": CODE,  # joined onto most facts: as small there as in claim_payment
        "timely_filing_days": I64,
        "appeal_limit_days": I64,
    },
    "facility": {"id": I64, "code": STR},
    "fee_schedule_entry": {
        "payer_id": I64,
        "claim_type": STR,
        "code_system": STR,
        "code": STR,
        "modifier": STR,
        "expected_allowed_cents": I64,
        "effective_from": DATE,
        "effective_to": DATE,
    },
    "receivable": {
        "id": I64,
        "claim_id": I64,
        "facility_id": I64,
        "payer_id": I64,
        "kind": STR,
        "service_date": DATE,
        "opened_on": DATE,
        "balance_cents": I64,
    },
    "posting": {
        "id": I64,
        "claim_id": I64,
        "claim_payment_id": I64,
        "kind": CODE,
        "amount_cents": I64,
        "posted_at": DT,
        "is_manual": BOOL,
    },
    "write_off": {
        "id": I64,
        "claim_id": I64,
        "facility_id": I64,
        "payer_id": I64,
        "reason": STR,
        "amount_cents": I64,
        "posted_at": DT,
    },
    "payment": {
        "id": I64,
        "claim_id": I64,
        "facility_id": I64,
        "payer_id": I64,
        "payer_type": STR,
        "amount_cents": I64,
        "posted_at": DT,
    },
    "revenue": {
        "id": I64,
        "facility_id": I64,
        "period": DATE,
        "gross_charges_cents": I64,
        "net_revenue_cents": I64,
    },
    "work_item": {
        "id": I64,
        "type": STR,
        "stage": STR,
        "exception_type": STR,
        "subject_type": STR,
        "subject_key": STR,
        "facility_id": I64,
        "payer_id": I64,
        "amount_cents": I64,
        "opened_at": DT,
        "due_at": DT,
        "assignee": STR,
        "status": STR,
        "resolved_at": DT,
        "resolved_by_person": BOOL,
    },
    "automated_decision": {
        "id": I64,
        "decider_kind": STR,
        "decider_id": STR,
        "decider_version": STR,
        "decided_at": DT,
        "facility_id": I64,
        "exception_type": STR,
    },
    "override": {
        "id": I64,
        "decision_id": I64,
        "user_name": STR,
        "reason_code": STR,
        "overridden_at": DT,
    },
    "interface_message": {
        "id": I64,
        "interface": STR,
        "queue": STR,
        "status": STR,
        "created_at": DT,
        "completed_at": DT,
    },
    "source_state": {
        "source": STR,
        "kind": STR,
        "cadence_seconds": I64,
        "last_success_at": DT,
        "newest_record_at": DT,
    },
}

TABLES: tuple[str, ...] = tuple(SCHEMAS)


def conform(table: str, frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with exactly the schema of ``table``: missing columns null, types cast (SQLite
    hands dates and times back as text and booleans as integers)."""
    schema = SCHEMAS[table]
    exprs = []
    for name, dtype in schema.items():
        if name not in frame.columns:
            exprs.append(pl.lit(None, dtype=dtype).alias(name))
            continue
        have = frame.schema[name]
        col = pl.col(name)
        if have == dtype:
            exprs.append(col)
        elif dtype == DT:
            if isinstance(have, pl.Datetime):
                col = (
                    col.dt.replace_time_zone("UTC")
                    if have.time_zone is None
                    else col.dt.convert_time_zone("UTC")
                )
                exprs.append(col.dt.cast_time_unit("us").alias(name))
            else:
                exprs.append(
                    col.cast(STR)
                    .str.to_datetime(time_unit="us", time_zone="UTC", strict=True)
                    .alias(name)
                )
        elif dtype == DATE:
            if isinstance(have, pl.Datetime):
                exprs.append(col.dt.date().alias(name))
            elif have == STR:
                exprs.append(col.str.slice(0, 10).str.to_date("%Y-%m-%d").alias(name))
            else:
                exprs.append(col.cast(DATE).alias(name))
        else:
            exprs.append(col.cast(dtype, strict=True).alias(name))
    return frame.select(exprs)


def empty(table: str) -> pl.DataFrame:
    return pl.DataFrame(schema=SCHEMAS[table])


@dataclass(frozen=True)
class Frames:
    """Every canonical input of the KPI engine (one frame per table of :data:`SCHEMAS`)."""

    claim: pl.DataFrame
    claim_version: pl.DataFrame
    submission: pl.DataFrame
    ack_set: pl.DataFrame
    ack_link: pl.DataFrame
    claim_status: pl.DataFrame
    remit_transaction: pl.DataFrame
    claim_payment: pl.DataFrame
    adjustment: pl.DataFrame
    service_line_payment: pl.DataFrame
    payer: pl.DataFrame
    facility: pl.DataFrame
    fee_schedule_entry: pl.DataFrame
    receivable: pl.DataFrame
    posting: pl.DataFrame
    write_off: pl.DataFrame
    payment: pl.DataFrame
    revenue: pl.DataFrame
    work_item: pl.DataFrame
    automated_decision: pl.DataFrame
    override: pl.DataFrame
    interface_message: pl.DataFrame
    source_state: pl.DataFrame

    @classmethod
    def build(cls, tables: Mapping[str, Any] | None = None) -> Frames:
        """Frames from frames, lists of row dicts or column dicts; absent tables are empty.

        Row dicts may omit columns (null) and give times as aware datetimes or ISO strings."""
        tables = dict(tables or {})
        unknown = set(tables) - set(SCHEMAS)
        if unknown:
            raise ValueError(f"unknown tables: {sorted(unknown)}")
        out = {}
        for table in TABLES:
            value = tables.get(table)
            if value is None:
                out[table] = empty(table)
                continue
            if not isinstance(value, pl.DataFrame):
                value = _frame_from_python(table, value)
            out[table] = conform(table, value)
        return cls(**out)

    def replace(self, **tables: pl.DataFrame) -> Frames:
        current = {f.name: getattr(self, f.name) for f in fields(self)}
        current.update({k: conform(k, v) for k, v in tables.items()})
        return Frames(**current)

    def heights(self) -> dict[str, int]:
        return {f.name: getattr(self, f.name).height for f in fields(self)}

    def write_parquet(self, folder) -> None:
        from pathlib import Path

        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        for f in fields(self):
            getattr(self, f.name).write_parquet(folder / f"{f.name}.parquet")

    @classmethod
    def read_parquet(cls, folder) -> Frames:
        from pathlib import Path

        folder = Path(folder)
        return cls(**{t: conform(t, pl.read_parquet(folder / f"{t}.parquet")) for t in TABLES})


def _frame_from_python(table: str, value) -> pl.DataFrame:
    schema = SCHEMAS[table]
    if isinstance(value, Mapping):
        rows = None
        cols = dict(value)
    else:
        rows = list(value)
        names = list(dict.fromkeys(k for row in rows for k in row))
        cols = {n: [row.get(n) for row in rows] for n in names}
    unknown = set(cols) - set(schema)
    if unknown:
        raise ValueError(f"{table} has no columns {sorted(unknown)}")
    series = []
    for name, values in cols.items():
        dtype = schema[name]
        if dtype in (DT, DATE) and any(isinstance(v, str) for v in values):
            series.append(pl.Series(name, [None if v is None else str(v) for v in values], STR))
        elif dtype == DT:
            series.append(pl.Series(name, values, dtype=pl.Datetime("us", "UTC")))
        else:
            series.append(pl.Series(name, values, dtype=dtype))
    height = len(rows) if rows is not None else (len(series[0]) if series else 0)
    return pl.DataFrame(series) if series else pl.DataFrame(schema=schema).clear(height)


# Columns read from the store only to exclude rows: test interchanges (ISA15 = T), 277CA rows
# above claim level, and source rows the source has since deleted.
FILTER_COLUMNS: dict[str, dict[str, pl.DataType]] = {
    "claim": {"is_test": BOOL},
    "submission": {"is_test": BOOL},
    "ack_set": {"is_test": BOOL},
    "claim_status": {"is_test": BOOL, "hl_level": STR},
    "remit_transaction": {"is_test": BOOL},
    "receivable": {"removed_at_source": DT},
    "posting": {"removed_at_source": DT},
    "write_off": {"removed_at_source": DT},
    "payment": {"removed_at_source": DT},
    "revenue": {"removed_at_source": DT},
    "work_item": {"removed_at_source": DT},
    "automated_decision": {"removed_at_source": DT},
    "override": {"removed_at_source": DT},
    "interface_message": {"removed_at_source": DT},
}


def _flag(frame: pl.DataFrame, column: str) -> pl.Expr:
    if column not in frame.columns:
        return pl.lit(False)
    return pl.col(column).cast(BOOL).fill_null(False)


def prepare(raw: Mapping[str, pl.DataFrame]) -> Frames:
    """Frames from raw store rows (with :data:`FILTER_COLUMNS`): test data excluded from every
    KPI — test claims, submissions, acknowledgments, 277CA rows and remits, and what hangs off
    them — 277CA rows above claim level dropped, rows removed at their source dropped."""
    t = {name: raw.get(name, empty(name)) for name in TABLES}
    for name, cols in FILTER_COLUMNS.items():
        frame = t[name]
        if "is_test" in cols:
            frame = frame.filter(~_flag(frame, "is_test"))
        if "hl_level" in cols and "hl_level" in frame.columns:
            frame = frame.filter(pl.col("hl_level") == "PT")
        if "removed_at_source" in cols and "removed_at_source" in frame.columns:
            frame = frame.filter(pl.col("removed_at_source").is_null())
        t[name] = frame

    def keep(frame: pl.DataFrame, column: str, parent: pl.DataFrame) -> pl.DataFrame:
        ids = parent.select(pl.col("id").cast(I64).alias(column))
        nulls = frame.filter(pl.col(column).is_null())
        return pl.concat(
            [
                frame.with_columns(pl.col(column).cast(I64)).join(ids, on=column, how="semi"),
                nulls.with_columns(pl.col(column).cast(I64)),
            ]
        )

    t["claim_version"] = keep(
        keep(t["claim_version"], "submission_id", t["submission"]), "claim_id", t["claim"]
    )
    t["ack_link"] = keep(
        keep(t["ack_link"], "submission_id", t["submission"]), "ack_set_id", t["ack_set"]
    )
    t["claim_status"] = keep(t["claim_status"], "claim_id", t["claim"])
    t["claim_payment"] = keep(
        keep(t["claim_payment"], "remit_transaction_id", t["remit_transaction"]),
        "claim_id",
        t["claim"],
    )
    t["adjustment"] = keep(t["adjustment"], "claim_payment_id", t["claim_payment"])
    t["service_line_payment"] = keep(
        t["service_line_payment"], "claim_payment_id", t["claim_payment"]
    )
    return Frames(**{name: conform(name, frame) for name, frame in t.items()})
