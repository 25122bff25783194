"""Money, dates and composites: one rule in the per-segment and the vectorised path."""

from __future__ import annotations

import datetime as dt
import re

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from collectors.edi.composites import (
    alternative_separator_expr,
    normalised_composite_expr,
    split_composite,
)
from collectors.edi.dates import is_simple_date, parse_date, simple_date_expr
from collectors.edi.money import format_cents, parse_cents, simple_cents, simple_cents_expr


@pytest.mark.parametrize(
    ("text", "cents", "problem"),
    [
        ("0.07", 7, None),
        ("-0.07", -7, None),
        ("1790", 179000, None),
        ("5.", 500, None),
        (".5", 50, None),
        ("-.5", -50, None),
        ("+3", 300, None),
        ("007.50", 750, None),
        (" 12.5 ", 1250, None),
        ("0", 0, None),
        ("-0.00", 0, None),
        ("", None, None),
        ("   ", None, None),
        (None, None, None),
        ("1.225", 123, "rounded"),  # half away from zero, not banker's (which gives 1.22)
        ("1.235", 124, "rounded"),
        ("-1.225", -123, "rounded"),
        ("1.2249", 122, "rounded"),
        ("0.005", 1, "rounded"),
        ("-0.004", 0, "rounded"),
        ("12.3400", 1234, "rounded"),  # more than two decimals is always warned about
        ("999999999999999.99", 99999999999999999, None),
        ("1234567890123456", None, "malformed"),  # 16 integer digits
        ("1,000.00", None, "malformed"),
        ("1E3", None, "malformed"),
        ("N/A", None, "malformed"),
        ("-", None, "malformed"),
        (".", None, "malformed"),
        ("1.2.3", None, "malformed"),
        ("--1", None, "malformed"),
        ("١٢", None, "malformed"),  # non-ASCII digits are not X12 digits
    ],
)
def test_parse_cents(text: str | None, cents: int | None, problem: str | None) -> None:
    assert parse_cents(text) == (cents, problem)


@pytest.mark.parametrize(
    ("cents", "text"), [(0, "0.00"), (7, "0.07"), (-7, "-0.07"), (179000, "1790.00"), (None, None)]
)
def test_format_cents(cents: int | None, text: str | None) -> None:
    assert format_cents(cents) == text


amounts = st.one_of(
    st.from_regex(r"-?[0-9]{1,15}(\.[0-9]{1,2})?", fullmatch=True),
    st.text(alphabet="0123456789.-+ ,E", max_size=20),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(amounts, min_size=1, max_size=30))
def test_vectorised_amounts_agree_with_the_rule(values: list[str]) -> None:
    """Where the vectorised path claims a value (is_simple), it equals parse_cents exactly."""
    cents, simple = simple_cents_expr(pl.col("v").replace("", None))
    frame = pl.DataFrame({"v": values}).select(cents=cents, simple=simple)
    for value, got, is_simple in zip(values, frame["cents"], frame["simple"], strict=True):
        expected, problem = parse_cents(value)
        common = value == "" or re.fullmatch(r"-?[0-9]{1,15}(\.[0-9]{1,2})?", value)
        # Exactly the common shape is claimed; the rest goes to parse_cents one by one.
        assert bool(is_simple) == bool(common), value
        if is_simple:
            assert (got, problem) == (expected, None), value
        if value:  # the scalar twin (remit_quick's sparse segments) claims exactly the same
            assert simple_cents(value) == (got if is_simple else None), value


@pytest.mark.parametrize(
    ("text", "date", "malformed"),
    [
        ("20240510", dt.date(2024, 5, 10), False),
        ("19000101", dt.date(1900, 1, 1), False),  # placeholder but a real date: kept
        ("20240229", dt.date(2024, 2, 29), False),
        (" 20240510 ", dt.date(2024, 5, 10), False),
        ("20240230", None, True),
        ("00000000", None, True),
        ("00000101", None, True),
        ("2024-05-10", None, True),
        ("2024051", None, True),
        ("20002316", None, True),  # LinuxForHealth managed-care BPR16
        ("", None, False),
        (None, None, False),
    ],
)
def test_parse_date(text: str | None, date: dt.date | None, malformed: bool) -> None:
    assert parse_date(text) == (date, malformed)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.from_regex(r"[0-9]{8}", fullmatch=True),
            st.dates().map(lambda d: d.strftime("%Y%m%d")),
            st.text(alphabet="0123456789- ", max_size=10),
        ),
        min_size=1,
        max_size=30,
    )
)
def test_vectorised_dates_agree_with_the_rule(values: list[str]) -> None:
    parsed, simple = simple_date_expr(pl.col("v").replace("", None))
    frame = pl.DataFrame({"v": values}).select(date=parsed, simple=simple)
    for value, got, is_simple in zip(values, frame["date"], frame["simple"], strict=True):
        if is_simple:
            assert parse_date(value) == (got, False), value
        if value:  # the scalar twin claims exactly the same
            assert is_simple_date(value) == is_simple, value


@pytest.mark.parametrize(
    ("value", "declared", "parts", "used"),
    [
        ("HC:99213:25", ":", ["HC", "99213", "25"], None),
        ("HC>12345>26", ":", ["HC", "12345", "26"], ">"),  # LinuxForHealth: ISA16 ':' vs data '>'
        ("AD|D1110", "|", ["AD", "D1110"], None),
        ("HC^88888", "^", ["HC", "88888"], None),
        ("L6:INT", ":", ["L6", "INT"], None),
        ("WO", ":", ["WO"], None),  # a reason code without reference
        ("HC99213", ":", ["HC99213"], None),  # no separator at all: one component
        ("HC 9921", ":", ["HC 9921"], None),  # a blank is not a separator
        ("N4:12345-6789-01", ":", ["N4", "12345-6789-01"], None),
    ],
)
def test_split_composite(value: str, declared: str, parts: list[str], used: str | None) -> None:
    assert split_composite(value, declared) == (parts, used)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet="HCN4:>|^-.0123 ", max_size=12), min_size=1, max_size=20))
def test_vectorised_composites_agree(values: list[str]) -> None:
    frame = pl.DataFrame({"v": values})
    alternatives = sorted(
        {a for a in frame.select(alternative_separator_expr(pl.col("v"), ":")).to_series() if a}
    )
    split = frame.select(normalised_composite_expr(pl.col("v"), ":", alternatives).str.split(":"))
    for value, parts in zip(values, split.to_series(), strict=True):
        assert split_composite(value, ":")[0] == parts.to_list()
