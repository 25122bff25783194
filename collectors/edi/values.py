"""Value rules of the 837, 999 and 277CA flatteners beyond :mod:`collectors.edi.fields`.

Both paths (per-segment and vectorised) follow these, so they read the same values and word the
same warnings:

- **Periods** (DTP02 format + DTP03 value, :func:`period_parts`): ``D8`` is one date; ``RD8`` is
  ``from-to`` split at the first ``-`` (no ``-``: one date); ``DT`` (``CCYYMMDDHHMM``) keeps its
  first eight characters as the date. Any other or missing format is read as ``D8``. Each part is
  a date by :mod:`collectors.edi.dates`; a malformed part is left empty with a warning naming
  DTP03. The "to" date of a single-date period is the "from" date (warned about once).
- **Counts** (AK902–AK904, IK302, IK401, LX01, :func:`parse_count`): ASCII digits only (up to 18);
  anything else non-empty is left empty with a warning.
- **Code composites** (HI diagnoses, :func:`split_code`): split on the declared component
  separator when present; otherwise, like :func:`collectors.edi.composites.split_composite`, on
  punctuation right after a two-character qualifier (``BK>38181``) — and, for HI's
  three-character qualifiers, right after three letters or digits (``ABK>R69``).
- **Acknowledgment codes**: which 999 IK5 codes and 277CA STC01-1 categories accept or reject
  (KPI.md §1).
"""

from __future__ import annotations

import datetime as dt

from collectors.edi.composites import PUNCTUATION
from collectors.edi.dates import parse_date
from collectors.edi.diagnostics import Diagnostics
from collectors.edi.fields import date_warning

_BLANKS = " \t\r\n"
MAX_COUNT_DIGITS = 18

IK5_ACCEPTED = ("A", "E")
IK5_REJECTED = ("R", "M", "W", "X")
STATUS_ACCEPTED = ("A1", "A2", "A5")
STATUS_REJECTED = ("A3", "A4", "A6", "A7", "A8")


def period_parts(qualifier: str, value: str) -> tuple[str, str | None]:
    """``(from text, to text)`` of a DTP period; ``to`` is None when the period is one date."""
    if qualifier == "RD8":
        head, sep, tail = value.partition("-")
        return (head, tail) if sep else (value, None)
    if qualifier == "DT":
        return value[:8], None
    return value, None


def parse_count(text: str | None) -> tuple[int | None, bool]:
    """``(number or None, malformed?)``; an empty element is absent, not malformed."""
    if text is None:
        return None, False
    value = text.strip(_BLANKS)
    if not value:
        return None, False
    if value.isascii() and value.isdigit() and len(value) <= MAX_COUNT_DIGITS:
        return int(value), False
    return None, True


def count_warning(ref: str, raw: str, segment: int) -> str:
    return f"{ref} {raw!r} at segment {segment} is not a number: left empty"


def split_code(value: str, declared: str) -> tuple[list[str], str | None]:
    """``(components, separator used instead of the declared one or None)`` of a code composite."""
    if declared in value:
        return value.split(declared), None
    if len(value) > 2 and value[2] in PUNCTUATION:
        return value.split(value[2]), value[2]
    if len(value) > 3 and value[3] in PUNCTUATION and value[:3].isascii() and value[:3].isalnum():
        return value.split(value[3]), value[3]
    return [value], None


def read_count(
    ref: str, value: str, segment: int, diagnostics: Diagnostics, kind: str = "number"
) -> int | None:
    """A count read by the per-segment path (warns like the vectorised one)."""
    number, malformed = parse_count(value)
    if malformed:
        diagnostics.warn(kind, count_warning(ref, value.strip(_BLANKS), segment), segment)
    return number


def read_date(
    ref: str, value: str | None, segment: int, diagnostics: Diagnostics
) -> dt.date | None:
    """A date read by the per-segment path (warns like the vectorised one)."""
    date, malformed = parse_date(value)
    if malformed and value is not None:
        diagnostics.warn("date", date_warning(ref, value.strip(_BLANKS), segment), segment)
    return date


def read_period(
    qualifier: str, value: str, segment: int, diagnostics: Diagnostics
) -> tuple[dt.date | None, dt.date | None]:
    """``(from, to)`` of a DTP period (see the module docstring), per-segment path."""
    head, tail = period_parts(qualifier, value)
    start = read_date("DTP03", head, segment, diagnostics)
    if tail is None:
        return start, start
    return start, read_date("DTP03", tail, segment, diagnostics)
