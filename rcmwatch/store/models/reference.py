"""Reference data: facilities and their NPIs, payers and their identifiers, fee schedules,
users and roles."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from rcmwatch.store.models.base import Base, CreatedMixin, IdMixin, money_column
from rcmwatch.store.types import Id

FACILITY_KINDS = ("hospital", "clinic", "business_office", "other")
PAYER_CLASSES = ("medicare", "medicaid", "commercial", "self_pay", "other")


class Facility(IdMixin, CreatedMixin, Base):
    __tablename__ = "facility"
    code: Mapped[str] = mapped_column(String, unique=True)
    name: Mapped[str] = mapped_column(String)
    kind: Mapped[str] = mapped_column(String, default="other")
    go_live_date: Mapped[date | None]


class FacilityNpi(Base):
    """NPI → facility (KPI.md: a claim's facility is its service facility, else billing NPI)."""

    __tablename__ = "facility_npi"
    npi: Mapped[str] = mapped_column(String, primary_key=True)
    facility_id: Mapped[int] = mapped_column(Id, ForeignKey("facility.id"), index=True)
    role: Mapped[str] = mapped_column(String, default="any")


class Payer(IdMixin, CreatedMixin, Base):
    __tablename__ = "payer"
    code: Mapped[str] = mapped_column(String, unique=True)
    name: Mapped[str] = mapped_column(String)
    payer_class: Mapped[str] = mapped_column(String, default="other")
    timely_filing_days: Mapped[int | None]
    appeal_limit_days: Mapped[int | None]
    # seed | ingest | collector | import: ingest adds unknown payer ids instead of dropping them,
    # and `payer_not_in_table` lists those until someone maps them.
    origin: Mapped[str] = mapped_column(String, default="seed")
    needs_mapping: Mapped[bool] = mapped_column(default=False)


class PayerIdentifier(IdMixin, Base):
    """The ids a payer is known by: 837 2010BB NM109, 835 N1*PR04 / REF*2U / TRN03, ERP codes."""

    __tablename__ = "payer_identifier"
    __table_args__ = (UniqueConstraint("kind", "value"),)
    payer_id: Mapped[int] = mapped_column(Id, ForeignKey("payer.id"), index=True)
    kind: Mapped[str] = mapped_column(String)
    value: Mapped[str] = mapped_column(String)


class FeeScheduleEntry(IdMixin, Base):
    """Expected allowed amount per code (contract terms), for underpayment detection."""

    __tablename__ = "fee_schedule_entry"
    __table_args__ = (
        UniqueConstraint(
            "payer_id",
            "claim_type",
            "code_system",
            "code",
            "modifier",
            "effective_from",
            name="uq_fee_schedule_entry_key",
        ),
    )
    payer_id: Mapped[int] = mapped_column(Id, ForeignKey("payer.id"))
    # P professional | I institutional | '' any: facility and professional fees for one code differ.
    claim_type: Mapped[str] = mapped_column(String, default="")
    code_system: Mapped[str] = mapped_column(String)  # CPT | HCPCS | REV
    code: Mapped[str] = mapped_column(String)
    modifier: Mapped[str] = mapped_column(String, default="")
    expected_allowed: Mapped[Decimal] = money_column("expected_allowed_cents")
    effective_from: Mapped[date]
    effective_to: Mapped[date | None]


class AppUser(IdMixin, CreatedMixin, Base):
    __tablename__ = "app_user"
    username: Mapped[str] = mapped_column(String, unique=True)
    display_name: Mapped[str] = mapped_column(String)
    password_hash: Mapped[str | None] = mapped_column(String)
    active: Mapped[bool] = mapped_column(default=True)
    is_demo: Mapped[bool] = mapped_column(default=False)


class Role(Base):
    __tablename__ = "role"
    name: Mapped[str] = mapped_column(String, primary_key=True)
    description: Mapped[str] = mapped_column(String)


class UserRole(Base):
    __tablename__ = "user_role"
    user_id: Mapped[int] = mapped_column(Id, ForeignKey("app_user.id"), primary_key=True)
    role_name: Mapped[str] = mapped_column(String, ForeignKey("role.name"), primary_key=True)


class UserFacility(Base):
    """Facility scoping: a user with rows here sees only those facilities; none = all."""

    __tablename__ = "user_facility"
    user_id: Mapped[int] = mapped_column(Id, ForeignKey("app_user.id"), primary_key=True)
    facility_id: Mapped[int] = mapped_column(Id, ForeignKey("facility.id"), primary_key=True)
