"""Inspect's fast path for 837 batches: the ``claims`` totals without flattening.

``rcmwatch edi inspect`` needs three numbers per batch (CLM loops, SV1/SV2 lines, ΣCLM02) and the
warnings a full flattening would raise. Most batches raise none: this module checks, with a few
cheap vectorised tests over the segments the flattener reads, that a batch *cannot* warn — every
amount, date and count it could convert has the common shape, no composite uses another
separator than the declared one, every HI element has a code, every claim is under a subscriber
and every line in an LX loop of a claim — and then computes the totals directly. The tests are
conservative (they look at every candidate segment, not only the first of its loop that the
flattener reads), so a batch that fails any of them simply goes through the full flattener
(:class:`collectors.edi.claims.ClaimFlattener`), which words the warnings. HL hierarchy and
claim type warnings are computed exactly here, as the flattener does.
"""

from __future__ import annotations

import re

import polars as pl

from collectors.edi import claim_layout as L
from collectors.edi import frame_values as V
from collectors.edi.diagnostics import Diagnostics
from collectors.edi.hierarchy import check_hls, with_levels
from collectors.edi.inspect_totals import ClaimTotals
from collectors.edi.segment_frames import SegmentBatch

PERIOD_QUALIFIERS = (*L.CLAIM_PERIODS, L.LINE_DATE)


def _simple(kind: V.Kind, value: pl.Expr) -> pl.Expr:
    """True when ``value`` converts without a warning on the common-shape path."""
    return V.converted("x", kind, "", value)[1].fill_null(True)


def _date(value: pl.Expr) -> pl.Expr:
    """Implies the common date shape (8 ASCII digits, a real date from year 1), more cheaply
    than dates.simple_date_expr; null stays null."""
    return (
        (value.str.len_bytes() == 8)
        & value.cast(pl.UInt32, strict=False).is_not_null()
        & ~value.str.starts_with("+")
        & ~value.str.starts_with("0000")
        & value.str.to_date("%Y%m%d", strict=False).is_not_null()
    )


def _period(qualifier: pl.Expr, value: pl.Expr) -> pl.Expr:
    """Implies that values.period_parts gives common-shape dates (D8, RD8, DT); else False."""
    return (
        pl.when(qualifier == "D8")
        .then(_date(value))
        .when(qualifier == "RD8")
        .then(
            (value.str.len_bytes() == 17)
            & (value.str.slice(8, 1) == "-")
            & _date(value.str.slice(0, 8))
            & _date(value.str.slice(9, 8))
        )
        .when(qualifier == "DT")
        .then(_date(value.str.slice(0, 8)))
        .otherwise(value.is_null())
    )


_e = V.element_column


def _raw(index: int) -> pl.Expr:
    return V.null_if_empty(_e(index))


def _text(index: int) -> pl.Expr:
    return V.null_if_empty(_e(index).str.strip_chars(V.BLANKS))


def _no_alternative(value: pl.Expr, declared: str) -> pl.Expr:
    return V.alternative_separator(value, declared).is_null()


def _hi_pattern(element: str, component: str) -> str:
    """An HI segment whose every non-empty element is ``qualifier<C>code...`` with a code."""
    e, c = re.escape(element), re.escape(component)
    composite = rf"[^{e}{c}]*{c}[^{e}{c}\s][^{e}]*"
    return rf"^HI(?:{e}(?:{composite})?)*$"


