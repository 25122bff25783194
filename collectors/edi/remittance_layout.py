"""Where each 835 value lives, and the frames the 835 flatteners produce (the ingest contract).

Loop context (both flatteners, per transaction, over the segments listed in :data:`TAGS`):

- ``loop`` is the latest *loop marker* (:data:`LOOP_TAGS`: ST, N1, LX, TS3, TS2, CLP, SVC, PLB, SE).
- A segment is *in a claim* when the latest marker other than SVC is a CLP; *in a line* when, in a
  claim, the latest marker is an SVC. CAS/NM1/DTM/REF/AMT/LQ/MOA/MIA are attributed by this:
  a CAS in a line is line-level, else claim-level; outside a claim it is ignored with a warning.
- Header values are the first occurrence in the transaction: BPR, TRN, DTM*405, N1*PR (+ REF*2U
  in the payer's N1 loop), N1*PE (+ REF*TJ in the payee's N1 loop). Claim values: the first
  NM1*QC, DTM*232/233/050 at claim level. Line values: the first DTM*150/472 (start),
  DTM*151/472 (end), REF*6R and AMT*B6 in the line.

Frames (all money in integer cents, Int64, never float; dates are ``pl.Date``; text is trimmed,
empty → null; ``*_index`` columns are 0-based ordinals in the file and, with ``segment_number``,
the stable join keys within a file — a store adds a file id to make them global):

``transactions`` — one row per 835 ST/SE
    transaction_index, interchange_index, group_index, segment_number (of the ST),
    transaction_control_number (ST02), interchange_control_number (ISA13),
    interchange_sender_id (ISA06), interchange_receiver_id (ISA08), interchange_version (ISA12),
    usage_indicator (ISA15), is_test (ISA15 = T), group_control_number (GS06),
    group_sender_id (GS02), group_receiver_id (GS03), group_date (GS04), group_time (GS05),
    group_version (GS08), is_4010 (GS08 004010..., or ISA12 00401 without GS08),
    handling_code (BPR01), payment_cents (BPR02, signed), credit_debit_flag (BPR03),
    payment_method (BPR04), payment_format (BPR05), payment_date (BPR16),
    trace_number (TRN02), trace_originator_id (TRN03), production_date (DTM*405),
    payer_name (N1*PR N102), payer_id_qualifier (N103), payer_id (N104), payer_ref_2u (REF*2U),
    payee_name (N1*PE N102), payee_id_qualifier (N103), payee_id (N104),
    payee_npi (N104 when N103 = XX), payee_tax_id (N104 when N103 = FI, else REF*TJ),
    + balancing: claim_count, claim_paid_cents (ΣCLP04), provider_adjustment_cents (ΣPLB),
    balance_difference_cents (BPR02 − (ΣCLP04 − ΣPLB)), is_balanced.

``claims`` — one row per CLP loop (reversals and predeterminations included)
    claim_index, transaction_index, segment_number, header_number (LX01),
    patient_control_number (CLP01), claim_status_code (CLP02), charge_cents (CLP03),
    paid_cents (CLP04), patient_responsibility_cents (CLP05; absent → 0),
    claim_filing_indicator (CLP06), payer_claim_control_number (CLP07),
    facility_type_code (CLP08), claim_frequency_code (CLP09), is_reversal (CLP02 = 22),
    is_predetermination (CLP02 = 25), patient_last_name / patient_first_name /
    patient_member_id (NM1*QC 03/04/09), statement_from_date (DTM*232),
    statement_to_date (DTM*233), received_date (DTM*050),
    + balancing: line_count, claim_adjustment_cents (its claim-level CAS),
    line_adjustment_cents (its lines' CAS), balance_difference_cents
    (CLP03 − CLP04 − both), is_balanced.

``service_lines`` — one row per SVC loop in a claim
    line_index, claim_index, transaction_index, segment_number, line_number (1-based in claim),
    procedure_qualifier / procedure_code / modifier_1..modifier_4 (SVC01-1..6),
    charge_cents (SVC02), paid_cents (SVC03), revenue_code (SVC04), units_paid (SVC05, as sent),
    original_procedure_qualifier / original_procedure_code (SVC06-1/2), original_units (SVC07),
    service_date_start, service_date_end, line_control_number (REF*6R), allowed_cents (AMT*B6),
    + balancing: adjustment_cents (its CAS), balance_difference_cents
    (SVC02 − SVC03 − its CAS), is_balanced.

``adjustments`` — one row per CAS triplet (up to 6 per CAS; zero and negative amounts kept)
    transaction_index, claim_index, line_index (null at claim level), level ("claim" | "line"),
    segment_number, triplet_number (1..6), group_code (CAS01), reason_code (the CARC as sent),
    amount_cents, quantity (as sent).

``provider_adjustments`` — one row per PLB pair (up to 6 per PLB)
    transaction_index, segment_number, pair_number (1..6), provider_id (PLB01),
    fiscal_period_date (PLB02), reason_code (PLB03-1...), reference_id (PLB03-2...),
    amount_cents (as sent: positive = taken back from the payment, negative = added, e.g. interest).

``remarks`` — one row per remark code
    transaction_index, claim_index, line_index (LQ in a line; null for MOA/MIA and claim-level LQ),
    segment_number, element ("LQ02", "MOA03".."MOA07", "MIA05", "MIA20".."MIA23"),
    code_list_qualifier (LQ01: HE = RARC, RX = NCPDP reject; "HE" for MOA/MIA), remark_code.

``provider_summaries`` — one row per TS3
    transaction_index, segment_number, header_number (LX01), provider_id (TS301),
    facility_type_code (TS302), fiscal_period_date (TS303), claim_count (TS304, as sent),
    total_charge_cents (TS305), total_covered_charge_cents (TS306, 4010 only).
"""

