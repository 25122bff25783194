"""Inspect's 837, 999 and 277CA totals: per chunk (``chunk_summary.SET_SUMMARIES``) and per file.

A chunk is summarised on its own (in the inspect process or a worker process): its segments and
transactions are numbered within it, and the envelope before it is unknown. So:

- 837: :func:`summarise_claims` — the fast path when the chunk cannot warn, else a summary-mode
  flattening; the claim types (which may need GS08) are warned about in the main process
  (:meth:`collectors.edi.inspect_totals.ClaimChunk.settle`).
- 999: :func:`summarise_acks` — nothing depends on the envelope.
- 277: :func:`summarise_claim_status` — a 277 whose ST03 names X214 is flattened with the chunk's
  277CAs, one whose ST03 names another guide is skipped, one without ST03 is flattened apart
  (its own warnings) and kept or dropped by the main process once GS08 is known.

:func:`claim_totals`, :func:`ack_totals` and :func:`status_totals` turn whole frames into the same
totals (the per-segment path; the rules are in :mod:`collectors.edi.inspect_totals`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import polars as pl

from collectors.edi.acks import flatten_acks
from collectors.edi.claim_frames import AckFrames, ClaimFrames, ClaimStatusFrames
from collectors.edi.claim_status import flatten_statuses
from collectors.edi.claim_status_layout import CLAIM_LEVEL
from collectors.edi.claims import batch_counts
from collectors.edi.diagnostics import Diagnostics
from collectors.edi.guides import is_claim_acknowledgment
from collectors.edi.inspect_totals import AckTotals, ClaimChunk, ClaimTotals, StatusChunk
from collectors.edi.segment_frames import SegmentBatch
from collectors.edi.values import IK5_ACCEPTED, IK5_REJECTED

if TYPE_CHECKING:
    from collectors.edi.chunk_summary import ChunkTransactions


def claim_totals(frames: ClaimFrames) -> ClaimTotals:
    charge = frames.claims.get_column("charge_cents").sum()
    return ClaimTotals(frames.claims.height, frames.service_lines.height, int(charge or 0))


def ack_totals(frames: AckFrames) -> AckTotals:
    sets = frames.sets
    code, included = pl.col("ak9_code"), pl.col("sets_included").fill_null(0)
    partial = pl.min_horizontal(pl.col("sets_accepted").fill_null(0), included)
    group_level = frames.groups.filter(~pl.col("has_set_responses")).select(
        accepted=pl.when(code.is_in(IK5_ACCEPTED))
        .then(included)
        .when(code == "P")
        .then(partial)
        .otherwise(0)
        .sum(),
        rejected=pl.when(code.is_in(IK5_REJECTED))
        .then(included)
        .when(code == "P")
        .then(included - partial)
        .otherwise(0)
        .sum(),
    )
    return AckTotals(
        sets_accepted=int(sets.get_column("is_accepted").sum()) + group_level.item(0, "accepted"),
        sets_rejected=int(sets.get_column("is_rejected").sum()) + group_level.item(0, "rejected"),
        seen=True,
    )


def status_totals(frames: ClaimStatusFrames) -> AckTotals:
    claims = (
        frames.statuses.filter(
            (pl.col("hl_level") == CLAIM_LEVEL) & pl.col("line_number").is_null()
        )
        .group_by("hl_index")
        .agg(
            rejected=(pl.col("is_rejection") | pl.col("rejected_above")).any(),
            accepted=pl.col("is_acceptance").any(),
        )
    )
    rejected = claims.get_column("rejected")
    accepted = claims.get_column("accepted") & ~rejected
    return AckTotals(
        claims_accepted=int(accepted.sum()), claims_rejected=int(rejected.sum()), seen=True
    )


def _envelope(indices: list[int]) -> pl.DataFrame:
    """What a chunk knows of its transactions' envelopes: their indices (the rest is null)."""
    return pl.DataFrame({"transaction_index": indices}, schema={"transaction_index": pl.Int64})


def summarise_claims(
    batch: SegmentBatch, transactions: ChunkTransactions, diagnostics: Diagnostics
) -> ClaimChunk:
    indices = transactions.indices("837")
    return ClaimChunk(batch_counts(batch, indices, diagnostics), indices)


def summarise_acks(
    batch: SegmentBatch, transactions: ChunkTransactions, diagnostics: Diagnostics
) -> AckTotals:
    indices = transactions.indices("999")
    return ack_totals(flatten_acks(batch, indices, _envelope(indices), diagnostics))


def summarise_claim_status(
    batch: SegmentBatch, transactions: ChunkTransactions, diagnostics: Diagnostics
) -> StatusChunk:
    rows = (
        transactions.frame.filter(pl.col("set_id") == "277")
        .select("transaction_index", "implementation")
        .rows()
    )
    named = [index for index, guide in rows if guide and is_claim_acknowledgment(guide)]
    chunk = StatusChunk(AckTotals(), [index for index, _ in rows])
    if named:
        frames = flatten_statuses(batch, named, _envelope(named), diagnostics)
        chunk.named = status_totals(frames)
    for index in (index for index, guide in rows if not guide):
        warnings = Diagnostics()
        frames = flatten_statuses(batch, [index], _envelope([index]), warnings)
        chunk.unnamed.append((index, status_totals(frames), warnings))
    return chunk
