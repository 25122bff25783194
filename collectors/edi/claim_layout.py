"""Where each 837 value lives, and the frames the 837 flatteners produce (the ingest contract).

837P (005010X222A1/A2) and 837I (005010X223A2/A3) share the layout read here; what differs is
named below. ``claim_type`` is ``P`` when the implementation (ST03, else GS08) names X222 (or
4010's X098), ``I`` for X223 (X096); otherwise it is null and the file gets a warning
(:mod:`collectors.edi.guides`).

Hierarchy (both flatteners, per transaction). HL levels are read by their HL03 code and their
order, not by their parent pointers, so files with repeated or wrong HL ids still flatten:

- ``HL*..*20`` starts a billing provider (2000A) and ends any subscriber and patient;
  ``HL*..*22`` starts a subscriber (2000B) under the latest billing provider and ends any patient;
  ``HL*..*23`` starts a patient (2000C) under the latest subscriber. A claim (CLM, 2300) belongs
  to the HL it follows: under a 23 the patient differs from the subscriber; under a 22 the
  subscriber is the patient (``patient_is_subscriber``; the patient columns then repeat the
  subscriber's name, birth date and sex). Several claims may follow one HL.
- Warnings (never failures): an HL level other than 20/22/23 (its segments are not attributed;
  claims after it keep the levels above), a 22 without a 20 or a 23 without a 22 above it, an HL02
  naming another parent than the HL it follows, an HL id repeated in its transaction, a CLM not
  under a subscriber or patient.

Loop context of a segment: ``scope`` is the level of the latest HL (``""`` before the first);
a segment is *in a claim* from its CLM to the next HL, CLM or SE; within a claim, ``part`` is the
latest of CLM (2300/2310), SBR (2320/2330, other payers) and LX (2400, lines); ``loop`` is the
latest loop marker of all (ST, HL, CLM, SBR, LX, SE, and NM1 with its entity code, e.g. ``NM185``).

Values (the first occurrence in its loop wins, as in the 835 layout):

- Transaction: BHT02–06; submitter = NM1*41 (1000A), receiver = NM1*40 (1000B), before the first HL.
- Billing provider (scope 20, not in a claim): NM1*85 (name NM103; NPI = NM109 when NM108 = XX),
  REF*EI in its loop (tax id), pay-to NM1*87 (NPI = NM109 when NM108 = XX; 5010 sends none).
- Subscriber (scope 22): SBR01/02/03/09, NM1*IL (member id NM109, NM103, NM104), DMG in the
  NM1*IL loop (DMG02 birth date, DMG03 sex), payer = NM1*PR (2010BB: NM109 id, NM103 name).
- Patient (scope 23): PAT01, NM1*QC (NM103, NM104), DMG in the NM1*QC loop.
- Claim: CLM01, CLM02, CLM05-1/2/3; at claim level (loop CLM): REF*F8, REF*G1, REF*D9,
  DTP*472 (837P service date), DTP*434 (837I statement dates), DTP*435 (admission; DT keeps the
  date); in 2310 (part CLM): NM1*77 service facility (837P 2310C, 837I 2310E; NPI when NM108 = XX,
  name NM103), NM1*82 rendering and NM1*71 attending provider NPIs. An NM1*77 after an SBR is
  the other payer's service facility (2330E/2330F), not the claim's.
- Service dates of a claim: DTP*434 (837I) or claim-level DTP*472 (837P), else the earliest and
  latest service date of its lines.
- Lines: each SV1 (professional) or SV2 (institutional) in a claim; LX01 of its LX (null with a
  warning when the SV1/SV2 is not in an LX loop); DTP*472 and REF*6R in the LX loop (loop LX).
- Diagnoses: HI01–HI12 of the HI segments at claim level (part CLM), in file order, composites
  whose qualifier is in :data:`DIAGNOSIS_QUALIFIERS` (occurrence, value, condition and procedure
  codes are not diagnoses and are skipped); HIxx-9 is the present-on-admission indicator (837I).
  An HI element that is not a qualifier:code composite is skipped with a warning.
- Other payers: each SBR in a claim (2320); AMT*D in its loop (paid); NM1*IL (2330A) and NM1*PR
  (2330B) in it.

Frames (money in integer cents, Int64; dates ``pl.Date``; times and codes as sent; text trimmed,
empty → null; ``*_index`` columns are 0-based ordinals in the file; ``segment_number`` is the
1-based number of the row's first segment, a stable key within a file):

``transactions`` — one row per 837 ST/SE
    transaction_index, interchange_index, group_index, segment_number (of the ST),
    transaction_control_number (ST02), implementation (ST03, else GS08),
    interchange_control_number (ISA13), interchange_sender_id (ISA06), interchange_receiver_id
    (ISA08), interchange_version (ISA12), usage_indicator (ISA15), is_test (ISA15 = T),
    group_control_number (GS06), group_sender_id (GS02), group_receiver_id (GS03), group_date
    (GS04), group_time (GS05), group_version (GS08), is_4010, claim_type ("P" | "I" | null),
    bht_purpose (BHT02: 00 original, 18 reissue), bht_reference (BHT03), bht_date (BHT04),
    bht_time (BHT05), bht_type (BHT06: CH chargeable, RP reporting), submitter_name /
    submitter_id (1000A NM103/NM109), receiver_name / receiver_id (1000B NM103/NM109),
    claim_count (CLM loops), billing_provider_count / subscriber_count / patient_count (HL
    loops of level 20 / 22 / 23).

``claims`` — one row per CLM
    claim_index, transaction_index, segment_number, patient_control_number (CLM01),
    charge_cents (CLM02), facility_code (CLM05-1: place of service, or the facility type of the
    bill type), facility_code_qualifier (CLM05-2), frequency_code (CLM05-3: 1 original,
    7 replacement, 8 void), billing_provider_index / subscriber_index / patient_index (0-based
    ordinals in the file of the claim's 2000A / 2000B / 2000C loops: the claims of one billing
    provider share its index), billing_provider_hl / subscriber_hl / patient_hl (their HL01),
    billing_npi, billing_tax_id, billing_name, pay_to_npi,
    service_facility_npi, service_facility_name, rendering_npi, attending_npi,
    payer_id (2010BB NM109), payer_name (NM103), payer_responsibility (SBR01 as sent: P, S, T,
    A..H, U), subscriber_relationship (SBR02), subscriber_group_number (SBR03),
    claim_filing_indicator (SBR09), subscriber_member_id (2010BA NM109),
    subscriber_last_name, subscriber_first_name, subscriber_birth_date, subscriber_sex,
    patient_is_subscriber (no 2000C), patient_last_name, patient_first_name,
    patient_birth_date, patient_sex, patient_relationship (PAT01; null without 2000C),
    original_payer_claim_number (REF*F8), prior_authorization (REF*G1),
    clearinghouse_claim_number (REF*D9), service_date_from, service_date_to,
    admission_date (DTP*435), line_count (SV1/SV2 lines).

``service_lines`` — one row per SV1/SV2 in a claim
    line_index, claim_index, transaction_index, segment_number, line_number (LX01),
    kind ("professional" SV1 | "institutional" SV2), procedure_qualifier, procedure_code,
    modifier_1..modifier_4 (SV101 / SV202 components 1–6), revenue_code (SV201),
    charge_cents (SV102 / SV203), unit_basis (SV103 / SV204), units (SV104 / SV205, as sent),
    place_of_service (SV105), diagnosis_pointers (SV107, components joined with ":"),
    service_date_from, service_date_to (DTP*472), line_control_number (REF*6R).

``diagnoses`` — one row per diagnosis composite
    claim_index, transaction_index, segment_number (of the HI), element ("HI01".."HI12"),
    seq (1-based within the claim, in file order), qualifier (ABK, ABF, ABJ, APR, ABN, BK, BF,
    ...), code, present_on_admission (HIxx-9).

``other_payers`` — one row per 2320 loop
    claim_index, transaction_index, segment_number (of the SBR), seq (1-based within the claim),
    payer_responsibility (SBR01), subscriber_relationship (SBR02), claim_filing_indicator
    (SBR09), payer_id (2330B NM109), payer_name (2330B NM103), paid_cents (AMT*D),
    subscriber_member_id (2330A NM109), subscriber_last_name (NM103), subscriber_first_name
    (NM104).
"""

