"""The container of one batch's (or one file's) 835 frames; columns in remittance_layout."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, fields

import polars as pl

from collectors.edi.envelope import EnvelopeTracker
from collectors.edi.remittance_layout import (
    ADJUSTMENT_SCHEMA,
    CLAIM_BALANCE_SCHEMA,
    CLAIM_SCHEMA,
    LINE_BALANCE_SCHEMA,
    LINE_SCHEMA,
    PROVIDER_ADJUSTMENT_SCHEMA,
    PROVIDER_SUMMARY_SCHEMA,
    REMARK_SCHEMA,
    TRANSACTION_BALANCE_SCHEMA,
    TRANSACTION_SCHEMA,
)

# The header columns a flattener reads from the 835 itself; the rest of TRANSACTION_SCHEMA comes
# from the envelope (see envelope_columns).
ENVELOPE_COLUMNS = (
    "interchange_index", "group_index", "segment_number", "transaction_control_number",
    "interchange_control_number", "interchange_sender_id", "interchange_receiver_id",
    "interchange_version", "usage_indicator", "is_test", "group_control_number",
    "group_sender_id", "group_receiver_id", "group_date", "group_time", "group_version",
    "is_4010",
)  # fmt: skip
HEADER_SCHEMA: dict[str, pl.DataType] = {
    "transaction_index": pl.Int64,
    **{
        k: v
        for k, v in TRANSACTION_SCHEMA.items()
        if k not in (*ENVELOPE_COLUMNS, "transaction_index")
    },
}

FINAL_SCHEMAS: dict[str, dict[str, pl.DataType]] = {
    "transactions": {**TRANSACTION_SCHEMA, **TRANSACTION_BALANCE_SCHEMA},
    "claims": {**CLAIM_SCHEMA, **CLAIM_BALANCE_SCHEMA},
    "service_lines": {**LINE_SCHEMA, **LINE_BALANCE_SCHEMA},
    "adjustments": ADJUSTMENT_SCHEMA,
    "provider_adjustments": PROVIDER_ADJUSTMENT_SCHEMA,
    "remarks": REMARK_SCHEMA,
    "provider_summaries": PROVIDER_SUMMARY_SCHEMA,
}


@dataclass
class RemittanceFrames:
    """The 835 frames of whole transactions (see remittance_layout for every column)."""

    transactions: pl.DataFrame
    claims: pl.DataFrame
    service_lines: pl.DataFrame
    adjustments: pl.DataFrame
    provider_adjustments: pl.DataFrame
    remarks: pl.DataFrame
    provider_summaries: pl.DataFrame

    @classmethod
    def empty(cls, schemas: dict[str, dict[str, pl.DataType]] = FINAL_SCHEMAS) -> RemittanceFrames:
        return cls(**{name: pl.DataFrame(schema=schema) for name, schema in schemas.items()})

    @classmethod
    def concat(cls, parts: Iterable[RemittanceFrames]) -> RemittanceFrames:
        parts = list(parts)
        if not parts:
            return cls.empty()
        return cls(
            **{
                f.name: pl.concat([getattr(p, f.name) for p in parts], how="vertical")
                for f in fields(cls)
            }
        )

    def items(self) -> list[tuple[str, pl.DataFrame]]:
        return [(f.name, getattr(self, f.name)) for f in fields(self)]

    def offset(self, claims: int, lines: int) -> RemittanceFrames:
        """Shift batch-local claim/line indices by the counts of the batches before."""
        if not claims and not lines:
            return self
        shifted = {}
        for name, frame in self.items():
            columns = [
                (pl.col(c) + shift)
                for c, shift in (("claim_index", claims), ("line_index", lines))
                if c in frame.columns and shift
            ]
            shifted[name] = frame.with_columns(columns) if columns else frame
        return RemittanceFrames(**shifted)


def _gs_date(text: str) -> dt.date | None:
    if len(text) == 8 and text.isascii() and text.isdigit():
        try:
            return dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))
        except ValueError:
            return None
    return None


def envelope_columns(envelope: EnvelopeTracker, transaction_indices: list[int]) -> pl.DataFrame:
    """The transactions' envelope columns (ISA/GS/ST), from the tracker — shared by both paths."""
    rows = []
    for index in transaction_indices:
        st = envelope.transactions[index]
        isa = (
            envelope.interchanges[st.interchange_index]
            if st.interchange_index is not None
            else None
        )
        gs = envelope.groups[st.group_index] if st.group_index is not None else None
        gs_version = gs.version if gs else ""
        rows.append(
            {
                "transaction_index": st.index,
                "interchange_index": st.interchange_index,
                "group_index": st.group_index,
                "segment_number": st.segment_number,
                "transaction_control_number": st.control_number or None,
                "interchange_control_number": (isa.control_number or None) if isa else None,
                "interchange_sender_id": (isa.sender_id or None) if isa else None,
                "interchange_receiver_id": (isa.receiver_id or None) if isa else None,
                "interchange_version": (isa.version or None) if isa else None,
                "usage_indicator": (isa.usage_indicator or None) if isa else None,
                "is_test": bool(isa and isa.is_test),
                "group_control_number": (gs.control_number or None) if gs else None,
                "group_sender_id": (gs.sender_id or None) if gs else None,
                "group_receiver_id": (gs.receiver_id or None) if gs else None,
                "group_date": _gs_date(gs.date) if gs else None,
                "group_time": (gs.time or None) if gs else None,
                "group_version": gs_version or None,
                "is_4010": gs_version.startswith("004010")
                or (not gs_version and bool(isa) and isa.version == "00401"),
            }
        )
    schema = {"transaction_index": pl.Int64, **{c: TRANSACTION_SCHEMA[c] for c in ENVELOPE_COLUMNS}}
    return pl.DataFrame(rows, schema=schema, orient="row") if rows else pl.DataFrame(schema=schema)


def assemble_transactions(envelope_part: pl.DataFrame, header: pl.DataFrame) -> pl.DataFrame:
    """Envelope columns + header columns, in TRANSACTION_SCHEMA order."""
    joined = envelope_part.join(header, on="transaction_index", how="left")
    return joined.select([pl.col(c).cast(t) for c, t in TRANSACTION_SCHEMA.items()])
