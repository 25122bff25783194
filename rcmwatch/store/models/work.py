"""Exception work and automation governance: work items, automated decisions (rule or model),
the overrides people made, and the versions of rules, models and the CARC category table."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from rcmwatch.store.models.base import Base, CreatedMixin, IdMixin, SourceKeyMixin, money_column
from rcmwatch.store.types import Id, UTCDateTime

WORK_STAGES = ("pre_bill", "front_end_reject", "denial", "posting", "interface", "data_quality")
WORK_STATUSES = ("open", "in_progress", "closed")


class WorkItem(IdMixin, SourceKeyMixin, Base):
    """An exception someone (or something) must work. ``source`` is the workflow system for
    collected items, ``rcmwatch`` for items raised by ingest and checks."""

    __tablename__ = "work_item"
    __table_args__ = (
        UniqueConstraint("source", "source_key"),
        Index(None, "status", "due_at"),
        Index(None, "subject_type", "subject_key"),
    )
    type: Mapped[str] = mapped_column(String)
    stage: Mapped[str] = mapped_column(String)
    exception_type: Mapped[str | None] = mapped_column(String)
    subject_type: Mapped[str] = mapped_column(String)
    subject_key: Mapped[str] = mapped_column(String)
    facility_id: Mapped[int | None] = mapped_column(Id, ForeignKey("facility.id"))
    payer_id: Mapped[int | None] = mapped_column(Id, ForeignKey("payer.id"))
    amount: Mapped[Decimal | None] = money_column("amount_cents")
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    assignee: Mapped[str | None] = mapped_column(String)
    status: Mapped[str] = mapped_column(String, default="open")
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_by: Mapped[str | None] = mapped_column(String)
    resolved_by_person: Mapped[bool | None]
    resolution: Mapped[str | None] = mapped_column(String)
    check_id: Mapped[str | None] = mapped_column(String)


class AutomatedDecision(IdMixin, SourceKeyMixin, Base):
    __tablename__ = "automated_decision"
    __table_args__ = (UniqueConstraint("source", "source_key"), Index(None, "decided_at"))
    decider_kind: Mapped[str] = mapped_column(String)  # rule | model
    decider_id: Mapped[str] = mapped_column(String)
    decider_version: Mapped[str] = mapped_column(String)
    subject_type: Mapped[str] = mapped_column(String)
    subject_key: Mapped[str] = mapped_column(String)
    decision: Mapped[str] = mapped_column(String)
    confidence: Mapped[float | None]
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime)
    facility_id: Mapped[int | None] = mapped_column(Id, ForeignKey("facility.id"))
    exception_type: Mapped[str | None] = mapped_column(String)


class Override(IdMixin, SourceKeyMixin, Base):
    __tablename__ = "override"
    __table_args__ = (UniqueConstraint("source", "source_key"), Index(None, "overridden_at"))
    decision_id: Mapped[int] = mapped_column(Id, ForeignKey("automated_decision.id"), index=True)
    user_name: Mapped[str] = mapped_column(String)
    new_outcome: Mapped[str] = mapped_column(String)
    reason_code: Mapped[str] = mapped_column(String)
    overridden_at: Mapped[datetime] = mapped_column(UTCDateTime)


class GovernedVersion(IdMixin, CreatedMixin, Base):
    """A version of a rule, a model or the CARC category table: who wrote it, who approved it,
    from when it applies, and a hash of its content."""

    __tablename__ = "governed_version"
    __table_args__ = (UniqueConstraint("kind", "name", "version"),)
    kind: Mapped[str] = mapped_column(String)  # rule | model | carc_map
    name: Mapped[str] = mapped_column(String)
    version: Mapped[str] = mapped_column(String)
    content_hash: Mapped[str] = mapped_column(String)
    author: Mapped[str] = mapped_column(String)
    approver: Mapped[str | None] = mapped_column(String)
    effective_from: Mapped[datetime] = mapped_column(UTCDateTime)
    notes: Mapped[str | None] = mapped_column(Text)


class CarcCategory(IdMixin, Base):
    """One row of a CARC → denial category table version (KPI.md §2)."""

    __tablename__ = "carc_category"
    __table_args__ = (UniqueConstraint("version_id", "carc"),)
    version_id: Mapped[int] = mapped_column(Id, ForeignKey("governed_version.id"))
    carc: Mapped[str] = mapped_column(String)
    category: Mapped[str] = mapped_column(String)