from __future__ import annotations

import polars as pl

from collectors.edi.fields import Field
from collectors.edi.hierarchy import Hierarchy
from collectors.edi.remittance_frames import ENVELOPE_COLUMNS
from collectors.edi.remittance_layout import TRANSACTION_SCHEMA as _REMIT_TRANSACTIONS

TAGS = (
    "ST", "SE", "BHT", "HL", "NM1", "REF", "SBR", "DMG", "PAT", "CLM", "DTP", "HI", "LX", "SV1",
    "SV2", "AMT",
)  # fmt: skip
LOOP_TAGS = ("ST", "HL", "CLM", "SBR", "LX", "SE")  # + NM1, as NM1<entity>
CLAIM_BOUNDARY_TAGS = ("ST", "HL", "CLM", "SE")
PART_TAGS = ("CLM", "SBR", "LX")
LINE_TAGS = ("SV1", "SV2")
LINE_KINDS = {"SV1": "professional", "SV2": "institutional"}

BILLING_LEVEL, SUBSCRIBER_LEVEL, PATIENT_LEVEL = "20", "22", "23"
HL_LEVELS = (BILLING_LEVEL, SUBSCRIBER_LEVEL, PATIENT_LEVEL)
# Per level: the claims frame's index column and the transactions frame's count column.
LEVEL_COLUMNS = {
    BILLING_LEVEL: ("billing_provider_index", "billing_provider_count"),
    SUBSCRIBER_LEVEL: ("subscriber_index", "subscriber_count"),
    PATIENT_LEVEL: ("patient_index", "patient_count"),
}
HIERARCHY = Hierarchy(
    HL_LEVELS,
    {BILLING_LEVEL: "billing provider", SUBSCRIBER_LEVEL: "subscriber", PATIENT_LEVEL: "patient"},
)

