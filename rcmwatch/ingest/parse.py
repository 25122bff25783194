"""Parse one file's bytes with rcmwatch's X12 readers (``collectors.edi``) for ingest.

One pass of the tokenizer gives the envelope and every transaction set; each set kind goes to its
flattener. The bytes parsed are exactly the bytes hashed at landing (no second read of the path).
A transaction set kind rcmwatch cannot store is a parse failure — the file is quarantined and
kept, never "ingested" with part of its content silently dropped.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import UTC, datetime

import polars as pl

from rcmwatch.errors import InputError
from rcmwatch.reference.carc_map import CarcMap

WATCHED_SETS = ("835", "837", "999", "277")
SUPPORTED_SETS = ("835",)


@dataclass
class ParsedX12:
    kind: str | None
    is_test: bool
    warnings: list[str]
    interchanges: list[dict] = field(default_factory=list)
    remittance: object | None = None  # collectors.edi.remittance_frames.RemittanceFrames
    claims: object | None = None  # 837 frames (transactions, claims, service_lines, ...)
    acks: object | None = None  # 999 frames (groups, sets, errors)
    statuses: object | None = None  # 277CA frames (transactions, statuses)

    def classify_remittance(self, carc_map: CarcMap) -> pl.DataFrame:
        """KPI.md §2 per claim payment: claim_index, denial_kind (full | partial | zero_pay |
        none; null for reversals and predeterminations), denied_cents, denial_category."""
        from metrics.denial import classify_denials

        frames = self.remittance
        out = classify_denials(frames.claims, frames.adjustments, carc_map=carc_map)
        kind = (
            pl.when(~pl.col("is_adjudication"))
            .then(None)
            .otherwise(pl.col("denial_status").replace({"zero_pay_not_denial": "zero_pay"}))
        )
        return out.select(
            "claim_index",
            kind.alias("denial_kind"),
            pl.when(pl.col("is_adjudication")).then(pl.col("denied_cents")).otherwise(0)
            .alias("denied_cents"),
            pl.when(pl.col("is_adjudication") & pl.col("denial_status").is_in(["full", "partial"]))
            .then(pl.col("denial_category"))
            .otherwise(None)
            .alias("denial_category"),
        )  # fmt: skip


def _interchange_at(date: str, time: str) -> datetime | None:
    try:
        return datetime.strptime(f"{date.strip()}{time.strip()[:4]}", "%y%m%d%H%M").replace(
            tzinfo=UTC
        )
    except ValueError:
        return None


def parse_x12(data: bytes) -> ParsedX12:
    from collectors.edi.remittance import RemittanceFlattener
    from collectors.edi.remittance_frames import RemittanceFrames
    from collectors.edi.segment_frames import SegmentFrameReader

    reader = SegmentFrameReader(io.BytesIO(data))
    flattener = RemittanceFlattener(reader.diagnostics, reader.envelope)
    parts = [frames for batch in reader if (frames := flattener.flatten(batch)) is not None]
    env = reader.envelope
    kinds = sorted({t.set_id for t in env.transactions})
    if not kinds:
        raise InputError("no transaction set (ST/SE) found")
    outside = [k for k in kinds if k not in WATCHED_SETS]
    if outside:
        raise InputError(
            f"holds transaction sets {', '.join(outside)}, which rcmwatch does not watch "
            "(it reads 837, 999, 277CA and 835)"
        )
    unsupported = [k for k in kinds if k not in SUPPORTED_SETS]
    if unsupported:
        raise InputError(
            f"transaction sets {', '.join(unsupported)} cannot be stored by this rcmwatch yet; "
            "kept in quarantine (rcmwatch ingest --retry-quarantined after upgrading)"
        )
    interchanges = [
        {
            "seq": i.index + 1,
            "sender_qualifier": i.sender_qualifier[:2],
            "sender_id": i.sender_id[:15],
            "receiver_qualifier": i.receiver_qualifier[:2],
            "receiver_id": i.receiver_id[:15],
            "control_number": i.control_number[:9],
            "interchange_at": _interchange_at(i.date, i.time),
            "usage": (i.usage_indicator or "P")[:1],
            "version": i.version[:5],
        }
        for i in env.interchanges
    ]
    remittance = RemittanceFrames.concat(parts) if "835" in kinds else None
    return ParsedX12(
        kind=kinds[0] if len(kinds) == 1 else "mixed",
        is_test=any(i.is_test for i in env.interchanges),
        warnings=reader.diagnostics.rendered(),
        interchanges=interchanges,
        remittance=remittance,
    )