from __future__ import annotations

import polars as pl

from collectors.edi.fields import Field

TAGS = (
    "ST", "SE", "BPR", "TRN", "DTM", "N1", "REF", "LX", "TS3", "TS2", "CLP", "NM1", "CAS", "SVC",
    "AMT", "LQ", "MOA", "MIA", "PLB",
)  # fmt: skip
LOOP_TAGS = ("ST", "N1", "LX", "TS3", "TS2", "CLP", "SVC", "PLB", "SE")
CLAIM_BOUNDARY_TAGS = tuple(t for t in LOOP_TAGS if t != "SVC")

REVERSAL_STATUS = "22"
PREDETERMINATION_STATUS = "25"

BPR_FIELDS = (
    Field("handling_code", 1),
    Field("payment_cents", 2, "money"),
    Field("credit_debit_flag", 3),
    Field("payment_method", 4),
    Field("payment_format", 5),
    Field("payment_date", 16, "date"),
)
TRN_FIELDS = (Field("trace_number", 2), Field("trace_originator_id", 3))
PRODUCTION_DATE = Field("production_date", 2, "date")  # DTM*405
N1_FIELDS = (Field("name", 2), Field("id_qualifier", 3), Field("id", 4))
REF_VALUE = Field("value", 2)

CLP_FIELDS = (
    Field("patient_control_number", 1),
    Field("claim_status_code", 2),
    Field("charge_cents", 3, "money"),
    Field("paid_cents", 4, "money"),
    Field("patient_responsibility_cents", 5, "money_or_zero"),
    Field("claim_filing_indicator", 6),
    Field("payer_claim_control_number", 7),
    Field("facility_type_code", 8),
    Field("claim_frequency_code", 9),
)
CLP_REQUIRED = (3, 4)
PATIENT_FIELDS = (
    Field("patient_last_name", 3),
    Field("patient_first_name", 4),
    Field("patient_member_id", 9),
)
CLAIM_DATES = {"232": "statement_from_date", "233": "statement_to_date", "050": "received_date"}

SVC_FIELDS = (
    Field("procedure_qualifier", 1, component=1),
    Field("procedure_code", 1, component=2),
    Field("modifier_1", 1, component=3),
    Field("modifier_2", 1, component=4),
    Field("modifier_3", 1, component=5),
    Field("modifier_4", 1, component=6),
    Field("charge_cents", 2, "money"),
    Field("paid_cents", 3, "money"),
    Field("revenue_code", 4),
    Field("units_paid", 5),
    Field("original_procedure_qualifier", 6, component=1),
    Field("original_procedure_code", 6, component=2),
    Field("original_units", 7),
)
SVC_REQUIRED = (2, 3)
SVC_COMPOSITES = (1, 6)
LINE_START_DATES = ("150", "472")
LINE_END_DATES = ("151", "472")
DATE_VALUE = Field("date", 2, "date")
ALLOWED_AMOUNT = Field("allowed_cents", 2, "money")  # AMT*B6

CAS_TRIPLETS = 6  # CAS02-04, 05-07, ..., 17-19


def cas_triplet(n: int) -> tuple[Field, Field, Field]:
    """Reason, amount and quantity of CAS triplet ``n`` (1-based)."""
    first = 2 + 3 * (n - 1)
    return (
        Field("reason_code", first),
        Field("amount_cents", first + 1, "money"),
        Field("quantity", first + 2),
    )


PLB_PAIRS = 6  # PLB03/04, 05/06, ..., 13/14
PLB_FIELDS = (Field("provider_id", 1), Field("fiscal_period_date", 2, "date"))


def plb_pair(n: int) -> tuple[Field, Field, Field]:
    """Reason, reference and amount of PLB pair ``n`` (1-based)."""
    first = 3 + 2 * (n - 1)
    return (
        Field("reason_code", first, component=1),
        Field("reference_id", first, component=2),
        Field("amount_cents", first + 1, "money"),
    )


REMARK_ELEMENTS = {"MOA": (3, 4, 5, 6, 7), "MIA": (5, 20, 21, 22, 23)}

