"""The remit side (835): remittance transactions, claim payments (CLP), service line payments
(SVC), adjustments (CAS, claim and line level), provider-level adjustments (PLB) and remark codes.

Denial classification (KPI.md §2) is stored with each claim payment together with the CARC map
version that produced it, so a KPI can name the version it used."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from rcmwatch.store.models.base import Base, IdMixin, money_column
from rcmwatch.store.types import Id, UTCDateTime


class RemitTransaction(IdMixin, Base):
    __tablename__ = "remit_transaction"
    __table_args__ = (UniqueConstraint("inbound_file_id", "seq"),)
    inbound_file_id: Mapped[int] = mapped_column(Id, ForeignKey("inbound_file.id"))
    seq: Mapped[int]
    interchange_sender: Mapped[str | None] = mapped_column(String)
    interchange_receiver: Mapped[str | None] = mapped_column(String)
    interchange_control: Mapped[str | None] = mapped_column(String)
    is_test: Mapped[bool] = mapped_column(default=False)
    gs_control: Mapped[str | None] = mapped_column(String)
    st_control: Mapped[str | None] = mapped_column(String)
    handling_code: Mapped[str | None] = mapped_column(String)  # BPR01
    payment: Mapped[Decimal] = money_column("payment_cents")  # BPR02, signed
    credit_debit: Mapped[str | None] = mapped_column(String)  # BPR03
    payment_method: Mapped[str | None] = mapped_column(String)  # BPR04
    payment_date: Mapped[date | None]  # BPR16
    trace_number: Mapped[str | None] = mapped_column(String)  # TRN02
    trace_originator: Mapped[str | None] = mapped_column(String)  # TRN03
    payer_id: Mapped[int | None] = mapped_column(Id, ForeignKey("payer.id"), index=True)
    payer_name: Mapped[str | None] = mapped_column(String)
    payer_identifier: Mapped[str | None] = mapped_column(String)
    payee_name: Mapped[str | None] = mapped_column(String)
    payee_npi: Mapped[str | None] = mapped_column(String)
    payee_tax_id: Mapped[str | None] = mapped_column(String)
    production_date: Mapped[date | None] = mapped_column(index=True)  # DTM*405, else BPR16
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    balanced: Mapped[bool] = mapped_column(default=True)
    # BPR02 − (ΣCLP04 − ΣPLB); 0 when balanced.
    imbalance: Mapped[Decimal] = money_column("imbalance_cents", default=Decimal(0))


class ClaimPayment(IdMixin, Base):
    """One CLP loop. Reversals (CLP02 = 22) and predeterminations (25) are kept and flagged;
    they never count as adjudications."""

    __tablename__ = "claim_payment"
    __table_args__ = (
        UniqueConstraint("remit_transaction_id", "seq"),
        Index(None, "pcn"),
        Index(None, "claim_id", "payer_id"),
    )
    remit_transaction_id: Mapped[int] = mapped_column(Id, ForeignKey("remit_transaction.id"))
    seq: Mapped[int]
    pcn: Mapped[str] = mapped_column(String)  # CLP01
    claim_id: Mapped[int | None] = mapped_column(Id, ForeignKey("claim.id"))
    payer_id: Mapped[int | None] = mapped_column(Id, ForeignKey("payer.id"))
    status_code: Mapped[str] = mapped_column(String)  # CLP02
    charge: Mapped[Decimal] = money_column("charge_cents")  # CLP03
    paid: Mapped[Decimal] = money_column("paid_cents")  # CLP04
    patient_responsibility: Mapped[Decimal] = money_column(
        "patient_responsibility_cents", default=Decimal(0)
    )  # CLP05
    filing_indicator: Mapped[str | None] = mapped_column(String)  # CLP06
    payer_claim_number: Mapped[str | None] = mapped_column(String)  # CLP07
    facility_code: Mapped[str | None] = mapped_column(String)  # CLP08
    frequency_code: Mapped[str | None] = mapped_column(String)  # CLP09
    is_reversal: Mapped[bool] = mapped_column(default=False)
    is_predetermination: Mapped[bool] = mapped_column(default=False)
    reverses_claim_payment_id: Mapped[int | None] = mapped_column(
        Id, ForeignKey("claim_payment.id")
    )
    orphan_reversal: Mapped[bool] = mapped_column(default=False)
    payer_sequence: Mapped[str | None] = mapped_column(String)
    # full | partial | zero_pay | none (KPI.md §2); null for reversals and predeterminations.
    denial_kind: Mapped[str | None] = mapped_column(String)
    denied: Mapped[Decimal] = money_column("denied_cents", default=Decimal(0))
    denial_category: Mapped[str | None] = mapped_column(String)
    carc_map_version: Mapped[int | None]
    balanced: Mapped[bool] = mapped_column(default=True)
    imbalance: Mapped[Decimal] = money_column("imbalance_cents", default=Decimal(0))
    service_from: Mapped[date | None]
    service_to: Mapped[date | None]


class ServiceLinePayment(IdMixin, Base):
    __tablename__ = "service_line_payment"
    __table_args__ = (UniqueConstraint("claim_payment_id", "seq"),)
    claim_payment_id: Mapped[int] = mapped_column(Id, ForeignKey("claim_payment.id"))
    seq: Mapped[int]
    procedure_qualifier: Mapped[str | None] = mapped_column(String)
    procedure_code: Mapped[str | None] = mapped_column(String)
    modifiers: Mapped[str | None] = mapped_column(String)
    revenue_code: Mapped[str | None] = mapped_column(String)
    charge: Mapped[Decimal] = money_column("charge_cents")  # SVC02
    paid: Mapped[Decimal] = money_column("paid_cents")  # SVC03
    units: Mapped[float | None]
    service_date: Mapped[date | None]
    balanced: Mapped[bool] = mapped_column(default=True)
    imbalance: Mapped[Decimal] = money_column("imbalance_cents", default=Decimal(0))


class Adjustment(IdMixin, Base):
    """One CAS triplet; ``service_line_payment_id`` set for line-level adjustments."""

    __tablename__ = "adjustment"
    __table_args__ = (UniqueConstraint("claim_payment_id", "seq"), Index(None, "carc"))
    claim_payment_id: Mapped[int] = mapped_column(Id, ForeignKey("claim_payment.id"))
    service_line_payment_id: Mapped[int | None] = mapped_column(
        Id, ForeignKey("service_line_payment.id")
    )
    seq: Mapped[int]
    level: Mapped[str] = mapped_column(String)  # claim | line
    group_code: Mapped[str] = mapped_column(String)  # CO PR OA PI CR
    carc: Mapped[str] = mapped_column(String)
    amount: Mapped[Decimal] = money_column("amount_cents")
    quantity: Mapped[float | None]


class ProviderAdjustment(IdMixin, Base):
    """PLB: positive = taken back from the provider, negative = paid to it (e.g. interest)."""

    __tablename__ = "provider_adjustment"
    __table_args__ = (UniqueConstraint("remit_transaction_id", "seq"),)
    remit_transaction_id: Mapped[int] = mapped_column(Id, ForeignKey("remit_transaction.id"))
    seq: Mapped[int]
    provider_identifier: Mapped[str | None] = mapped_column(String)
    fiscal_period_date: Mapped[date | None]
    reason_code: Mapped[str] = mapped_column(String)
    reference: Mapped[str | None] = mapped_column(String)
    amount: Mapped[Decimal] = money_column("amount_cents")


class RemarkCode(IdMixin, Base):
    __tablename__ = "remark_code"
    __table_args__ = (UniqueConstraint("claim_payment_id", "seq"),)
    claim_payment_id: Mapped[int] = mapped_column(Id, ForeignKey("claim_payment.id"))
    service_line_payment_id: Mapped[int | None] = mapped_column(
        Id, ForeignKey("service_line_payment.id")
    )
    seq: Mapped[int]
    source: Mapped[str] = mapped_column(String)  # LQ | MOA | MIA
    code: Mapped[str] = mapped_column(String)