PROFESSIONAL, INSTITUTIONAL = "P", "I"
CLAIM_TYPES = {
    "X222": PROFESSIONAL,
    "X098": PROFESSIONAL,
    "X223": INSTITUTIONAL,
    "X096": INSTITUTIONAL,
}

DIAGNOSIS_QUALIFIERS = ("ABK", "ABF", "ABJ", "ABN", "APR", "BK", "BF", "BJ", "BN", "PR")
HI_ELEMENTS = 12

BHT_FIELDS = (
    Field("bht_purpose", 2),
    Field("bht_reference", 3),
    Field("bht_date", 4, "date"),
    Field("bht_time", 5),
    Field("bht_type", 6),
)
PARTY_FIELDS = (Field("name", 3), Field("id", 9))  # NM1*41 submitter, NM1*40 receiver
SBR_FIELDS = (
    Field("payer_responsibility", 1),
    Field("subscriber_relationship", 2),
    Field("subscriber_group_number", 3),
    Field("claim_filing_indicator", 9),
)
PERSON_FIELDS = (Field("member_id", 9), Field("last_name", 3), Field("first_name", 4))
DMG_FIELDS = (Field("birth_date", 2, "date"), Field("sex", 3))
PAYER_FIELDS = (Field("payer_id", 9), Field("payer_name", 3))
PATIENT_FIELDS = PERSON_FIELDS[1:]  # NM1*QC: names (the member id is the subscriber's)
PARTIES = {"41": "submitter_", "40": "receiver_"}  # NM1 entity → column prefix (1000A/B)
SUBSCRIBER_PARTIES = {"IL": (PERSON_FIELDS, "subscriber_"), "PR": (PAYER_FIELDS, "")}
OTHER_PAYER_PARTIES = SUBSCRIBER_PARTIES  # 2330A / 2330B
CLM_FIELDS = (
    Field("patient_control_number", 1),
    Field("charge_cents", 2, "money"),
    Field("facility_code", 5, component=1),
    Field("facility_code_qualifier", 5, component=2),
    Field("frequency_code", 5, component=3),
)
CLM_REQUIRED = (1, 2)
CLAIM_REFS = {
    "F8": "original_payer_claim_number",
    "G1": "prior_authorization",
    "D9": "clearinghouse_claim_number",
}
# Claim-level periods: DTP01 → columns of its (from, to) dates.
CLAIM_PERIODS = {
    "472": ("claim_date_from", "claim_date_to"),  # 837P
    "434": ("statement_date_from", "statement_date_to"),  # 837I
    "435": ("admission_date", "admission_date_to"),
}
CLAIM_PROVIDERS = {  # NM1 entity code at claim level (2310) → columns
    "77": ("service_facility_npi", "service_facility_name"),
    "82": ("rendering_npi", None),
    "71": ("attending_npi", None),
}
PROCEDURE_COMPONENTS = (
    ("procedure_qualifier", 1),
    ("procedure_code", 2),
    ("modifier_1", 3),
    ("modifier_2", 4),
    ("modifier_3", 5),
    ("modifier_4", 6),
)
SV1_FIELDS = (
    Field("charge_cents", 2, "money"),
    Field("unit_basis", 3),
    Field("units", 4),
    Field("place_of_service", 5),
)
SV1_PROCEDURE, SV1_POINTERS = 1, 7
SV2_FIELDS = (
    Field("revenue_code", 1),
    Field("charge_cents", 3, "money"),
    Field("unit_basis", 4),
    Field("units", 5),
)
SV2_PROCEDURE = 2
LINE_DATE = "472"
LINE_CONTROL_REF = "6R"
OTHER_PAYER_SBR_FIELDS = (
    Field("payer_responsibility", 1),
    Field("subscriber_relationship", 2),
    Field("claim_filing_indicator", 9),
)
PAID_AMOUNT = Field("paid_cents", 2, "money")  # AMT*D in 2320

