"""Polars building blocks of the vectorised 837, 999 and 277CA flatteners.

A flattener turns a batch's segments (one row each, elements split into the list column ``el``)
into *queries*: lazy frames that each read some fields of one kind of segment, keyed by the
indices the flattener computed (claim, HL, set, ...). Text is read here in full. Amounts, dates
and counts are converted here only when they have the common shape; each such column brings
helper columns (``__s<col>`` common shape?, ``__v<col>`` the value as sent, ``__n<col>`` its
segment number) so that :meth:`Query.finish` converts the rest one by one with the per-segment
rules of :mod:`collectors.edi.money`, :mod:`collectors.edi.dates` and :mod:`collectors.edi.values`
— and warns exactly as the per-segment path does. Composites record the separator they were split
on when it is not the declared one (``__u<col>``), for the once-per-file composite warning.

Usage::

    clm = rows.filter(pl.col("tag") == "CLM")             # a batch's segments, ``el`` split
    q = Query(
        clm.select("claim", "segment_number", text(1).alias("pcn"),
                   *converted("charge_cents", "money", "CLM02", raw(2))),
        [Conversion("charge_cents", "money", "CLM02")],
    )
    claims, = collect([q], diagnostics, declared=":")   # runs queries together, finishes each
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import polars as pl

from collectors.edi.composites import PUNCTUATION
from collectors.edi.dates import parse_date, simple_date_expr
from collectors.edi.diagnostics import Diagnostics
from collectors.edi.fields import amount_warning, composite_warning, date_warning
from collectors.edi.money import parse_cents, simple_cents_expr
from collectors.edi.values import MAX_COUNT_DIGITS, count_warning, parse_count

BLANKS = " \t\r\n"
H = "__"  # prefix of helper columns; dropped by Query.finish
_PUNCT = sorted(PUNCTUATION)
_COUNT_PATTERN = rf"^[0-9]{{1,{MAX_COUNT_DIGITS}}}$"

Index = int | pl.Expr
Kind = Literal["money", "date", "count"]


Elements = str | pl.Expr  # the list column of a segment's elements, or an expression of it


def get(index: Index, column: Elements = "el") -> pl.Expr:
    """Element ``index`` of the list column (``el``: index 0 is the tag), null when absent."""
    elements = pl.col(column) if isinstance(column, str) else column
    return elements.list.get(index, null_on_oob=True)


def leading_elements(separator: str, last: int, text: str = "text") -> list[pl.Expr]:
    """Elements 0..``last`` of ``text`` as columns ``e0``..; null past the segment's end.

    For the fast paths, which read a few leading elements: ``split_exact`` cuts out only those,
    cheaper than listing every element (``el``)."""
    parts = pl.col(text).str.split_exact(separator, last)
    return [parts.struct.field(f"field_{i}").alias(f"e{i}") for i in range(last + 1)]


def element_column(index: int) -> pl.Expr:
    """Column ``e<index>`` of :func:`leading_elements`."""
    return pl.col(f"e{index}")


def null_if_empty(value: pl.Expr) -> pl.Expr:
    return pl.when(value != "").then(value)


def text(index: Index, column: Elements = "el") -> pl.Expr:
    """Element ``index`` trimmed, null when absent or empty (the per-segment ``element()``)."""
    return null_if_empty(get(index, column).str.strip_chars(BLANKS))


def raw(index: Index, column: Elements = "el") -> pl.Expr:
    """Element ``index`` as sent, null when absent or empty (amounts, dates, counts)."""
    return null_if_empty(get(index, column))


def present(index: Index, column: Elements = "el") -> pl.Expr:
    return present_value(get(index, column))


def present_value(value: pl.Expr) -> pl.Expr:
    """Not absent, not blank (the per-segment rule for a required element)."""
    return (value.str.strip_chars(BLANKS) != "").fill_null(False)


def npi(qualifier: Index, identifier: Index) -> pl.Expr:
    """The NM1 identifier when its qualifier says NPI (``XX``), else null."""
    return pl.when(text(qualifier) == "XX").then(text(identifier))


def without(frame: pl.DataFrame, *columns: str) -> pl.DataFrame:
    return frame.drop([c for c in columns if c in frame.columns])


def first_by(frame: pl.LazyFrame, *keys: str) -> pl.LazyFrame:
    """The first row of each key (rows in file order, keys ascending and not null)."""
    frame = frame.filter(pl.all_horizontal(pl.col(k).is_not_null() for k in keys))
    changed = pl.any_horizontal(pl.col(k).ne_missing(pl.col(k).shift(1)) for k in keys)
    return frame.filter(changed)


def alternative_separator(value: pl.Expr, declared: str, three: bool = False) -> pl.Expr:
    """The separator a composite uses instead of ``declared``, else null (values.split_code)."""
    missing = ~value.str.contains(declared, literal=True)
    third, fourth = value.str.slice(2, 1), value.str.slice(3, 1)
    used = pl.when(missing & (value.str.len_chars() > 2) & third.is_in(_PUNCT)).then(third)
    if three:
        used = used.when(
            missing
            & (value.str.len_chars() > 3)
            & fourth.is_in(_PUNCT)
            & value.str.slice(0, 3).str.contains("^[A-Za-z0-9]{3}$")
        ).then(fourth)
    return used


def split_components(value: pl.Expr, declared: str, used: pl.Expr) -> pl.Expr:
    """``value`` split on the separator it uses (list; null stays null)."""
    return value.str.split(pl.coalesce(used, pl.lit(declared)))


def component(parts: pl.Expr, number: int) -> pl.Expr:
    """1-based component of a split composite, trimmed, null when absent or empty."""
    return null_if_empty(parts.list.get(number - 1, null_on_oob=True).str.strip_chars(BLANKS))


def normalised(value: pl.Expr, declared: str) -> pl.Expr:
    """A composite shown with ``:`` between its components whatever the file's separator."""
    return value if declared == ":" else value.str.replace_all(declared, ":", literal=True)


