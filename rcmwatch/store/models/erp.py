"""The ERP, the system of record for receivables (KPI.md §3): receivables, postings,
write-offs, payments and revenue per period and facility (GL export)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from rcmwatch.store.models.base import Base, IdMixin, SourceKeyMixin, money_column
from rcmwatch.store.types import Id, UTCDateTime


class Receivable(IdMixin, SourceKeyMixin, Base):
    __tablename__ = "receivable"
    __table_args__ = (UniqueConstraint("source", "source_key"), Index(None, "pcn"))
    pcn: Mapped[str | None] = mapped_column(String)
    claim_id: Mapped[int | None] = mapped_column(Id, ForeignKey("claim.id"))
    facility_id: Mapped[int | None] = mapped_column(Id, ForeignKey("facility.id"))
    payer_id: Mapped[int | None] = mapped_column(Id, ForeignKey("payer.id"))
    patient_id: Mapped[int | None] = mapped_column(Id, ForeignKey("patient.id"))
    kind: Mapped[str] = mapped_column(String)  # insurance | patient
    service_date: Mapped[date | None]
    opened_on: Mapped[date | None]
    balance: Mapped[Decimal] = money_column("balance_cents")
    last_activity_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Posting(IdMixin, SourceKeyMixin, Base):
    __tablename__ = "posting"
    __table_args__ = (
        UniqueConstraint("source", "source_key"),
        Index(None, "posted_at"),
        Index(None, "pcn"),
    )
    pcn: Mapped[str | None] = mapped_column(String)
    claim_id: Mapped[int | None] = mapped_column(Id, ForeignKey("claim.id"))
    claim_payment_id: Mapped[int | None] = mapped_column(Id, ForeignKey("claim_payment.id"))
    remit_trace_number: Mapped[str | None] = mapped_column(String)
    payer_id: Mapped[int | None] = mapped_column(Id, ForeignKey("payer.id"))
    facility_id: Mapped[int | None] = mapped_column(Id, ForeignKey("facility.id"))
    kind: Mapped[str] = mapped_column(String)  # payment | adjustment | reversal
    amount: Mapped[Decimal] = money_column("amount_cents")
    posted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    is_manual: Mapped[bool] = mapped_column(default=False)
    posted_by: Mapped[str | None] = mapped_column(String)


class WriteOff(IdMixin, SourceKeyMixin, Base):
    __tablename__ = "write_off"
    __table_args__ = (
        UniqueConstraint("source", "source_key"),
        Index(None, "posted_at"),
        Index(None, "pcn"),  # linked to its claim by patient control number
    )
    pcn: Mapped[str | None] = mapped_column(String)
    claim_id: Mapped[int | None] = mapped_column(Id, ForeignKey("claim.id"))
    facility_id: Mapped[int | None] = mapped_column(Id, ForeignKey("facility.id"))
    payer_id: Mapped[int | None] = mapped_column(Id, ForeignKey("payer.id"))
    # denial | bad_debt | small_balance | administrative | charity | other
    reason: Mapped[str] = mapped_column(String)
    carc: Mapped[str | None] = mapped_column(String)
    amount: Mapped[Decimal] = money_column("amount_cents")
    posted_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Payment(IdMixin, SourceKeyMixin, Base):
    __tablename__ = "payment"
    __table_args__ = (
        UniqueConstraint("source", "source_key"),
        Index(None, "posted_at"),
        Index(None, "pcn"),  # linked to its claim by patient control number
    )
    pcn: Mapped[str | None] = mapped_column(String)
    claim_id: Mapped[int | None] = mapped_column(Id, ForeignKey("claim.id"))
    facility_id: Mapped[int | None] = mapped_column(Id, ForeignKey("facility.id"))
    payer_id: Mapped[int | None] = mapped_column(Id, ForeignKey("payer.id"))
    payer_type: Mapped[str] = mapped_column(String)  # payer | patient
    method: Mapped[str | None] = mapped_column(String)
    amount: Mapped[Decimal] = money_column("amount_cents")
    received_on: Mapped[date | None]
    posted_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Revenue(IdMixin, SourceKeyMixin, Base):
    """Gross charges and net patient service revenue of a month at a facility."""

    __tablename__ = "revenue"
    __table_args__ = (UniqueConstraint("source", "source_key"), Index(None, "period"))
    facility_id: Mapped[int | None] = mapped_column(Id, ForeignKey("facility.id"))
    period: Mapped[date]  # first day of the month
    gross_charges: Mapped[Decimal] = money_column("gross_charges_cents")
    net_revenue: Mapped[Decimal] = money_column("net_revenue_cents")
