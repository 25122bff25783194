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
    patient_key: Mapped[str] = mapped_column(String, unique=True)
    key_kind: Mapped[str] = mapped_column(String)  # mrn | member_id | source_id
    source: Mapped[str] = mapped_column(String)


class PatientPhi(Base):
    __tablename__ = "patient_phi"
    patient_id: Mapped[int] = mapped_column(Id, ForeignKey("patient.id"), primary_key=True)
    mrn: Mapped[str | None] = mapped_column(String)
    member_id: Mapped[str | None] = mapped_column(String)
    member_payer_id: Mapped[int | None] = mapped_column(Id, ForeignKey("payer.id"))
    last_name: Mapped[str | None] = mapped_column(String)
    first_name: Mapped[str | None] = mapped_column(String)
    middle_name: Mapped[str | None] = mapped_column(String)
    birth_date: Mapped[date | None]
    sex: Mapped[str | None] = mapped_column(String)
    address_line: Mapped[str | None] = mapped_column(String)
    city: Mapped[str | None] = mapped_column(String)
    state: Mapped[str | None] = mapped_column(String)
    postal_code: Mapped[str | None] = mapped_column(String)


class Guarantor(IdMixin, CreatedMixin, Base):
    __tablename__ = "guarantor"
    guarantor_key: Mapped[str] = mapped_column(String, unique=True)
    patient_id: Mapped[int | None] = mapped_column(Id, ForeignKey("patient.id"), index=True)
    relationship: Mapped[str] = mapped_column(String, default="self")


class GuarantorPhi(Base):
    __tablename__ = "guarantor_phi"
    guarantor_id: Mapped[int] = mapped_column(Id, ForeignKey("guarantor.id"), primary_key=True)
    last_name: Mapped[str | None] = mapped_column(String)
    first_name: Mapped[str | None] = mapped_column(String)
    address_line: Mapped[str | None] = mapped_column(String)
    city: Mapped[str | None] = mapped_column(String)
    state: Mapped[str | None] = mapped_column(String)
    postal_code: Mapped[str | None] = mapped_column(String)
    phone: Mapped[str | None] = mapped_column(String)
