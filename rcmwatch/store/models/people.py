"""Patients and guarantors. The key is pseudonymous (a hash of the source's identifier — MRN
where the source has one, else payer + member id — never name + birth date, so duplicate patients
stay detectable); PHI lives in separate tables that pages read only through the masking seam."""

from __future__ import annotations

from datetime import date

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from rcmwatch.store.models.base import Base, CreatedMixin, IdMixin
from rcmwatch.store.types import Id


class Patient(IdMixin, CreatedMixin, Base):
    __tablename__ = "patient"
    patient_key: Mapped[str] = mapped_column(String(64), unique=True)
    key_kind: Mapped[str] = mapped_column(String(20))  # mrn | member_id | source_id
    source: Mapped[str] = mapped_column(String(40))


class PatientPhi(Base):
    __tablename__ = "patient_phi"
    patient_id: Mapped[int] = mapped_column(Id, ForeignKey("patient.id"), primary_key=True)
    mrn: Mapped[str | None] = mapped_column(String(40))
    member_id: Mapped[str | None] = mapped_column(String(80))
    member_payer_id: Mapped[int | None] = mapped_column(Id, ForeignKey("payer.id"))
    last_name: Mapped[str | None] = mapped_column(String(120))
    first_name: Mapped[str | None] = mapped_column(String(120))
    middle_name: Mapped[str | None] = mapped_column(String(120))
    birth_date: Mapped[date | None]
    sex: Mapped[str | None] = mapped_column(String(1))
    address_line: Mapped[str | None] = mapped_column(String(200))
    city: Mapped[str | None] = mapped_column(String(120))
    state: Mapped[str | None] = mapped_column(String(2))
    postal_code: Mapped[str | None] = mapped_column(String(15))


class Guarantor(IdMixin, CreatedMixin, Base):
    __tablename__ = "guarantor"
    guarantor_key: Mapped[str] = mapped_column(String(64), unique=True)
    patient_id: Mapped[int | None] = mapped_column(Id, ForeignKey("patient.id"), index=True)
    relationship: Mapped[str] = mapped_column(String(20), default="self")


class GuarantorPhi(Base):
    __tablename__ = "guarantor_phi"
    guarantor_id: Mapped[int] = mapped_column(Id, ForeignKey("guarantor.id"), primary_key=True)
    last_name: Mapped[str | None] = mapped_column(String(120))
    first_name: Mapped[str | None] = mapped_column(String(120))
    address_line: Mapped[str | None] = mapped_column(String(200))
    city: Mapped[str | None] = mapped_column(String(120))
    state: Mapped[str | None] = mapped_column(String(2))
    postal_code: Mapped[str | None] = mapped_column(String(15))
    phone: Mapped[str | None] = mapped_column(String(30))
