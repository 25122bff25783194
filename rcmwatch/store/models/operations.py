"""rcmwatch's own operations: collector runs and source state (freshness), data-quality runs and
failing keys, metric snapshots, remediation jobs, the hash-chained audit log and its anchor, the
scheduler lock and small pieces of persisted state (the simulated clock)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import BigInteger, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from rcmwatch.store.models.base import Base, IdMixin, money_column
from rcmwatch.store.types import Id, Json, UTCDateTime


class CollectorRun(IdMixin, Base):
    __tablename__ = "collector_run"
    __table_args__ = (Index(None, "source", "started_at"),)
    source: Mapped[str] = mapped_column(String(60))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(12))  # running | ok | failed
    rows_read: Mapped[int] = mapped_column(default=0)
    rows_written: Mapped[int] = mapped_column(default=0)
    rows_quarantined: Mapped[int] = mapped_column(default=0)
    error_kind: Mapped[str | None] = mapped_column(String(30))
    error: Mapped[str | None] = mapped_column(Text)
    newest_record_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    watermark: Mapped[str | None] = mapped_column(String(120))


class SourceState(Base):
    __tablename__ = "source_state"
    source: Mapped[str] = mapped_column(String(60), primary_key=True)
    kind: Mapped[str] = mapped_column(String(30))
    cadence_seconds: Mapped[int]
    watermark: Mapped[str | None] = mapped_column(String(120))
    last_success_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_full_scan_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    newest_record_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    healthy: Mapped[bool] = mapped_column(default=True)
    notice: Mapped[str | None] = mapped_column(Text)
    watch_start: Mapped[date | None]


class DqRun(IdMixin, Base):
    __tablename__ = "dq_run"
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    mode: Mapped[str] = mapped_column(String(12))  # incremental | full
    status: Mapped[str] = mapped_column(String(12))


class DqResult(IdMixin, Base):
    __tablename__ = "dq_result"
    __table_args__ = (Index(None, "check_id", "run_id"),)
    run_id: Mapped[int] = mapped_column(Id, ForeignKey("dq_run.id"))
    check_id: Mapped[str] = mapped_column(String(60))
    suite: Mapped[str] = mapped_column(String(60))
    table_name: Mapped[str] = mapped_column(String(60))
    severity: Mapped[str] = mapped_column(String(5))  # warn | error
    blocking: Mapped[bool] = mapped_column(default=False)
    success: Mapped[bool]
    errored: Mapped[bool] = mapped_column(default=False)
    element_count: Mapped[int | None]
    unexpected_count: Mapped[int] = mapped_column(default=0)
    unexpected_amount: Mapped[Decimal | None] = money_column("unexpected_amount_cents")
    evidence: Mapped[str | None] = mapped_column(Text)
    query: Mapped[str | None] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(Text)


class DqFailingKey(IdMixin, Base):
    __tablename__ = "dq_failing_key"
    __table_args__ = (Index(None, "result_id"),)
    result_id: Mapped[int] = mapped_column(Id, ForeignKey("dq_result.id"))
    row_key: Mapped[str] = mapped_column(String(200))
    facility_id: Mapped[int | None] = mapped_column(Id, ForeignKey("facility.id"))
    payer_id: Mapped[int | None] = mapped_column(Id, ForeignKey("payer.id"))
    period: Mapped[date | None]


class MetricSnapshot(IdMixin, Base):
    """Numerator and denominator of a KPI for one day × facility × payer (× payer sequence), so
    roll-ups are exact; latency KPIs keep a histogram in ``samples`` (medians cannot be added)."""

    __tablename__ = "metric_snapshot"
    __table_args__ = (
        UniqueConstraint(
            "kpi",
            "day",
            "facility_key",
            "payer_key",
            "payer_sequence",
            name="uq_metric_snapshot_cell",
        ),
        Index(None, "kpi", "day"),
    )
    kpi: Mapped[str] = mapped_column(String(60))
    day: Mapped[date]
    # '' when unmapped: unique constraints treat NULLs as distinct.
    facility_key: Mapped[str] = mapped_column(String(60), default="")
    payer_key: Mapped[str] = mapped_column(String(60), default="")
    payer_sequence: Mapped[str] = mapped_column(String(10), default="")
    numerator: Mapped[int] = mapped_column(BigInteger, default=0)
    denominator: Mapped[int] = mapped_column(BigInteger, default=0)
    amount: Mapped[Decimal | None] = money_column("amount_cents")
    amount_denominator: Mapped[Decimal | None] = money_column("amount_denominator_cents")
    samples: Mapped[dict | None] = mapped_column(Json)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    inputs_hash: Mapped[str | None] = mapped_column(String(64))


class Job(IdMixin, Base):
    """A remediation job: request → approval → run → result → verification."""

    __tablename__ = "job"
    __table_args__ = (Index(None, "status", "requested_at"),)
    type: Mapped[str] = mapped_column(String(60))
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True)
    cohort: Mapped[dict] = mapped_column(Json)
    parameters: Mapped[dict] = mapped_column(Json)
    dry_run_count: Mapped[int | None]
    dry_run_amount: Mapped[Decimal | None] = money_column("dry_run_amount_cents")
    requested_by: Mapped[str] = mapped_column(String(120))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reason: Mapped[str] = mapped_column(Text)
    # requested | approved | rejected | running | succeeded | failed | verified | unverified
    status: Mapped[str] = mapped_column(String(20))
    approved_by: Mapped[str | None] = mapped_column(String(120))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    result: Mapped[dict | None] = mapped_column(Json)
    verification: Mapped[dict | None] = mapped_column(Json)
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class AuditEvent(IdMixin, Base):
    """Append-only (triggers refuse UPDATE and DELETE); each row hashes the previous one."""

    __tablename__ = "audit_event"
    __table_args__ = (Index(None, "subject_type", "subject_key"), Index(None, "at"))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(120))
    action: Mapped[str] = mapped_column(String(60))
    subject_type: Mapped[str | None] = mapped_column(String(30))
    subject_key: Mapped[str | None] = mapped_column(String(200))
    reason: Mapped[str | None] = mapped_column(Text)
    before: Mapped[dict | None] = mapped_column(Json)
    after: Mapped[dict | None] = mapped_column(Json)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class AuditAnchor(IdMixin, Base):
    """A copy of the audit chain's head kept apart from it, so truncating the tail shows."""

    __tablename__ = "audit_anchor"
    head_event_id: Mapped[int] = mapped_column(BigInteger)
    head_hash: Mapped[str] = mapped_column(String(64))
    anchored_at: Mapped[datetime] = mapped_column(UTCDateTime)
    anchored_to: Mapped[str] = mapped_column(String(200))


class SchedulerLock(Base):
    __tablename__ = "scheduler_lock"
    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    holder: Mapped[str] = mapped_column(String(120))
    acquired_at: Mapped[datetime] = mapped_column(UTCDateTime)
    heartbeat_at: Mapped[datetime] = mapped_column(UTCDateTime)


class AppState(Base):
    __tablename__ = "app_state"
    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[dict] = mapped_column(Json)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class MetricInvalidation(IdMixin, Base):
    """A day whose KPI inputs changed since its snapshots were computed: ingest and collectors
    mark (family, day) in the transaction that changes the rows; the snapshot refresh recomputes
    those days and deletes the marks it consumed (``rcmwatch.store.snapshots``)."""

    __tablename__ = "metric_invalidation"
    __table_args__ = (UniqueConstraint("family", "day"),)
    # front_end | adjudication | posting | erp | work | interface
    family: Mapped[str] = mapped_column(String(20))
    day: Mapped[date]
    marked_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reason: Mapped[str | None] = mapped_column(String(200))