TS3_FIELDS = (
    Field("provider_id", 1),
    Field("facility_type_code", 2),
    Field("fiscal_period_date", 3, "date"),
    Field("claim_count", 4),
    Field("total_charge_cents", 5, "money"),
    Field("total_covered_charge_cents", 6, "money"),
)

_I = pl.Int64
_S = pl.String
_D = pl.Date
_B = pl.Boolean

TRANSACTION_SCHEMA: dict[str, pl.DataType] = {
    "transaction_index": _I, "interchange_index": _I, "group_index": _I, "segment_number": _I,
    "transaction_control_number": _S, "interchange_control_number": _S,
    "interchange_sender_id": _S, "interchange_receiver_id": _S, "interchange_version": _S,
    "usage_indicator": _S, "is_test": _B, "group_control_number": _S, "group_sender_id": _S,
    "group_receiver_id": _S, "group_date": _D, "group_time": _S, "group_version": _S,
    "is_4010": _B, "handling_code": _S, "payment_cents": _I, "credit_debit_flag": _S,
    "payment_method": _S, "payment_format": _S, "payment_date": _D, "trace_number": _S,
    "trace_originator_id": _S, "production_date": _D, "payer_name": _S,
    "payer_id_qualifier": _S, "payer_id": _S, "payer_ref_2u": _S, "payee_name": _S,
    "payee_id_qualifier": _S, "payee_id": _S, "payee_npi": _S, "payee_tax_id": _S,
}  # fmt: skip
TRANSACTION_BALANCE_SCHEMA: dict[str, pl.DataType] = {
    "claim_count": _I, "claim_paid_cents": _I, "provider_adjustment_cents": _I,
    "balance_difference_cents": _I, "is_balanced": _B,
}  # fmt: skip

CLAIM_SCHEMA: dict[str, pl.DataType] = {
    "claim_index": _I, "transaction_index": _I, "segment_number": _I, "header_number": _S,
    **{f.column: (_S if f.kind == "text" else _I) for f in CLP_FIELDS},
    "is_reversal": _B, "is_predetermination": _B,
    **{f.column: _S for f in PATIENT_FIELDS},
    **{column: _D for column in CLAIM_DATES.values()},
}  # fmt: skip
CLAIM_BALANCE_SCHEMA: dict[str, pl.DataType] = {
    "line_count": _I, "claim_adjustment_cents": _I, "line_adjustment_cents": _I,
    "balance_difference_cents": _I, "is_balanced": _B,
}  # fmt: skip

LINE_SCHEMA: dict[str, pl.DataType] = {
    "line_index": _I, "claim_index": _I, "transaction_index": _I, "segment_number": _I,
    "line_number": _I,
    **{f.column: (_S if f.kind == "text" else _I) for f in SVC_FIELDS},
    "service_date_start": _D, "service_date_end": _D, "line_control_number": _S,
    "allowed_cents": _I,
}  # fmt: skip
LINE_BALANCE_SCHEMA: dict[str, pl.DataType] = {
    "adjustment_cents": _I, "balance_difference_cents": _I, "is_balanced": _B,
}  # fmt: skip

ADJUSTMENT_SCHEMA: dict[str, pl.DataType] = {
    "transaction_index": _I, "claim_index": _I, "line_index": _I, "level": _S,
    "segment_number": _I, "triplet_number": _I, "group_code": _S, "reason_code": _S,
    "amount_cents": _I, "quantity": _S,
}  # fmt: skip

PROVIDER_ADJUSTMENT_SCHEMA: dict[str, pl.DataType] = {
    "transaction_index": _I, "segment_number": _I, "pair_number": _I, "provider_id": _S,
    "fiscal_period_date": _D, "reason_code": _S, "reference_id": _S, "amount_cents": _I,
}  # fmt: skip

REMARK_SCHEMA: dict[str, pl.DataType] = {
    "transaction_index": _I, "claim_index": _I, "line_index": _I, "segment_number": _I,
    "element": _S, "code_list_qualifier": _S, "remark_code": _S,
}  # fmt: skip

PROVIDER_SUMMARY_SCHEMA: dict[str, pl.DataType] = {
    "transaction_index": _I, "segment_number": _I, "header_number": _S,
    **{f.column: ({"text": _S, "date": _D}.get(f.kind, _I)) for f in TS3_FIELDS},
}  # fmt: skip

# Raw frames, as the flatteners produce them (balancing adds the *_BALANCE_SCHEMA columns).
RAW_SCHEMAS: dict[str, dict[str, pl.DataType]] = {
    "transactions": TRANSACTION_SCHEMA,
    "claims": CLAIM_SCHEMA,
    "service_lines": LINE_SCHEMA,
    "adjustments": ADJUSTMENT_SCHEMA,
    "provider_adjustments": PROVIDER_ADJUSTMENT_SCHEMA,
    "remarks": REMARK_SCHEMA,
    "provider_summaries": PROVIDER_SUMMARY_SCHEMA,
}
