"""Where each 999 value lives, and the frames the 999 flatteners produce (the ingest contract).

Loop context (both flatteners, per 999 transaction):

- A *group response* runs from an AK1 to the next AK1 or the SE; its AK9 is the first AK9 in it.
- A *set response* runs from an AK2 (in a group response) to the next AK2, AK9, AK1 or the SE; its
  IK5 is the first IK5 in it.
- A *segment error* runs from an IK3 (in a set response) to the next IK3, IK5, AK2, AK9, AK1 or
  SE; an *element error* from an IK4 (in a segment error) to the next IK4 or the end of its
  segment error. CTX segments belong to the segment error they are in (segment context, before
  its first IK4) or to the element error they follow (element context).
- Misplaced segments (an AK2, AK9 or IK5 outside a group or set response, an IK3 outside a set,
  IK4/CTX outside a segment error) are ignored with a warning; so is a group response without
  AK9 or a set response without IK5 (warned, values null).

Frames (codes and references as sent, text trimmed, empty → null; counts and positions Int64;
``*_index`` 0-based ordinals in the file):

``groups`` — one row per AK1 (group response)
    group_ack_index, transaction_index, segment_number (of the AK1), the 999's own envelope:
    interchange_index, group_index, interchange_sender_id (ISA06), interchange_receiver_id
    (ISA08), interchange_control_number (ISA13), usage_indicator (ISA15), is_test,
    ack_group_control_number (the 999's GS06), group_sender_id (GS02), group_receiver_id (GS03),
    group_date (GS04), group_time (GS05), transaction_control_number (the 999's ST02),
    implementation (its ST03, else GS08); then the answer: functional_id (AK101),
    group_control_number (AK102 = the acknowledged group's GS06), version (AK103), ak9_code
    (AK901: A, E, P, R), sets_included (AK902), sets_received (AK903), sets_accepted (AK904),
    ak9_error_codes (AK905–AK909 joined with ","), set_count (AK2 loops), has_set_responses
    (any AK2: without one, AK9 answers every set of the group).

``sets`` — one row per AK2 (set response)
    set_ack_index, group_ack_index, transaction_index, segment_number (of the AK2),
    set_id (AK201), set_control_number (AK202 = the acknowledged ST02), implementation (AK203),
    ik5_code (IK501: A, E, R, M, W, X), ik5_error_codes (IK502–IK506 joined with ","),
    is_accepted (IK5 A or E), is_rejected (IK5 R, M, W or X), error_count (rows in ``errors``).

``errors`` — one row per element error (IK4), and one per segment error (IK3) without any
    set_ack_index, group_ack_index, transaction_index, segment_number (of the IK4, else the
    IK3), seq (1-based within the set, file order), segment_id (IK301), segment_position
    (IK302), loop_id (IK303), segment_error_code (IK304), element_position (IK401-1),
    component_position (IK401-2), repetition_position (IK401-3), element_reference (IK402),
    element_error_code (IK403), bad_data (IK404), context (the CTX segments of the segment
    error, then those of the element error, each as sent, joined with a line feed),
    claim_reference (CTX01-2 of the segment error's first CTX whose CTX01-1 is ``CLM01``: the
    patient control number of the claim in error).
"""

from __future__ import annotations

import polars as pl

TAGS = ("ST", "SE", "AK1", "AK2", "IK3", "CTX", "IK4", "IK5", "AK9")
GROUP_TAGS = ("ST", "AK1", "SE")  # a group response runs from an AK1 to the next of these
SET_TAGS = ("ST", "AK1", "AK2", "AK9", "SE")
SEGMENT_ERROR_TAGS = ("ST", "AK1", "AK2", "IK3", "IK5", "AK9", "SE")
ELEMENT_ERROR_TAGS = (*SEGMENT_ERROR_TAGS, "IK4")

AK1_TEXT = {"functional_id": 1, "group_control_number": 2, "version": 3}
AK9_CODE = 1
AK9_COUNTS = {"sets_included": 2, "sets_received": 3, "sets_accepted": 4}
AK9_ERRORS = (5, 6, 7, 8, 9)
AK2_TEXT = {"set_id": 1, "set_control_number": 2, "implementation": 3}
IK5_CODE = 1
IK5_ERRORS = (2, 3, 4, 5, 6)
IK3_TEXT = {"segment_id": 1, "loop_id": 3, "segment_error_code": 4}
IK3_POSITION = 2
IK4_POSITION = 1  # composite C030: element, component, repetition positions
IK4_POSITIONS = {"element_position": 1, "component_position": 2, "repetition_position": 3}
IK4_TEXT = {"element_reference": 2, "element_error_code": 3, "bad_data": 4}
CLAIM_CONTEXT = "CLM01"
CONTEXT_JOIN = "\n"

_I, _S, _D, _B = pl.Int64, pl.String, pl.Date, pl.Boolean

GROUP_SCHEMA: dict[str, pl.DataType] = {
    "group_ack_index": _I, "transaction_index": _I, "segment_number": _I,
    "interchange_index": _I, "group_index": _I, "interchange_sender_id": _S,
    "interchange_receiver_id": _S, "interchange_control_number": _S, "usage_indicator": _S,
    "is_test": _B, "ack_group_control_number": _S, "group_sender_id": _S,
    "group_receiver_id": _S, "group_date": _D, "group_time": _S,
    "transaction_control_number": _S, "implementation": _S,
    "functional_id": _S, "group_control_number": _S, "version": _S, "ak9_code": _S,
    "sets_included": _I, "sets_received": _I, "sets_accepted": _I, "ak9_error_codes": _S,
    "set_count": _I, "has_set_responses": _B,
}  # fmt: skip

SET_SCHEMA: dict[str, pl.DataType] = {
    "set_ack_index": _I, "group_ack_index": _I, "transaction_index": _I, "segment_number": _I,
    "set_id": _S, "set_control_number": _S, "implementation": _S, "ik5_code": _S,
    "ik5_error_codes": _S, "is_accepted": _B, "is_rejected": _B, "error_count": _I,
}  # fmt: skip

ERROR_SCHEMA: dict[str, pl.DataType] = {
    "set_ack_index": _I, "group_ack_index": _I, "transaction_index": _I, "segment_number": _I,
    "seq": _I, "segment_id": _S, "segment_position": _I, "loop_id": _S,
    "segment_error_code": _S, "element_position": _I, "component_position": _I,
    "repetition_position": _I, "element_reference": _S, "element_error_code": _S,
    "bad_data": _S, "context": _S, "claim_reference": _S,
}  # fmt: skip

SCHEMAS: dict[str, dict[str, pl.DataType]] = {
    "groups": GROUP_SCHEMA,
    "sets": SET_SCHEMA,
    "errors": ERROR_SCHEMA,
}


def misplaced_warning(tag: str, segment: int, where: str) -> str:
    return f"{tag} at segment {segment} is outside {where}: ignored"


def missing_part_warning(tag: str, segment: int, part: str) -> str:
    return f"{tag} at segment {segment} has no {part}"


MISPLACED = {  # tag → what it must be in
    "AK2": "a group response (AK1)",
    "AK9": "a group response (AK1)",
    "IK3": "a set response (AK2)",
    "IK5": "a set response (AK2)",
    "IK4": "a segment error (IK3)",
    "CTX": "a segment error (IK3)",
}