@dataclass(frozen=True)
class Conversion:
    column: str
    kind: Kind
    reference: str  # how warnings name the element, e.g. "CLM02", "DTP03"


@dataclass
class Query:
    """A lazy frame and the conversions and composites :meth:`finish` completes."""

    frame: pl.LazyFrame
    conversions: list[Conversion] = field(default_factory=list)
    composites: list[str] = field(default_factory=list)  # columns holding "separator used"

    def finish(self, df: pl.DataFrame, diagnostics: Diagnostics, declared: str) -> pl.DataFrame:
        """Warn about composites, convert the unusual values, drop the helper columns."""
        for column in self.composites:
            used = df.get_column(column)
            if used.null_count() == len(used):
                continue
            found = (
                df.filter(pl.col(column).is_not_null())
                .group_by(column)
                .agg(pl.col("segment_number").min())
                .sort(column)
            )
            for alt, segment in found.iter_rows():
                key, message = composite_warning(alt, declared, segment)
                diagnostics.warn_once(key, "composite", message, segment)
        for conversion in self.conversions:
            flag = df.get_column(f"{H}s{conversion.column}").fill_null(True)
            if not flag.all():
                df = _convert_unusual(df, conversion, flag, diagnostics)
        return df.select([c for c in df.columns if not c.startswith(H)])


def converted(column: str, kind: Kind, reference: str, value: pl.Expr) -> list[pl.Expr]:
    """The columns of one converted value (``value`` as sent, null when empty)."""
    if kind == "money":
        parsed, simple = simple_cents_expr(value)
    elif kind == "date":
        parsed, simple = simple_date_expr(value)
    else:
        simple = value.is_null() | value.str.contains(_COUNT_PATTERN)
        parsed = pl.when(simple).then(value.cast(pl.Int64, strict=False))
    return [
        parsed.alias(column),
        simple.alias(f"{H}s{column}"),
        value.alias(f"{H}v{column}"),
        pl.col("segment_number").alias(f"{H}n{column}"),
    ]


def _convert_unusual(
    df: pl.DataFrame, conversion: Conversion, flag: pl.Series, diagnostics: Diagnostics
) -> pl.DataFrame:
    name, kind, ref = conversion.column, conversion.kind, conversion.reference
    positions = (~flag).arg_true()
    raws = df.get_column(f"{H}v{name}").gather(positions).to_list()
    segments = df.get_column(f"{H}n{name}").gather(positions).to_list()
    values: list = []
    for value_raw, seg in zip(raws, segments, strict=True):
        shown = value_raw.strip(BLANKS)
        if kind == "date":
            value, malformed = parse_date(value_raw)
            if malformed:
                diagnostics.warn("date", date_warning(ref, shown, seg), seg)
        elif kind == "count":
            value, malformed = parse_count(value_raw)
            if malformed:
                diagnostics.warn("number", count_warning(ref, shown, seg), seg)
        else:
            value, problem = parse_cents(value_raw)
            if problem:
                diagnostics.warn("amount", amount_warning(ref, shown, value, problem, seg), seg)
        values.append(value)
    dtype = {"date": pl.Date, "count": pl.Int64, "money": pl.Int64}[kind]
    column = df.get_column(name).cast(dtype).clone()
    column.scatter(positions, pl.Series(values, dtype=dtype))
    return df.with_columns(column)


def collect(
    queries: Sequence[Query], diagnostics: Diagnostics, declared: str
) -> list[pl.DataFrame]:
    """Run the queries together (Polars parallelises them), then finish each."""
    frames = pl.collect_all([q.frame for q in queries])
    return [q.finish(df, diagnostics, declared) for q, df in zip(queries, frames, strict=True)]


def left_join(left: pl.DataFrame, right: pl.DataFrame, on: str | list[str]) -> pl.DataFrame:
    return left.join(right, on=on, how="left", maintain_order="left")


def with_schema(frame: pl.DataFrame, schema: dict[str, pl.DataType]) -> pl.DataFrame:
    """The schema's columns in its order and types (missing ones null)."""
    return frame.select(
        [
            (pl.col(c) if c in frame.columns else pl.lit(None)).cast(t).alias(c)
            for c, t in schema.items()
        ]
    )


def period(start: str, end: str) -> tuple[list[pl.Expr], list[Conversion]]:
    """The row's DTP02/DTP03 period as ``start`` / ``end`` dates (values.period_parts).

    Besides the converted columns it adds ``<end>_single`` (the period is one date);
    :func:`close_period` then copies ``start`` into ``end`` for those rows and drops the flag.
    """
    qualifier, value = text(2).fill_null(""), text(3)
    split = value.str.splitn("-", 2)
    head = (
        pl.when(qualifier == "RD8")
        .then(split.struct.field("field_0"))
        .when(qualifier == "DT")
        .then(value.str.slice(0, 8))
        .otherwise(value)
    )
    tail = pl.when(qualifier == "RD8").then(split.struct.field("field_1"))
    exprs = [
        *converted(start, "date", "DTP03", null_if_empty(head)),
        *converted(end, "date", "DTP03", null_if_empty(tail)),
        tail.is_null().alias(f"{end}_single"),
    ]
    return exprs, [Conversion(start, "date", "DTP03"), Conversion(end, "date", "DTP03")]


def close_period(frame: pl.DataFrame, start: str, end: str) -> pl.DataFrame:
    single = pl.col(f"{end}_single")
    return frame.with_columns(
        pl.when(single).then(pl.col(start)).otherwise(pl.col(end)).alias(end)
    ).drop(f"{end}_single")
