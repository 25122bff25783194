"""HL hierarchies (837: 20/22/23; 277CA: 20/21/19/PT), read by level code and order.

Real files repeat HL ids or name parents that do not exist (imsweb's ``x12_many_claims.txt``), so
the flatteners never follow HL02: an HL hangs from the latest HL of the level its own level needs
(the one before it in :attr:`Hierarchy.levels`), and a new HL of some level ends every HL of the
deeper levels. Inconsistencies are warnings, one line each (kind ``structure``):

- an HL level the hierarchy does not know (its segments are not attributed; the HLs above stay);
- an HL whose needed level has no HL above it;
- an HL02 naming another parent than the HL it hangs from (it is read as under that one);
- an HL id repeated within its transaction.

:meth:`Hierarchy.warnings` words them for both paths; :class:`HierarchyTracker` is the
per-segment bookkeeping and :func:`check_hls` the vectorised one over a batch's HL rows.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from collectors.edi import frame_values as V
from collectors.edi.capping import capped
from collectors.edi.diagnostics import Diagnostics

KIND = "structure"


@dataclass(frozen=True)
class Hierarchy:
    levels: tuple[str, ...]  # HL03 codes, the top level first
    names: dict[str, str]  # level → what it is ("subscriber")

    def parent_level(self, level: str) -> str | None:
        if level not in self.levels:
            return None
        position = self.levels.index(level)
        return self.levels[position - 1] if position else None

    def warnings(
        self, hl_id: str, segment: int, level: str, parent: str, above: str | None, repeated: bool
    ) -> list[str]:
        """The warnings of one HL; ``above`` is the id of the HL it hangs from, or None."""
        out = []
        needed = self.parent_level(level)
        if level not in self.levels:
            known = ", ".join(self.levels[:-1]) + " and " + self.levels[-1]
            out.append(
                f"HL {hl_id} at segment {segment} has level {level!r}: only {known} are read"
            )
        elif needed is not None and above is None:
            out.append(
                f"HL {hl_id} at segment {segment} ({self.names[level]}) has no "
                f"{self.names[needed]} HL above it"
            )
        elif needed is not None and parent != above:
            out.append(
                f"HL {hl_id} at segment {segment} names parent {parent!r} but follows HL "
                f"{above!r}: read as under HL {above!r}"
            )
        if repeated:
            out.append(
                f"HL id {hl_id!r} at segment {segment} repeats an earlier HL of its transaction"
            )
        return out


class HierarchyTracker:
    """Per-segment bookkeeping of one transaction's HLs (call :meth:`reset` at each ST)."""

    def __init__(self, hierarchy: Hierarchy, diagnostics: Diagnostics) -> None:
        self.hierarchy = hierarchy
        self.diagnostics = diagnostics
        self.reset()

    def reset(self) -> None:
        self._latest: dict[str, str] = {}
        self._seen: set[str] = set()

    def see(self, hl_id: str, parent: str, level: str, segment: int) -> None:
        """One HL (elements trimmed, ``""`` when absent): warn, then update the latest HLs."""
        levels = self.hierarchy.levels
        needed = self.hierarchy.parent_level(level)
        above = self._latest.get(needed) if needed is not None else None
        repeated = hl_id in self._seen
        self._seen.add(hl_id)
        for text in self.hierarchy.warnings(hl_id, segment, level, parent, above, repeated):
            self.diagnostics.warn(KIND, text, segment)
        if level in levels:
            position = levels.index(level)
            for deeper in levels[position:]:
                self._latest.pop(deeper, None)
            self._latest[level] = hl_id


def scoped_levels(
    hierarchy: Hierarchy,
    level: pl.Expr,
    is_hl: pl.Expr,
    is_st: pl.Expr,
    value: pl.Expr | None = None,
) -> dict[str, pl.Expr]:
    """Per level, the latest HL of that level at or above each row, as ``value`` (a positive
    key; by default the 1-based ordinal of the batch's HLs of that level), 0 before one and after
    an ST or an HL of a higher level (vectorised; see :func:`with_levels` for the usual use)."""
    out = {}
    for position, code in enumerate(hierarchy.levels):
        marker = is_hl & (level == code)
        key = marker.cast(pl.Int64).cum_sum() if value is None else value
        filled = pl.when(marker).then(key).when(is_st).then(0)
        for higher in hierarchy.levels[:position]:
            filled = filled.when(is_hl & (level == higher)).then(0)
        out[code] = filled.forward_fill()
    return out


