"""X12 dates (data type DT, CCYYMMDD): one rule for the per-segment and the vectorised path.

Exactly eight digits forming a real calendar date from year 0001 on; anything else non-empty
(``00000000``, ``20240230``, ``2024-01-01``) is left absent and the caller warns. Placeholder dates
that *are* valid (``19000101``) are kept as sent: judging them is the checks' job, not the parser's.
"""

from __future__ import annotations

import datetime as dt
import re

import polars as pl

_DIGITS8 = re.compile(r"[0-9]{8}")
_DATE_PATTERN = r"^[0-9]{8}$"
_SPACES = " \t\r\n"


def parse_date(text: str | None) -> tuple[dt.date | None, bool]:
    """``(date or None, malformed?)``; an empty element is absent, not malformed."""
    if text is None:
        return None, False
    value = text.strip(_SPACES)
    if not value:
        return None, False
    if not _DIGITS8.fullmatch(value):
        return None, True
    try:
        return dt.date(int(value[:4]), int(value[4:6]), int(value[6:])), False
    except ValueError:
        return None, True


def is_simple_date(text: str) -> bool:
    """:func:`simple_date_expr`'s ``is_simple`` for one non-null value (as sent, untrimmed)."""
    return bool(_DIGITS8.fullmatch(text)) and parse_date(text)[0] is not None


def simple_date_expr(raw: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """Vectorised :func:`parse_date` for the common shape: ``(Date, is_simple)`` expressions.

    ``raw`` is untrimmed with absent elements null. Eight digits from year 0001 that form a real
    date are converted here; anything else non-null (padded, malformed, impossible dates) has
    ``is_simple`` false and goes to :func:`parse_date` value by value.
    """
    shaped = raw.str.contains(_DATE_PATTERN) & ~raw.str.starts_with("0000")
    parsed = raw.str.to_date("%Y%m%d", strict=False)
    # Year 0000 parses in Polars (proleptic calendar) but is no date in Python or in X12.
    return pl.when(shaped).then(parsed), raw.is_null() | (shaped & parsed.is_not_null())
