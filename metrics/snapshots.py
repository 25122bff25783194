"""Daily snapshot cells of the additive KPIs, and roll-ups from them (pure; the store side is
``rcmwatch.store.snapshots``).

A cell is one KPI × UTC day (its date basis) × facility × payer × payer sequence, holding the
sums the KPI's value is made of: ``numerator``/``denominator`` (counts), ``amount``/
``amount_denominator`` (cents) and, for posting latency, the samples themselves (medians cannot
be added): ``{"posted_s": [latencies of posted payments], "unposted_received": [epoch seconds of
still-unposted ones]}`` — their age is taken at the roll-up's as-of. Any roll-up of cells equals
the direct computation over the same facts, exactly. Object KPIs are kept per part:
``denials_by_category:<category>`` and ``manual_touch_rate:<domain>``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime

import polars as pl

from metrics.common import nearest_rank_list, seconds_to_hours
from metrics.registry import KpiDef

CELL_DIMS = ("day", "facility_id", "payer_id", "payer_sequence")
CELL_SCHEMA = {
    "kpi": pl.String,
    "day": pl.Date,
    "facility_key": pl.String,
    "payer_key": pl.String,
    "payer_sequence": pl.String,
    "numerator": pl.Int64,
    "denominator": pl.Int64,
    "amount_cents": pl.Int64,
    "amount_denominator_cents": pl.Int64,
    "samples": pl.String,
    "inputs_hash": pl.String,
}
KEY_COLUMNS = ("kpi", "day", "facility_key", "payer_key", "payer_sequence")
SPLIT = {"denials_by_category": "category", "manual_touch_rate": "domain"}


def _key(column: str, present: bool) -> pl.Expr:
    if not present:
        return pl.lit("")
    return pl.col(column).cast(pl.String).fill_null("")


def cells(defn: KpiDef, facts: pl.DataFrame) -> pl.DataFrame:
    """Snapshot cells of one KPI from its (already day-filtered) facts."""
    if not defn.snapshot:
        raise ValueError(f"{defn.name} is not kept in snapshots")
    dims = [d for d in CELL_DIMS if d in facts.columns]
    if defn.name == "posting_latency":
        frame = _latency_cells(facts, dims)
    else:
        frame = defn.compute(facts, dims)
    if frame.height == 0:
        return pl.DataFrame(schema=CELL_SCHEMA)
    split = SPLIT.get(defn.name)
    kpi = pl.lit(f"{defn.name}:") + pl.col(split).cast(pl.String) if split else pl.lit(defn.name)
    measures = _measures(defn, frame)
    out = frame.select(
        kpi.alias("kpi"),
        pl.col("day"),
        _key("facility_id", "facility_id" in frame.columns).alias("facility_key"),
        _key("payer_id", "payer_id" in frame.columns).alias("payer_key"),
        _key("payer_sequence", "payer_sequence" in frame.columns).alias("payer_sequence"),
        *measures,
    )
    out = out.with_columns(
        pl.concat_str(
            [pl.col(c).cast(pl.String).fill_null("-") for c in list(CELL_SCHEMA)[5:10]],
            separator="|",
        )
        .hash(seed=20240501)
        .map_batches(lambda h: h.cast(pl.String), return_dtype=pl.String)
        .alias("inputs_hash")
    )
    return out.select(list(CELL_SCHEMA)).cast(CELL_SCHEMA)  # type: ignore[arg-type]


def _measures(defn: KpiDef, frame: pl.DataFrame) -> list[pl.Expr]:
    zero = pl.lit(0, dtype=pl.Int64)
    none = pl.lit(None, dtype=pl.Int64)
    shape = defn.shape
    if shape == "rate" or defn.name == "manual_touch_rate":
        num, den, amt, amt_den = pl.col("numerator"), pl.col("denominator"), none, none
    elif shape == "rate_money":
        num, den, amt, amt_den = zero, zero, pl.col("numerator"), pl.col("denominator")
    elif shape == "count":
        num, den, amt, amt_den = pl.col("count"), zero, none, none
    elif shape == "money":
        num, den, amt, amt_den = zero, zero, pl.col("cents"), none
    elif shape == "count_money" or defn.name == "denials_by_category":
        num, den, amt, amt_den = pl.col("count"), zero, pl.col("cents"), none
    elif defn.name == "posting_latency":
        num, den, amt, amt_den = pl.col("posted"), pl.col("n"), none, none
    else:
        raise ValueError(f"no snapshot measures for {defn.name}")
    samples = pl.col("samples") if "samples" in frame.columns else pl.lit(None, dtype=pl.String)
    return [
        num.cast(pl.Int64).alias("numerator"),
        den.cast(pl.Int64).alias("denominator"),
        amt.cast(pl.Int64).alias("amount_cents"),
        amt_den.cast(pl.Int64).alias("amount_denominator_cents"),
        samples.alias("samples"),
    ]


def _latency_cells(facts: pl.DataFrame, dims: list[str]) -> pl.DataFrame:
    epoch = pl.col("received_at").dt.epoch("s")
    grouped = facts.group_by(dims).agg(
        pl.col("wait_s").filter(pl.col("posted")).sort().alias("posted_s"),
        epoch.filter(~pl.col("posted")).sort().alias("unposted_received"),
        pl.col("posted").cast(pl.Int64).sum().alias("posted"),
        pl.len().cast(pl.Int64).alias("n"),
    )
    samples = [
        json.dumps({"posted_s": p, "unposted_received": u}, separators=(",", ":"))
        for p, u in zip(
            grouped["posted_s"].to_list(), grouped["unposted_received"].to_list(), strict=True
        )
    ]
    return grouped.drop("posted_s", "unposted_received").with_columns(
        pl.Series("samples", samples, dtype=pl.String)
    )


def rollup(snapshot: pl.DataFrame, by: Sequence[str] = ()) -> pl.DataFrame:
    """Sums of cells per ``kpi`` and ``by`` (any of day, month, facility_key, payer_key,
    payer_sequence); latency samples are concatenated."""
    frame = snapshot
    if "month" in by and "month" not in frame.columns:
        frame = frame.with_columns(pl.col("day").dt.truncate("1mo").alias("month"))
    return frame.group_by(["kpi", *by], maintain_order=True).agg(
        pl.col("numerator").sum(),
        pl.col("denominator").sum(),
        pl.col("amount_cents").sum(),
        pl.col("amount_denominator_cents").sum(),
        pl.col("samples").drop_nulls(),
    )


def latency_from_samples(samples: Sequence[str], as_of: datetime) -> dict:
    """``{"median_h", "p90_h", "n"}`` from cells' samples, unposted ages taken at ``as_of``."""
    now = int(as_of.timestamp())
    waits: list[int] = []
    for text in samples:
        data = json.loads(text)
        waits.extend(data["posted_s"])
        waits.extend(now - r for r in data["unposted_received"])
    return {
        "median_h": seconds_to_hours(nearest_rank_list(waits, 1, 2)),
        "p90_h": seconds_to_hours(nearest_rank_list(waits, 9, 10)),
        "n": len(waits),
    }
