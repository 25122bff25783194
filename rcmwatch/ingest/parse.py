"""Parse one file's bytes with rcmwatch's X12 readers (``collectors.edi``) for ingest.

One pass of the tokenizer gives the envelope and every transaction set; each set kind goes to
its flattener (``collectors.edi.x12_frames.read_x12``). The bytes parsed are exactly the bytes
hashed at landing (no second read of the path).
A transaction set rcmwatch does not watch (270/271/276, a 277 that is not a 277CA) is a parse
failure — the file is quarantined and kept, never "ingested" with part of it silently dropped.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import UTC, datetime

import polars as pl

from rcmwatch.errors import InputError
from rcmwatch.reference.carc_map import CarcMap

WATCHED_SETS = ("835", "837", "999", "277")


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


# Below this size the per-segment reader is faster (no fixed cost per Polars query: ~2 ms against
# ~40 ms for a typical 1 KB acknowledgment); above it the vectorised reader is (~10× on 10 MB).
# Both give identical frames (tests/edi holds them to it).
VECTORISED_FROM_BYTES = 256 * 1024
# Batches of a large file flattened side by side (100,000-claim 837P: 2.5 -> 2.1 s with two; a
# third gained nothing on two cores, where the next file's write runs beside the parse).
FLATTEN_THREADS = 2


def parse_x12(data: bytes) -> ParsedX12:
    """All of a file's 835, 837, 999 and 277CA frames in one tokenizer pass over ``data``."""
    from collectors.edi.x12_frames import read_x12

    engine = "vectorised" if len(data) >= VECTORISED_FROM_BYTES else "reference"
    parsed = read_x12(io.BytesIO(data), engine=engine, threads=FLATTEN_THREADS)
    env, frames = parsed.envelope, parsed.frames
    kinds = sorted({t.set_id for t in env.transactions})
    if not kinds:
        raise InputError("no transaction set (ST/SE) found")
    outside = [k for k in kinds if k not in WATCHED_SETS]
    if outside:
        raise InputError(
            f"holds transaction sets {', '.join(outside)}, which rcmwatch does not watch "
            "(it reads 837, 999, 277CA and 835)"
        )
    if "277" in kinds and frames.claim_status is None:
        raise InputError(
            "holds 277 claim status responses that are not 277CA acknowledgments (005010X214); "
            "rcmwatch reads 277CA only"
        )
    interchanges = [
        {
            "seq": i.index + 1,
            "sender_qualifier": i.sender_qualifier[:2],
            "sender_id": i.sender_id,
            "receiver_qualifier": i.receiver_qualifier[:2],
            "receiver_id": i.receiver_id,
            "control_number": i.control_number,
            "interchange_at": _interchange_at(i.date, i.time),
            "usage": (i.usage_indicator or "P")[:1],
            "version": i.version,
        }
        for i in env.interchanges
    ]
    return ParsedX12(
        kind=kinds[0] if len(kinds) == 1 else "mixed",
        is_test=any(i.is_test for i in env.interchanges),
        warnings=parsed.diagnostics.rendered(),
        interchanges=interchanges,
        remittance=frames.remittance,
        claims=frames.claims,
        acks=frames.acks,
        statuses=frames.claim_status,
    )