def quick_counts(
    batch: SegmentBatch, indices: list[int], diagnostics: Diagnostics
) -> ClaimTotals | None:
    """The batch's totals when it cannot warn (then its exact HL warnings are raised too), else
    None and nothing raised: the caller flattens it."""
    delimiters = batch.delimiters
    declared = delimiters.component
    tag = pl.col("tag")
    # Tags as categories: the filters and the partition below compare small integers.
    segments = (
        batch.frame.lazy()
        .with_columns(tag.cast(pl.Categorical))
        .filter(pl.col("transaction_index").is_in(indices) & tag.is_in(L.TAGS))
        .collect()
    )
    by_tag = {key[0]: frame for key, frame in segments.partition_by("tag", as_dict=True).items()}
    empty = segments.clear()

    def rows(name: str, last: int) -> pl.LazyFrame:
        """The segments tagged ``name`` with their elements 0..``last`` as columns ``e0``.."""
        fields = V.leading_elements(delimiters.element, last)
        return by_tag.get(name, empty).lazy().with_columns(fields)

    def clean(source: pl.LazyFrame, condition: pl.Expr) -> pl.LazyFrame:
        return source.select(clean=condition.fill_null(True).all())

    clm = rows("CLM", 5).select(
        n=pl.len(),
        charge=V.converted("charge", "money", "", _raw(2))[0].sum(),
        clean=(
            V.present_value(_e(1))
            & V.present_value(_e(2))
            & _simple("money", _raw(2))
            & _no_alternative(_text(5), declared).fill_null(True)
        ).all(),
    )
    lines = [
        rows(name, max(amount, procedure)).select(
            n=pl.len(),
            clean=(
                _simple("money", _raw(amount))
                & _no_alternative(_text(procedure), declared).fill_null(True)
            ).all(),
        )
        for name, amount, procedure in (("SV1", 2, L.SV1_PROCEDURE), ("SV2", 3, L.SV2_PROCEDURE))
    ]
    q1 = pl.col("element1")
    checks = [
        # Dates repeat (a batch's service dates span weeks): each distinct one is checked once.
        clean(
            rows("DTP", 3)
            .filter(q1.is_in(PERIOD_QUALIFIERS))
            .select(q=_text(2).fill_null(""), v=_text(3))
            .unique(),
            _period(pl.col("q"), pl.col("v")),
        ),
        clean(rows("DMG", 2).select(v=_raw(2)).unique(), _date(pl.col("v"))),
        clean(rows("BHT", 4), _date(_raw(4))),
        clean(rows("AMT", 2).filter(q1 == "D"), _simple("money", _raw(2))),
        clean(rows("LX", 1), _simple("count", _raw(1))),
        clean(
            by_tag.get("HI", empty).lazy(),
            pl.col("text").str.contains(_hi_pattern(delimiters.element, declared)),
        ),
    ]
    # Structure: every claim under a subscriber, every line in an LX loop of a claim.
    markers = segments.lazy().filter(
        tag.is_in((*L.CLAIM_BOUNDARY_TAGS, *L.PART_TAGS, *L.LINE_TAGS))
    )
    names = {L.SUBSCRIBER_LEVEL: "sub"}
    placed = with_levels(markers, L.HIERARCHY, names, element=delimiters.element).with_columns(
        in_claim=pl.when(tag.is_in(L.CLAIM_BOUNDARY_TAGS)).then(tag).forward_fill() == "CLM",
        part=pl.when(tag.is_in((*L.PART_TAGS, "ST", "HL", "SE"))).then(tag).forward_fill(),
    )
    checks.append(
        placed.select(
            clean=(
                pl.when(tag == "CLM")
                .then(pl.col("sub").is_not_null())
                .when(tag.is_in(L.LINE_TAGS))
                .then(pl.col("in_claim") & (pl.col("part") == "LX"))
                .otherwise(True)
            ).all()
        )
    )
    results = pl.collect_all([clm, *lines, *checks])
    if not all(frame.item(0, "clean") for frame in results):
        return None
    hls = (
        by_tag.get("HL", empty)
        .lazy()
        .with_columns(el=pl.col("text").str.split(delimiters.element))
        .with_columns(level=V.text(3).fill_null(""))
        .collect()
    )
    check_hls(L.HIERARCHY, hls, diagnostics)
    claims = results[0]
    return ClaimTotals(
        claims=int(claims.item(0, "n")),
        service_lines=sum(int(frame.item(0, "n")) for frame in results[1:3]),
        charge=int(claims.item(0, "charge") or 0),
    )
