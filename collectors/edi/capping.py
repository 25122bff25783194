"""Vectorised warning helpers: only the rows that could be kept get formatted."""

from __future__ import annotations

import polars as pl

from collectors.edi.diagnostics import MAX_PER_KIND


def capped(frame: pl.DataFrame, column: str = "segment_number") -> tuple[pl.DataFrame, int]:
    """``(rows to warn about, rows to only count)``: the earliest MAX_PER_KIND rows, ties kept.

    For vectorised callers, so a file with a million imbalances does not format a million
    strings: rows past the cutoff could never be kept by :meth:`Diagnostics.warn` anyway.
    """
    if frame.height <= MAX_PER_KIND:
        return frame, 0
    cutoff = frame[column].sort()[MAX_PER_KIND - 1]
    kept = frame.filter(pl.col(column) <= cutoff)
    return kept, frame.height - kept.height
