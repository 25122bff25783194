"""One chunk of an X12 file summarised on its own — in the inspect process or in a worker process.

A chunk holds whole transactions (:mod:`collectors.edi.chunks`), so everything ``edi inspect``
reports about it can be computed without the rest of the file, *except* what depends on the
position in the file: segment numbers (numbered here from 1, shifted by the caller), the envelope
(returned as rows for the caller's tracker, which sees every chunk in order) and warnings (numbered
from 1 too; ``Diagnostics.rebased`` shifts them). The caller adds the per-set partial results up
in file order; the result equals the per-segment path's (tests/edi/test_engines_agree.py).

:data:`SET_SUMMARIES` maps a transaction set id to the function giving its partial result for a
chunk (837, 999 and 277: :mod:`collectors.edi.claim_summaries`); a partial with a ``settle``
method is completed by the main process once it has the chunk's envelope
(:mod:`collectors.edi.inspect_totals`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from collectors.edi.chunks import Chunk
from collectors.edi.claim_summaries import (
    summarise_acks,
    summarise_claim_status,
    summarise_claims,
)
from collectors.edi.delimiters import Delimiters
from collectors.edi.diagnostics import Diagnostics
from collectors.edi.era import EraTotals
from collectors.edi.segment_frames import SegmentBatch, is_envelope, stray_rows, tokenise_chunk


@dataclass
class ChunkSummary:
    """What one chunk contributes; segment numbers count from 1 within the chunk."""

    segments: int
    envelope_rows: list[tuple[int, str, tuple[str, ...]]]
    strays: tuple[int, int, str] | None  # (count, first segment, its tag)
    diagnostics: Diagnostics
    partials: dict[str, Any] = field(default_factory=dict)  # set id -> partial result


@dataclass(frozen=True)
class ChunkTransactions:
    """The STs opened in the chunk: local indices from 0, their ST01, ST02, ST03 and segment."""

    # transaction_index, set_id, transaction_control_number, segment_number, implementation
    frame: pl.DataFrame

    def indices(self, set_id: str) -> list[int]:
        return self.frame.filter(pl.col("set_id") == set_id)["transaction_index"].to_list()


def summarise_remittance(
    batch: SegmentBatch, transactions: ChunkTransactions, diagnostics: Diagnostics
) -> EraTotals:
    from collectors.edi.remit_quick import quick_era
    from collectors.edi.remittance import _BatchFlattener

    indices = transactions.indices("835")
    quick = quick_era(batch, indices)
    if quick is not None:
        return quick
    envelope_part = transactions.frame.filter(pl.col("transaction_index").is_in(indices)).drop(
        "set_id", "implementation"
    )
    frames = _BatchFlattener(diagnostics, full=False).flatten(batch, indices, envelope_part)
    return EraTotals.of(frames)


SetSummary = Callable[[SegmentBatch, ChunkTransactions, Diagnostics], Any]
SET_SUMMARIES: dict[str, SetSummary] = {
    "835": summarise_remittance,
    "837": summarise_claims,
    "999": summarise_acks,
    "277": summarise_claim_status,
}


def summarise_chunk(data: bytes, delimiters: Delimiters) -> ChunkSummary:
    """Tokenise and summarise one chunk (picklable in and out, for worker processes)."""
    frame = tokenise_chunk(Chunk(data, delimiters, 0), first_number=1, transaction_base=0)
    tag = pl.col("tag")
    envelope = frame.filter(is_envelope())
    rows = [
        (number, seg_tag, tuple(elements))
        for number, seg_tag, elements in envelope.select(
            "segment_number", "tag", pl.col("text").str.split(delimiters.element)
        ).iter_rows()
    ]
    strays_frame = stray_rows(frame)
    strays = None
    if strays_frame.height:
        first_number, first_tag = strays_frame.select("segment_number", "tag").row(0)
        strays = (strays_frame.height, first_number, first_tag)
    sts = envelope.filter(tag == "ST").select(
        pl.int_range(pl.len(), dtype=pl.Int64).alias("transaction_index"),
        pl.col("element1").fill_null("").alias("set_id"),
        pl.col("text")
        .str.split(delimiters.element)
        .list.get(2, null_on_oob=True)
        .str.strip_chars(" \t\r\n")
        .alias("control"),
        "segment_number",
        pl.col("text")
        .str.split(delimiters.element)
        .list.get(3, null_on_oob=True)
        .str.strip_chars(" \t\r\n")
        .alias("guide"),
    )
    sts = sts.with_columns(
        transaction_control_number=pl.when(pl.col("control") != "").then("control"),
        implementation=pl.when(pl.col("guide") != "").then("guide"),
    ).drop("control", "guide")
    transactions = ChunkTransactions(sts)
    diagnostics = Diagnostics()
    summary = ChunkSummary(frame.height, rows, strays, diagnostics)
    batch = SegmentBatch(frame, delimiters, [])
    for set_id in sorted(set(sts["set_id"].to_list()) & SET_SUMMARIES.keys()):
        summary.partials[set_id] = SET_SUMMARIES[set_id](batch, transactions, diagnostics)
    return summary
