"""The claim side: encounters, claims (one per patient control number) and the versions of each
claim as submitted in 837s, their lines, diagnoses and other-payer loops; submissions (one 837
transaction set each) and what the clearinghouse and payer answered (999 sets, 277CA statuses)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from rcmwatch.store.models.base import Base, CreatedMixin, IdMixin, money_column
from rcmwatch.store.types import Id, UTCDateTime


class Encounter(IdMixin, Base):
    __tablename__ = "encounter"
    __table_args__ = (UniqueConstraint("source", "source_key"),)
    source: Mapped[str] = mapped_column(String)
    source_key: Mapped[str] = mapped_column(String)
    patient_id: Mapped[int | None] = mapped_column(Id, ForeignKey("patient.id"), index=True)
    facility_id: Mapped[int | None] = mapped_column(Id, ForeignKey("facility.id"))
    encounter_class: Mapped[str | None] = mapped_column(String)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attending_npi: Mapped[str | None] = mapped_column(String)
    billed: Mapped[bool] = mapped_column(default=False)


class Submission(IdMixin, Base):
    """One 837 transaction set (ST..SE) and its envelope: what a 999 acknowledges."""

    __tablename__ = "submission"
    __table_args__ = (
        UniqueConstraint("inbound_file_id", "seq"),
        # 999 → 837: sender/receiver swapped, GS06 = AK1-02, ST02 = AK2-02.
        Index(
            "ix_submission_ack_link",
            "interchange_sender",
            "interchange_receiver",
            "gs_control",
            "st_control",
        ),
        Index(None, "bht_reference"),
    )
    inbound_file_id: Mapped[int] = mapped_column(Id, ForeignKey("inbound_file.id"))
    seq: Mapped[int]
    interchange_sender: Mapped[str] = mapped_column(String)
    interchange_receiver: Mapped[str] = mapped_column(String)
    interchange_control: Mapped[str] = mapped_column(String)
    is_test: Mapped[bool] = mapped_column(default=False)
    gs_sender: Mapped[str] = mapped_column(String)
    gs_receiver: Mapped[str] = mapped_column(String)
    gs_control: Mapped[str] = mapped_column(String)
    gs_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    st_control: Mapped[str] = mapped_column(String)
    implementation: Mapped[str | None] = mapped_column(String)  # GS08 / ST03
    bht_reference: Mapped[str | None] = mapped_column(String)  # BHT03
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)  # BHT04, else GS04
    claim_type: Mapped[str] = mapped_column(String)  # P professional | I institutional
    claim_count: Mapped[int] = mapped_column(default=0)


class Claim(IdMixin, CreatedMixin, Base):
    """A claim as KPIs count it: one per patient control number (837 CLM01 = 835 CLP01)."""

    __tablename__ = "claim"
    pcn: Mapped[str] = mapped_column(String, unique=True)
    claim_type: Mapped[str | None] = mapped_column(String)
    patient_id: Mapped[int | None] = mapped_column(Id, ForeignKey("patient.id"), index=True)
    encounter_id: Mapped[int | None] = mapped_column(Id, ForeignKey("encounter.id"))
    facility_id: Mapped[int | None] = mapped_column(Id, ForeignKey("facility.id"), index=True)
    payer_id: Mapped[int | None] = mapped_column(Id, ForeignKey("payer.id"), index=True)
    first_submission_id: Mapped[int | None] = mapped_column(Id, ForeignKey("submission.id"))
    first_submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    service_from: Mapped[date | None]
    voided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    is_test: Mapped[bool] = mapped_column(default=False)


class ClaimVersion(IdMixin, Base):
    """One CLM loop as submitted: originals (CLM05-3 = 1), replacements (7) and voids (8)."""

    __tablename__ = "claim_version"
    __table_args__ = (UniqueConstraint("submission_id", "seq"),)
    claim_id: Mapped[int] = mapped_column(Id, ForeignKey("claim.id"), index=True)
    submission_id: Mapped[int] = mapped_column(Id, ForeignKey("submission.id"))
    seq: Mapped[int]
    frequency_code: Mapped[str] = mapped_column(String)
    replaces_version_id: Mapped[int | None] = mapped_column(Id, ForeignKey("claim_version.id"))
    original_payer_claim_number: Mapped[str | None] = mapped_column(String)  # REF*F8
    charge: Mapped[Decimal] = money_column("charge_cents")
    facility_code: Mapped[str | None] = mapped_column(String)  # CLM05-1: POS or bill type
    billing_npi: Mapped[str | None] = mapped_column(String)
    billing_tax_id: Mapped[str | None] = mapped_column(String)
    pay_to_npi: Mapped[str | None] = mapped_column(String)
    service_facility_npi: Mapped[str | None] = mapped_column(String)
    facility_id: Mapped[int | None] = mapped_column(Id, ForeignKey("facility.id"))
    payer_id: Mapped[int | None] = mapped_column(Id, ForeignKey("payer.id"))
    payer_sequence: Mapped[str | None] = mapped_column(String)  # primary|secondary|tertiary
    patient_id: Mapped[int | None] = mapped_column(Id, ForeignKey("patient.id"))
    subscriber_relationship: Mapped[str | None] = mapped_column(String)
    service_from: Mapped[date | None]
    service_to: Mapped[date | None]


class ClaimLine(IdMixin, Base):
    __tablename__ = "claim_line"
    __table_args__ = (UniqueConstraint("claim_version_id", "line_number"),)
    claim_version_id: Mapped[int] = mapped_column(Id, ForeignKey("claim_version.id"))
    line_number: Mapped[int]
    procedure_qualifier: Mapped[str | None] = mapped_column(String)
    procedure_code: Mapped[str | None] = mapped_column(String)
    modifiers: Mapped[str | None] = mapped_column(String)  # comma-separated, in order
    revenue_code: Mapped[str | None] = mapped_column(String)
    charge: Mapped[Decimal] = money_column("charge_cents")
    units: Mapped[float | None]  # a quantity, not money
    service_date: Mapped[date | None]


class Diagnosis(IdMixin, Base):
    __tablename__ = "diagnosis"
    __table_args__ = (UniqueConstraint("claim_version_id", "seq"),)
    claim_version_id: Mapped[int] = mapped_column(Id, ForeignKey("claim_version.id"))
    seq: Mapped[int]
    qualifier: Mapped[str] = mapped_column(String)  # ABK principal, ABF other, ABJ, APR...
    code: Mapped[str] = mapped_column(String)
    present_on_admission: Mapped[str | None] = mapped_column(String)


class ClaimOtherPayer(IdMixin, Base):
    """2320/2330 loops: other payers of the claim (coordination of benefits)."""

    __tablename__ = "claim_other_payer"
    __table_args__ = (UniqueConstraint("claim_version_id", "seq"),)
    claim_version_id: Mapped[int] = mapped_column(Id, ForeignKey("claim_version.id"))
    seq: Mapped[int]
    payer_sequence: Mapped[str | None] = mapped_column(String)
    payer_name: Mapped[str | None] = mapped_column(String)
    payer_identifier: Mapped[str | None] = mapped_column(String)
    paid: Mapped[Decimal | None] = money_column("paid_cents")


class AckSet(IdMixin, Base):
    """A 999's answer for one 837 transaction set (AK2/IK5), or for a whole group when the 999
    has no AK2 loops (AK9 then accepts or rejects every set in it)."""

    __tablename__ = "ack_set"
    __table_args__ = (
        UniqueConstraint("inbound_file_id", "seq"),
        Index(None, "interchange_sender", "interchange_receiver", "ak1_group_control"),
    )
    inbound_file_id: Mapped[int] = mapped_column(Id, ForeignKey("inbound_file.id"))
    seq: Mapped[int]
    interchange_sender: Mapped[str] = mapped_column(String)
    interchange_receiver: Mapped[str] = mapped_column(String)
    gs_sender: Mapped[str | None] = mapped_column(String)  # the 999's GS02
    gs_receiver: Mapped[str | None] = mapped_column(String)  # the 999's GS03
    is_test: Mapped[bool] = mapped_column(default=False)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # the 999's GS04/05
    ak1_functional_id: Mapped[str | None] = mapped_column(String)
    ak1_group_control: Mapped[str | None] = mapped_column(String)
    ak2_set_id: Mapped[str | None] = mapped_column(String)
    ak2_set_control: Mapped[str | None] = mapped_column(String)
    ik5_code: Mapped[str | None] = mapped_column(String)  # A E R M W X
    ak9_code: Mapped[str | None] = mapped_column(String)  # A E P R
    # pending (no 837 found yet) | linked | ambiguous (several candidates: a warning, no pick)
    link_status: Mapped[str] = mapped_column(String, default="pending")


class AckLink(Base):
    """Which 837 submissions a 999 answer applies to: one for an AK2/IK5 set answer, every set of
    the group for a group-level answer (a 999 with AK9 and no AK2 loops). Filled by ingest's
    linker whenever either side arrives."""

    __tablename__ = "ack_link"
    ack_set_id: Mapped[int] = mapped_column(Id, ForeignKey("ack_set.id"), primary_key=True)
    submission_id: Mapped[int] = mapped_column(
        Id, ForeignKey("submission.id"), primary_key=True, index=True
    )


class AckError(IdMixin, Base):
    """IK3/IK4/CTX error detail of a 999 set."""

    __tablename__ = "ack_error"
    __table_args__ = (UniqueConstraint("ack_set_id", "seq"),)
    ack_set_id: Mapped[int] = mapped_column(Id, ForeignKey("ack_set.id"))
    seq: Mapped[int]
    segment_id: Mapped[str | None] = mapped_column(String)
    segment_position: Mapped[int | None]
    loop_id: Mapped[str | None] = mapped_column(String)
    segment_error_code: Mapped[str | None] = mapped_column(String)
    element_position: Mapped[str | None] = mapped_column(String)
    element_reference: Mapped[str | None] = mapped_column(String)
    element_error_code: Mapped[str | None] = mapped_column(String)
    bad_data: Mapped[str | None] = mapped_column(Text)
    context: Mapped[str | None] = mapped_column(Text)


class ClaimStatus(IdMixin, Base):
    """A 277CA status at one HL level (20 source, 21 receiver, 19 provider, PT claim)."""

    __tablename__ = "claim_status"
    __table_args__ = (
        UniqueConstraint("inbound_file_id", "seq"),
        Index(None, "pcn"),
        Index(None, "trn_reference"),
    )
    inbound_file_id: Mapped[int] = mapped_column(Id, ForeignKey("inbound_file.id"))
    seq: Mapped[int]
    is_test: Mapped[bool] = mapped_column(default=False)
    hl_id: Mapped[str] = mapped_column(String)
    hl_parent_id: Mapped[str | None] = mapped_column(String)
    hl_level: Mapped[str] = mapped_column(String)  # 20 | 21 | 19 | PT
    entity_identifier: Mapped[str | None] = mapped_column(String)
    trn_reference: Mapped[str | None] = mapped_column(String)  # TRN02
    # TRN02 of the receiver-level (21) HL above: the 837's BHT03, naming the submission.
    batch_reference: Mapped[str | None] = mapped_column(String)
    pcn: Mapped[str | None] = mapped_column(String)  # TRN02 at claim level
    payer_claim_number: Mapped[str | None] = mapped_column(String)  # REF*1K
    status_category: Mapped[str | None] = mapped_column(String)  # STC01-1
    status_code: Mapped[str | None] = mapped_column(String)  # STC01-2
    entity_code: Mapped[str | None] = mapped_column(String)  # STC01-3
    status_date: Mapped[date | None]  # STC02
    action_code: Mapped[str | None] = mapped_column(String)  # STC03
    amount: Mapped[Decimal | None] = money_column("amount_cents")  # STC04
    reported_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Claim-level rows: a rejection (A3, A4, A6, A7, A8) at a level above this claim in the
    # same 277CA, which rejects this claim too (KPI.md §1).
    rejected_above: Mapped[bool] = mapped_column(default=False)
    claim_id: Mapped[int | None] = mapped_column(Id, ForeignKey("claim.id"), index=True)
    submission_id: Mapped[int | None] = mapped_column(Id, ForeignKey("submission.id"))
    detail: Mapped[str | None] = mapped_column(Text)