def with_levels(
    segments: pl.LazyFrame,
    hierarchy: Hierarchy,
    names: dict[str, str],
    *,
    element: str,
    key: str | None = None,
) -> pl.LazyFrame:
    """``segments`` (columns segment_number, tag, text; file order) with ``level`` (HL03 on HL
    rows) and, for each level in ``names``, a column of that name keying the latest HL of the
    level above each row (:func:`scoped_levels`; null when none). ``key`` names a column of HL
    keys to use instead of the per-level ordinals.

    The levels are computed over the few ST and HL rows, then joined back and forward filled:
    much cheaper than evaluating the chains over every segment.
    """
    tag = pl.col("tag")
    is_hl, is_st = tag == "HL", tag == "ST"
    level = pl.col("level")
    markers = (
        segments.filter(is_hl | is_st)
        .with_columns(
            level=pl.when(is_hl).then(V.text(3, pl.col("text").str.split(element)).fill_null(""))
        )
        .with_columns(
            **{
                names[code]: expr
                for code, expr in scoped_levels(
                    hierarchy, level, is_hl, is_st, pl.col(key) if key else None
                ).items()
                if code in names
            }
        )
        .select("segment_number", "level", *names.values())
    )
    columns = list(names.values())
    return (
        segments.join(markers, on="segment_number", how="left", maintain_order="left")
        .with_columns(pl.col(columns).forward_fill())
        .with_columns([pl.when(pl.col(c) > 0).then(pl.col(c)).alias(c) for c in columns])
    )


def check_hls(hierarchy: Hierarchy, hls: pl.DataFrame, diagnostics: Diagnostics) -> None:
    """Warn about a batch's HL rows (columns segment_number, transaction_index, level, el)."""
    if not hls.height:
        return
    levels = hierarchy.levels
    level, hl_id, tx = pl.col("level"), pl.col("hl_id"), "transaction_index"
    # HL rows are in file order, so transactions are contiguous: a run restarts at the first row
    # of each (cheaper than windows ``over`` the transaction).
    first_of_tx = pl.col(tx).ne_missing(pl.col(tx).shift(1))
    latest = {}
    row = pl.int_range(pl.len())
    for position, code in enumerate(levels[:-1]):
        # The row of the latest HL of this level; a higher level (or a new transaction) ends it
        # with -1 (forward fill would skip a null). Rows, not ids: any id text is a real id,
        # even one that a marker string could have been (a lone NUL once was).
        filled = (
            pl.when(level == code)
            .then(row)
            .when(level.is_in(levels[:position]) | first_of_tx)
            .then(-1)
            .forward_fill()
        )
        latest[code] = pl.when(filled >= 0).then(hl_id.gather(filled.clip(lower_bound=0)))
    above = pl.lit(None, pl.String)
    for position, code in enumerate(levels[1:], start=1):
        above = pl.when(level == code).then(latest[levels[position - 1]]).otherwise(above)
    checked = hls.select(
        "segment_number",
        tx,
        "level",
        hl_id=V.text(1).fill_null(""),
        parent=V.text(2).fill_null(""),
    ).with_columns(above=above, repeated=~pl.struct(tx, "hl_id").is_first_distinct())
    known = level.is_in(levels)
    dependent = known & (level != levels[0])
    above_col, parent = pl.col("above"), pl.col("parent")
    chain = ~known | (dependent & above_col.is_null()) | (dependent & (parent != above_col))
    problems = chain.fill_null(False).cast(pl.Int64) + pl.col("repeated").cast(pl.Int64)
    flagged = checked.with_columns(problems=problems).filter(pl.col("problems") > 0)
    if not flagged.height:
        return
    kept, _ = capped(flagged)
    total, shown = flagged.get_column("problems").sum(), kept.get_column("problems").sum()
    diagnostics.count_more(KIND, int(total) - int(shown))
    columns = ("hl_id", "segment_number", "level", "parent", "above", "repeated")
    for values in kept.select(columns).iter_rows():
        for text in hierarchy.warnings(*values):
            diagnostics.warn(KIND, text, values[1])
