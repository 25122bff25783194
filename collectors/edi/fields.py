"""Element-to-column mappings shared by the per-segment and the vectorised flatteners.

A :class:`Field` says "column C is element N (component K) of this segment, read as text, money or
a date". Both paths read the same declarations, convert with the same rules
(:mod:`collectors.edi.money`, :mod:`collectors.edi.dates`) and word their warnings with the same
functions below, so the only thing the equivalence tests check is the mechanics.

Text values are trimmed of blanks; an empty or absent element is null. ``money_or_zero`` is for
situational amounts whose absence means none (CLP05 patient responsibility).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from collectors.edi.composites import split_composite
from collectors.edi.dates import parse_date
from collectors.edi.diagnostics import Diagnostics
from collectors.edi.money import format_cents, parse_cents

Kind = Literal["text", "money", "money_or_zero", "date"]
_BLANKS = " \t\r\n"


@dataclass(frozen=True)
class Field:
    column: str
    element: int
    kind: Kind = "text"
    component: int | None = None  # 1-based component of a composite element

    def reference(self, tag: str) -> str:
        ref = f"{tag}{self.element:02d}"
        return f"{ref}-{self.component}" if self.component else ref


def amount_warning(ref: str, raw: str, cents: int | None, problem: str, segment: int) -> str:
    if problem == "rounded":
        return (
            f"{ref} {raw!r} at segment {segment} has more than two decimals: rounded half away "
            f"from zero to {format_cents(cents)}"
        )
    return f"{ref} {raw!r} at segment {segment} is not an amount: left empty"


def date_warning(ref: str, raw: str, segment: int) -> str:
    return f"{ref} {raw!r} at segment {segment} is not a CCYYMMDD date: left empty"


def missing_warning(ref: str, segment: int) -> str:
    return f"{ref} is missing at segment {segment}"


def part_missing_warning(tag: str, segment: int, part: str, number: int, what: str) -> str:
    """E.g. ``CAS at segment 12: triplet 2 has no amount``."""
    return f"{tag} at segment {segment}: {part} {number} has {what}"


def structure_warning(tag: str, segment: int) -> str:
    return f"{tag} at segment {segment} is outside a claim: ignored"


def composite_warning(used: str, declared: str, segment: int) -> tuple[str, str]:
    """``(once-per-file key, text)`` for a composite split on ``used`` instead of ``declared``."""
    return (
        f"composite:{declared}:{used}",
        f"composites use {used!r} as component separator (first at segment {segment}), not the "
        f"declared {declared!r}: split on {used!r}",
    )


def read_field(
    field: Field,
    tag: str,
    elements: tuple[str, ...],
    component_separator: str,
    segment: int,
    diagnostics: Diagnostics,
) -> str | int | dt.date | None:
    """One field's value from one segment's elements (per-segment path)."""
    raw = elements[field.element].strip(_BLANKS) if field.element < len(elements) else ""
    if field.component is not None and raw:
        parts, used = split_composite(raw, component_separator)
        if used is not None:
            key, text = composite_warning(used, component_separator, segment)
            diagnostics.warn_once(key, "composite", text, segment)
        raw = parts[field.component - 1].strip(_BLANKS) if field.component <= len(parts) else ""
    if field.kind == "text":
        return raw or None
    if field.kind == "date":
        value, malformed = parse_date(raw)
        if malformed:
            diagnostics.warn("date", date_warning(field.reference(tag), raw, segment), segment)
        return value
    cents, problem = parse_cents(raw)
    if problem:
        diagnostics.warn(
            "amount", amount_warning(field.reference(tag), raw, cents, problem, segment), segment
        )
    if cents is None and field.kind == "money_or_zero" and problem is None:
        return 0
    return cents
