"""Composite elements (``HC:99213:25``), including files whose composites contradict ISA16.

Real files declare one component separator in ISA16 and use another in the data (LinuxForHealth's
samples copy ``HC>12345>26`` from the TR3 PDF under ISA16 ``:``). The rule, the same in both paths:

1. A composite that contains the declared separator is split on it.
2. Otherwise, if its third character is ASCII punctuation, that character is taken as the separator
   actually used, and the file gets one warning per such character. This is safe for the composites
   read here because each starts with a two-character code: SVC01/SVC06 a product/service qualifier
   (``HC``, ``AD``, ``N4``, ``NU``, ``ZZ``, ...), PLB03-13 a two-character adjustment reason
   (``WO``, ``L6``, ``50``, ...).
3. Otherwise it is a single component.

Composites are read in these positions only: guessing a separator inside free text would be wrong.
"""

from __future__ import annotations

import string

import polars as pl

PUNCTUATION = frozenset(string.punctuation)


def split_composite(value: str, declared: str) -> tuple[list[str], str | None]:
    """``(components, separator used instead of the declared one or None)``."""
    if declared in value:
        return value.split(declared), None
    if len(value) > 2 and value[2] in PUNCTUATION:
        return value.split(value[2]), value[2]
    return [value], None


def alternative_separator_expr(value: pl.Expr, declared: str) -> pl.Expr:
    """The separator used instead of ``declared`` (rule 2), else null — vectorised."""
    third = value.str.slice(2, 1)
    return (
        pl.when(
            ~value.str.contains(declared, literal=True)
            & (value.str.len_chars() > 2)
            & third.is_in(sorted(PUNCTUATION))
        )
        .then(third)
        .otherwise(None)
    )


def normalised_composite_expr(value: pl.Expr, declared: str, alternatives: list[str]) -> pl.Expr:
    """``value`` with each alternative separator (from rule 2) replaced by the declared one.

    ``alternatives`` are the characters :func:`alternative_separator_expr` found in this batch
    (usually none), so the replacement costs nothing on ordinary files.
    """
    used = alternative_separator_expr(value, declared)
    out = value
    for alt in alternatives:
        out = (
            pl.when(used == alt)
            .then(out.str.replace_all(alt, declared, literal=True))
            .otherwise(out)
        )
    return out
