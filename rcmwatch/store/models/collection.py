"""What the collectors keep besides the canonical rows: broker queue samples (the Interfaces page
and ``interface_backlog`` read them), rows a source sent that could not be taken (quarantined with
a reason, never dropped), a cursor per source stream (incremental watermark, last full key scan)
and the previous snapshot of full-export sources (row hashes, for diffing the next one)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from rcmwatch.store.models.base import Base, IdMixin
from rcmwatch.store.types import Id, Json, UTCDateTime


class QueueSample(IdMixin, Base):
    """One broker queue observed at one time. Rates are messages per second as the broker's
    management API reports them (null when only AMQP depths were available)."""

    __tablename__ = "queue_sample"
    __table_args__ = (Index(None, "queue", "sampled_at"), Index(None, "source", "sampled_at"))
    source: Mapped[str] = mapped_column(String(60))
    vhost: Mapped[str] = mapped_column(String(120))
    queue: Mapped[str] = mapped_column(String(200))
    sampled_at: Mapped[datetime] = mapped_column(UTCDateTime)
    is_dead_letter: Mapped[bool] = mapped_column(default=False)
    messages: Mapped[int]
    messages_ready: Mapped[int | None]
    messages_unacked: Mapped[int | None]
    consumers: Mapped[int | None]
    publish_rate: Mapped[float | None]
    deliver_rate: Mapped[float | None]
    oldest_message_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    via: Mapped[str] = mapped_column(String(12))  # management | amqp


class CollectorQuarantine(IdMixin, Base):
    """A source row a collector could not take (bad amount, missing key, unknown status...),
    kept with the reason. Re-read on later runs until it passes (``resolved_at``)."""

    __tablename__ = "collector_quarantine"
    __table_args__ = (
        UniqueConstraint("source", "stream", "row_hash"),
        Index(None, "source", "resolved_at"),
    )
    source: Mapped[str] = mapped_column(String(60))
    stream: Mapped[str] = mapped_column(String(60))
    source_key: Mapped[str | None] = mapped_column(String(200))
    row_hash: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(Text)
    row: Mapped[dict] = mapped_column(Json)
    run_id: Mapped[int | None] = mapped_column(Id)
    quarantined_at: Mapped[datetime] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SourceCursor(Base):
    """Where a collector is in one stream of a source (a source table, a CSV export, a queue)."""

    __tablename__ = "source_cursor"
    source: Mapped[str] = mapped_column(String(60), primary_key=True)
    stream: Mapped[str] = mapped_column(String(60), primary_key=True)
    watermark: Mapped[str | None] = mapped_column(Text)
    last_full_scan_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class SourceSnapshotRow(Base):
    """One row of the previous full snapshot of a source stream (CSV exports): its key and a hash
    of its content, so the next snapshot gives exactly the new, changed and removed rows."""

    __tablename__ = "source_snapshot_row"
    source: Mapped[str] = mapped_column(String(60), primary_key=True)
    stream: Mapped[str] = mapped_column(String(60), primary_key=True)
    source_key: Mapped[str] = mapped_column(String(200), primary_key=True)
    row_hash: Mapped[str] = mapped_column(String(32))
