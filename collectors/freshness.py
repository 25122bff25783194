"""Source freshness ("monitor the monitor", KPI.md §4 ``source_freshness``): per source, the time
since its last successful collection and since its newest record, against its declared cadence.
A source is ``stale`` when its last success is older than twice its cadence, ``never`` when it
has not succeeded yet, else ``fresh``; ``healthy`` says whether its last run failed.

:func:`freshness` is pure (Polars in, Polars out; the KPI engine can call it on any frame of
source states); :func:`load_freshness` reads the ``source_state`` table and applies it.
"""

from __future__ import annotations

from datetime import datetime

import polars as pl
from sqlalchemy import Connection, select

STALE_FACTOR = 2
STATE_SCHEMA = {
    "source": pl.String,
    "kind": pl.String,
    "cadence_seconds": pl.Int64,
    "last_success_at": pl.Datetime("us", "UTC"),
    "newest_record_at": pl.Datetime("us", "UTC"),
    "healthy": pl.Boolean,
    "notice": pl.String,
}


def freshness(states: pl.DataFrame, as_of: datetime) -> pl.DataFrame:
    """``states`` (columns of :data:`STATE_SCHEMA`) with ``since_success_s``,
    ``since_newest_s``, ``stale_after_s`` and ``status`` (fresh | stale | never)."""
    at = pl.lit(as_of).cast(pl.Datetime("us", "UTC"))
    since_success = (at - pl.col("last_success_at")).dt.total_seconds()
    stale_after = pl.col("cadence_seconds") * STALE_FACTOR
    return states.with_columns(
        since_success.alias("since_success_s"),
        (at - pl.col("newest_record_at")).dt.total_seconds().alias("since_newest_s"),
        stale_after.alias("stale_after_s"),
        pl.when(pl.col("last_success_at").is_null())
        .then(pl.lit("never"))
        .when(since_success > stale_after)
        .then(pl.lit("stale"))
        .otherwise(pl.lit("fresh"))
        .alias("status"),
    ).sort("source")


def load_freshness(conn: Connection, as_of: datetime) -> pl.DataFrame:
    from rcmwatch.store.models import SourceState

    rows = conn.execute(select(*(getattr(SourceState, name) for name in STATE_SCHEMA))).all()
    frame = pl.DataFrame([tuple(r) for r in rows], schema=STATE_SCHEMA, orient="row")
    return freshness(frame, as_of)