_I, _S, _D, _B = pl.Int64, pl.String, pl.Date, pl.Boolean

TRANSACTION_SCHEMA: dict[str, pl.DataType] = {
    "transaction_index": _I,
    **{c: _REMIT_TRANSACTIONS[c] for c in ENVELOPE_COLUMNS[:3]},
    "transaction_control_number": _S,
    "implementation": _S,
    **{c: _REMIT_TRANSACTIONS[c] for c in ENVELOPE_COLUMNS[4:]},
    "claim_type": _S,
    "bht_purpose": _S, "bht_reference": _S, "bht_date": _D, "bht_time": _S, "bht_type": _S,
    "submitter_name": _S, "submitter_id": _S, "receiver_name": _S, "receiver_id": _S,
    "claim_count": _I, "billing_provider_count": _I, "subscriber_count": _I,
    "patient_count": _I,
}  # fmt: skip

CLAIM_SCHEMA: dict[str, pl.DataType] = {
    "claim_index": _I, "transaction_index": _I, "segment_number": _I,
    "patient_control_number": _S, "charge_cents": _I, "facility_code": _S,
    "facility_code_qualifier": _S, "frequency_code": _S, "billing_provider_index": _I,
    "subscriber_index": _I, "patient_index": _I, "billing_provider_hl": _S, "subscriber_hl": _S,
    "patient_hl": _S,
    "billing_npi": _S, "billing_tax_id": _S, "billing_name": _S, "pay_to_npi": _S,
    "service_facility_npi": _S, "service_facility_name": _S, "rendering_npi": _S,
    "attending_npi": _S, "payer_id": _S, "payer_name": _S, "payer_responsibility": _S,
    "subscriber_relationship": _S, "subscriber_group_number": _S, "claim_filing_indicator": _S,
    "subscriber_member_id": _S, "subscriber_last_name": _S, "subscriber_first_name": _S,
    "subscriber_birth_date": _D, "subscriber_sex": _S, "patient_is_subscriber": _B,
    "patient_last_name": _S, "patient_first_name": _S, "patient_birth_date": _D,
    "patient_sex": _S, "patient_relationship": _S, "original_payer_claim_number": _S,
    "prior_authorization": _S, "clearinghouse_claim_number": _S, "service_date_from": _D,
    "service_date_to": _D, "admission_date": _D, "line_count": _I,
}  # fmt: skip

LINE_SCHEMA: dict[str, pl.DataType] = {
    "line_index": _I, "claim_index": _I, "transaction_index": _I, "segment_number": _I,
    "line_number": _I, "kind": _S, **{name: _S for name, _ in PROCEDURE_COMPONENTS},
    "revenue_code": _S, "charge_cents": _I, "unit_basis": _S, "units": _S,
    "place_of_service": _S, "diagnosis_pointers": _S, "service_date_from": _D,
    "service_date_to": _D, "line_control_number": _S,
}  # fmt: skip

DIAGNOSIS_SCHEMA: dict[str, pl.DataType] = {
    "claim_index": _I, "transaction_index": _I, "segment_number": _I, "element": _S, "seq": _I,
    "qualifier": _S, "code": _S, "present_on_admission": _S,
}  # fmt: skip

OTHER_PAYER_SCHEMA: dict[str, pl.DataType] = {
    "claim_index": _I, "transaction_index": _I, "segment_number": _I, "seq": _I,
    "payer_responsibility": _S, "subscriber_relationship": _S, "claim_filing_indicator": _S,
    "payer_id": _S, "payer_name": _S, "paid_cents": _I, "subscriber_member_id": _S,
    "subscriber_last_name": _S, "subscriber_first_name": _S,
}  # fmt: skip

SCHEMAS: dict[str, dict[str, pl.DataType]] = {
    "transactions": TRANSACTION_SCHEMA,
    "claims": CLAIM_SCHEMA,
    "service_lines": LINE_SCHEMA,
    "diagnoses": DIAGNOSIS_SCHEMA,
    "other_payers": OTHER_PAYER_SCHEMA,
}
