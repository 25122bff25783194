"""Where each 277CA value lives, and the frames the 277CA flatteners produce (the ingest contract).

Which 277s (:mod:`collectors.edi.guides`): a 277 whose implementation (ST03, else GS08) names
X214 is a 277CA (claim acknowledgment) and is read; one naming another guide (X212, the claim
status response to a 276) is reported in the warnings and not read; one naming none is read as a
277CA, with a warning.

Hierarchy (:mod:`collectors.edi.hierarchy`): 20 information source (payer or clearinghouse), 21
information receiver (the 837's submitter), 19 billing provider, PT patient/claim. Each HL hangs
from the latest HL of the level above its own, whatever its HL02 says (warned when they differ).

Loop context: an HL's segments run to the next HL or SE. Within a PT HL, an SVC starts a service
line (2220D) that runs to the next SVC, HL or SE; STC, DTP and REF after an SVC belong to that
line. For each HL: its first NM1 (the entity), first TRN, first REF*1K, REF*D9 and DTP*472 outside
its lines. For each line: SVC01 (composite), SVC02 and its first DTP*472.

Status outcomes (KPI.md §1): an STC is a *rejection* when any of its status composites (STC01,
STC10, STC11) has category A3, A4, A6, A7 or A8, an *acceptance* when it is not a rejection and
one has A1, A2 or A5. ``rejected_above`` marks every row of an HL whose ancestor HL (by the
hierarchy above) has a rejection among its own (not line-level) statuses: a rejection of a
provider or of a whole batch rejects every claim beneath it.

Frames (money Int64 cents, dates ``pl.Date``, codes as sent, text trimmed, empty → null):

``transactions`` — one row per 277CA ST/SE
    the envelope columns of the 837 ``transactions`` frame (transaction_index ... is_4010,
    implementation), bht_reference (BHT03: the 277CA's own id), bht_date (BHT04), bht_time
    (BHT05), claim_count (PT HLs).

``statuses`` — one row per STC, and one per HL that has no STC of its own (status columns null)
    status_index, transaction_index, segment_number (of the STC, or of the HL), hl_index
    (0-based ordinal of the HL in the file: the rows of one HL share it), hl_id (HL01),
    hl_parent_id (HL02), hl_level (HL03: "20" | "21" | "19" | "PT"), line_number (1-based SVC
    of a line-level status in its HL; null at HL level), entity_identifier_code (NM101),
    entity_identifier (NM109), entity_name (NM103), entity_first_name (NM104), trn_reference
    (the HL's TRN02), receiver_trn_reference (the TRN02 of the level-21 HL at or above: the
    837's BHT03), provider_npi (NM109 of the level-19 HL at or above, when NM108 = XX),
    patient_control_number (the TRN02 of a PT HL: the 837's CLM01), payer_claim_number
    (REF*1K), clearinghouse_trace_number (REF*D9), status_category / status_code /
    entity_code (STC01-1/-2/-3), status_category_2 / status_code_2 / entity_code_2 (STC10),
    status_category_3 / status_code_3 / entity_code_3 (STC11), status_date (STC02),
    action_code (STC03), amount_cents (STC04), line_procedure_qualifier /
    line_procedure_code (SVC01-1/-2), line_charge_cents (SVC02), service_date_from /
    service_date_to (DTP*472 of the line, else of the HL), rejected_above, is_rejection,
    is_acceptance.
"""

from __future__ import annotations

import polars as pl

from collectors.edi.claim_layout import TRANSACTION_SCHEMA as _CLAIM_TRANSACTIONS
from collectors.edi.fields import Field
from collectors.edi.hierarchy import Hierarchy

TAGS = ("ST", "SE", "BHT", "HL", "NM1", "TRN", "STC", "REF", "DTP", "SVC")
SOURCE_LEVEL, RECEIVER_LEVEL, PROVIDER_LEVEL, CLAIM_LEVEL = "20", "21", "19", "PT"
HIERARCHY = Hierarchy(
    (SOURCE_LEVEL, RECEIVER_LEVEL, PROVIDER_LEVEL, CLAIM_LEVEL),
    {
        SOURCE_LEVEL: "information source",
        RECEIVER_LEVEL: "information receiver",
        PROVIDER_LEVEL: "provider",
        CLAIM_LEVEL: "claim",
    },
)
LINE_BOUNDARY_TAGS = ("ST", "HL", "SVC", "SE")

BHT_FIELDS = (
    Field("bht_reference", 3),
    Field("bht_date", 4, "date"),
    Field("bht_time", 5),
)
NM1_TEXT = {
    "entity_identifier_code": 1,
    "entity_name": 3,
    "entity_first_name": 4,
    "entity_identifier": 9,
}
HL_REFS = {"1K": "payer_claim_number", "D9": "clearinghouse_trace_number"}
SERVICE_DATE = "472"
STATUS_COMPOSITES = {1: "", 10: "_2", 11: "_3"}  # STC element → column suffix
STATUS_PARTS = (("status_category", 1), ("status_code", 2), ("entity_code", 3))
STC_FIELDS = (
    Field("status_date", 2, "date"),
    Field("action_code", 3),
    Field("amount_cents", 4, "money"),
)
SVC_FIELDS = (
    Field("line_procedure_qualifier", 1, component=1),
    Field("line_procedure_code", 1, component=2),
    Field("line_charge_cents", 2, "money"),
)

_I, _S, _D, _B = pl.Int64, pl.String, pl.Date, pl.Boolean

_ENVELOPE = tuple(_CLAIM_TRANSACTIONS)[: tuple(_CLAIM_TRANSACTIONS).index("claim_type")]
TRANSACTION_SCHEMA: dict[str, pl.DataType] = {
    **{c: _CLAIM_TRANSACTIONS[c] for c in _ENVELOPE},
    "bht_reference": _S, "bht_date": _D, "bht_time": _S, "claim_count": _I,
}  # fmt: skip

STATUS_SCHEMA: dict[str, pl.DataType] = {
    "status_index": _I, "transaction_index": _I, "segment_number": _I, "hl_index": _I,
    "hl_id": _S,
    "hl_parent_id": _S, "hl_level": _S, "line_number": _I, "entity_identifier_code": _S,
    "entity_identifier": _S, "entity_name": _S, "entity_first_name": _S, "trn_reference": _S,
    "receiver_trn_reference": _S, "provider_npi": _S, "patient_control_number": _S,
    "payer_claim_number": _S, "clearinghouse_trace_number": _S,
    **{
        f"{name}{suffix}": _S
        for suffix in STATUS_COMPOSITES.values()
        for name, _ in STATUS_PARTS
    },
    "status_date": _D, "action_code": _S, "amount_cents": _I,
    "line_procedure_qualifier": _S, "line_procedure_code": _S, "line_charge_cents": _I,
    "service_date_from": _D, "service_date_to": _D, "rejected_above": _B,
    "is_rejection": _B, "is_acceptance": _B,
}  # fmt: skip

SCHEMAS: dict[str, dict[str, pl.DataType]] = {
    "transactions": TRANSACTION_SCHEMA,
    "statuses": STATUS_SCHEMA,
}
