"""X12 amounts (data type R) as exact integer cents — never a binary float, not even transiently.

The rule (:func:`parse_cents`; the vectorised path converts the common shape with
:func:`simple_cents_expr` and hands everything else to :func:`parse_cents`):

- Surrounding spaces are ignored; an empty element is *absent* (``None``), not zero.
- Accepted: an optional sign (``-``, or a tolerated ``+``), at most 15 integer digits, an optional
  decimal point and fraction digits: ``"0.07"`` → 7, ``"-1.08"`` → -108, ``"5."`` → 500,
  ``".5"`` → 50, ``"1790"`` → 179000. Anything else (``"1,000.00"``, ``"1E3"``, ``"N/A"``, 16+
  integer digits) is *malformed*: the value is left absent and the caller warns, naming the
  segment and element.
- More than two decimals: rounded to the cent **half away from zero** (``"1.225"`` → 123,
  ``"-1.225"`` → -123, ``"1.2249"`` → 122), and the caller warns. Only the third decimal decides, so
  the rounding never compounds.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:  # kept out of the import path: the tokenizer's main process never loads Polars
    import polars as pl

Problem = Literal["malformed", "rounded"]

MAX_INTEGER_DIGITS = 15
_AMOUNT = re.compile(r"([+-]?)([0-9]{0,15})(?:\.([0-9]*))?")
# The common shape, which a Decimal(18, 2) cast converts exactly.
_SIMPLE_PATTERN = r"^-?[0-9]{1,15}(\.[0-9]{1,2})?$"
_SIMPLE = re.compile(_SIMPLE_PATTERN.removeprefix("^").removesuffix("$"))
_SPACES = " \t\r\n"


def parse_cents(text: str | None) -> tuple[int | None, Problem | None]:
    """Parse one amount: ``(cents or None, problem or None)``; see the module docstring."""
    if text is None:
        return None, None
    value = text.strip(_SPACES)
    if not value:
        return None, None
    match = _AMOUNT.fullmatch(value)
    if match is None or not (match[2] or match[3]):
        return None, "malformed"
    sign, whole, fraction = match[1], match[2], match[3] or ""
    cents = int(whole or "0") * 100 + int((fraction + "00")[:2])
    problem: Problem | None = None
    if len(fraction) > 2:
        problem = "rounded"
        if fraction[2] >= "5":
            cents += 1
    return (-cents if sign == "-" else cents), problem


def simple_cents_expr(raw: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """Vectorised :func:`parse_cents` for the common shape; ``(cents, is_simple)`` expressions.

    ``raw`` must already be trimmed, with absent elements null. Values shaped ``-?digits(.d{1,2})?``
    (all real amounts, nearly always) are converted exactly by a Decimal cast; for the rest
    ``is_simple`` is false and the caller converts them one by one with :func:`parse_cents`, so the
    two paths share the rule for everything unusual (and the tests check the common shape agrees).
    """
    import polars as pl

    simple = raw.str.contains(_SIMPLE_PATTERN).fill_null(True)
    cents = (raw.cast(pl.Decimal(18, 2), strict=False) * 100).cast(pl.Int64)
    return cents, simple


def simple_cents(text: str) -> int | None:
    """:func:`simple_cents_expr` for one value: its cents when it has the common shape, else None
    (for the few segments of a batch that are cheaper to read in Python than to plan a query for).
    """
    return parse_cents(text)[0] if _SIMPLE.fullmatch(text) else None


def format_cents(cents: int | None) -> str | None:
    """Cents as a two-decimal string (``-7`` → ``"-0.07"``): how money leaves rcmwatch."""
    if cents is None:
        return None
    sign = "-" if cents < 0 else ""
    whole, part = divmod(abs(cents), 100)
    return f"{sign}{whole}.{part:02d}"
