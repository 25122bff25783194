"""What a transaction set's implementation guide decides, and the warnings that go with it.

Polars-free: ``edi inspect``'s main process (which never loads Polars) applies these rules once
it knows a chunk's envelope, and the flatteners apply the same ones.

- The implementation of a transaction set is its ST03, else its group's GS08.
- 837: ``claim_type`` is ``P`` for X222 (4010: X098), ``I`` for X223 (4010: X096); any other
  implementation leaves it empty, with a warning.
- 277: a 277CA (claim acknowledgment, X214) is read; a 277 naming another guide (X212, the
  claim status response to a 276) is reported in the warnings and not read; one naming no guide
  at all is read as a 277CA, with a warning.
"""

from __future__ import annotations

from collectors.edi.diagnostics import Diagnostics
from collectors.edi.envelope import EnvelopeTracker, Transaction

PROFESSIONAL, INSTITUTIONAL = "P", "I"
CLAIM_TYPES = {
    "X222": PROFESSIONAL,
    "X098": PROFESSIONAL,
    "X223": INSTITUTIONAL,
    "X096": INSTITUTIONAL,
}
CLAIM_ACK_GUIDE = "X214"


def implementation_of(envelope: EnvelopeTracker, transaction_index: int) -> str:
    """ST03, else the group's GS08 (``""`` when neither is sent)."""
    st = envelope.transactions[transaction_index]
    if st.implementation:
        return st.implementation
    return envelope.groups[st.group_index].version if st.group_index is not None else ""


def claim_type(implementation: str) -> str | None:
    """``P`` / ``I`` from an implementation reference (``005010X222A1`` → ``P``), else None."""
    for marker, kind in CLAIM_TYPES.items():
        if marker in implementation:
            return kind
    return None


def claim_type_warning(control_number: str, segment: int, implementation: str) -> str:
    return (
        f"837 {control_number or '(no ST02)'} at segment {segment} names implementation "
        f"{implementation or 'none'}: neither 837P (X222) nor 837I (X223), claim_type left empty"
    )


def claim_types(
    envelope: EnvelopeTracker, transactions: list[Transaction], diagnostics: Diagnostics
) -> list[str | None]:
    """The claim type of each 837 given, warning about those with none."""
    kinds = []
    for st in transactions:
        implementation = implementation_of(envelope, st.index)
        kinds.append(claim_type(implementation))
        if kinds[-1] is None:
            text = claim_type_warning(st.control_number, st.segment_number, implementation)
            diagnostics.warn("envelope", text, st.segment_number)
    return kinds


def is_claim_acknowledgment(implementation: str) -> bool | None:
    """True for a 277CA, False for another 277, None when the implementation is not named."""
    if not implementation:
        return None
    return CLAIM_ACK_GUIDE in implementation


def other_277_warning(control_number: str, segment: int, implementation: str) -> str:
    return (
        f"277 {control_number or '(no ST02)'} at segment {segment} is a {implementation} claim "
        "status response, not a 277CA (005010X214): not read"
    )


def unnamed_277_warning(control_number: str, segment: int) -> str:
    return (
        f"277 {control_number or '(no ST02)'} at segment {segment} names no implementation "
        "guide: read as a 277CA (005010X214)"
    )


def claim_acknowledgment(
    envelope: EnvelopeTracker, st: Transaction, diagnostics: Diagnostics
) -> bool:
    """Whether a 277 is read as a 277CA; warns about those that are not, or not named."""
    implementation = implementation_of(envelope, st.index)
    verdict = is_claim_acknowledgment(implementation)
    if verdict is None:
        text = unnamed_277_warning(st.control_number, st.segment_number)
        diagnostics.warn("envelope", text, st.segment_number)
        return True
    if not verdict:
        text = other_277_warning(st.control_number, st.segment_number, implementation)
        diagnostics.warn("envelope", text, st.segment_number)
    return verdict
