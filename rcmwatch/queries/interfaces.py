"""Broker queue state for the Interfaces page and the ``interface_backlog`` KPI: the latest
sample of every queue (depth, dead letters, oldest message), as the broker collector took it."""

from __future__ import annotations

from datetime import datetime

import polars as pl
from sqlalchemy import Connection, func, select

from rcmwatch.store.models import QueueSample

LATEST_SCHEMA = {
    "source": pl.String,
    "vhost": pl.String,
    "queue": pl.String,
    "sampled_at": pl.Datetime("us", "UTC"),
    "is_dead_letter": pl.Boolean,
    "messages": pl.Int64,
    "consumers": pl.Int64,
    "publish_rate": pl.Float64,
    "deliver_rate": pl.Float64,
    "oldest_message_at": pl.Datetime("us", "UTC"),
    "via": pl.String,
}


def latest_queue_samples(conn: Connection, as_of: datetime | None = None) -> pl.DataFrame:
    """One row per (source, vhost, queue): its newest sample at or before ``as_of``."""
    q = QueueSample
    newest = select(q.source, q.vhost, q.queue, func.max(q.sampled_at).label("at"))
    if as_of is not None:
        newest = newest.where(q.sampled_at <= as_of)
    newest = newest.group_by(q.source, q.vhost, q.queue).subquery()
    rows = conn.execute(
        select(*(getattr(q, name) for name in LATEST_SCHEMA))
        .join(
            newest,
            (q.source == newest.c.source)
            & (q.vhost == newest.c.vhost)
            & (q.queue == newest.c.queue)
            & (q.sampled_at == newest.c.at),
        )
        .order_by(q.source, q.queue)
    ).all()
    return pl.DataFrame([tuple(r) for r in rows], schema=LATEST_SCHEMA, orient="row")
