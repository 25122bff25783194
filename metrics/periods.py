"""Periods and cuts: which records a KPI value covers.

A :class:`Period` is a range of whole UTC days (inclusive). A record falls in it when its KPI's
date basis (a UTC calendar day) is within the range. "All" has no start and ends at the as-of
day. Point-in-time KPIs (A/R, queues, deadlines, backlog, freshness) are measured at the end of
the period, never later than the as-of time.

A :class:`Cuts` filters records by facility, payer, payer class, payer sequence and exception
type before aggregating; the optional facility allow-list (a facility-scoped user) applies first.
Claims whose facility is unknown belong to the "unmapped" bucket (a null facility), never dropped
— except from a facility-scoped view, which sees only its facilities.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import polars as pl

PERIOD_ALL = "all"
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_RANGE = re.compile(r"^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$")

# Grouping dimensions a KPI can be cut or broken down by; each fact frame carries those it has.
DIMENSIONS: tuple[str, ...] = (
    "facility_id",
    "payer_id",
    "payer_class",
    "payer_sequence",
    "exception_type",
    "month",
)
UNMAPPED = "unmapped"


def month_bounds(year: int, month: int) -> tuple[date, date]:
    first = date(year, month, 1)
    nxt = date(year + (month == 12), month % 12 + 1, 1)
    return first, nxt - timedelta(days=1)


def month_start(day: date) -> date:
    return day.replace(day=1)


def add_months(day: date, months: int) -> date:
    """First day of the month ``months`` after ``day``'s month."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class Period:
    """Inclusive UTC days ``start``..``end``; ``start`` None means from the beginning."""

    start: date | None
    end: date
    label: str

    @classmethod
    def parse(cls, text: str | None, as_of: datetime) -> Period:
        """``all``, ``YYYY-MM`` or ``YYYY-MM-DD..YYYY-MM-DD``; None is the as-of's month."""
        as_of_day = as_of.astimezone(UTC).date()
        if text is None or text == "":
            first, last = month_bounds(as_of_day.year, as_of_day.month)
            return cls(first, last, f"{as_of_day:%Y-%m}")
        text = text.strip()
        if text == PERIOD_ALL:
            return cls(None, as_of_day, PERIOD_ALL)
        m = _MONTH.match(text)
        if m:
            year, month = int(m[1]), int(m[2])
            if not 1 <= month <= 12:
                raise ValueError(f"no month {text!r}")
            first, last = month_bounds(year, month)
            return cls(first, last, text)
        m = _RANGE.match(text)
        if m:
            first, last = date.fromisoformat(m[1]), date.fromisoformat(m[2])
            if last < first:
                raise ValueError(f"period {text!r} ends before it starts")
            return cls(first, last, text)
        raise ValueError(f"period {text!r} is not 'all', YYYY-MM or YYYY-MM-DD..YYYY-MM-DD")

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        first, last = month_bounds(year, month)
        return cls(first, last, f"{year:04d}-{month:02d}")

    @classmethod
    def days(cls, first: date, last: date) -> Period:
        return cls(first, last, f"{first}..{last}")

    def contains(self, expr: pl.Expr) -> pl.Expr:
        """Boolean expression: the date ``expr`` is in the period."""
        inside = expr <= pl.lit(self.end)
        if self.start is not None:
            inside = inside & (expr >= pl.lit(self.start))
        return inside

    def measure_day(self, as_of: datetime) -> date:
        """The day point-in-time KPIs are measured at: period end, capped at the as-of day."""
        return min(self.end, as_of.astimezone(UTC).date())

    def measure_instant(self, as_of: datetime) -> datetime:
        """End of :meth:`measure_day` (exclusive bound), capped at the as-of time itself."""
        end = datetime.combine(self.end + timedelta(days=1), time(0), tzinfo=UTC)
        return min(end, as_of.astimezone(UTC))

    def months(self, first_data_day: date | None) -> list[Period]:
        """The calendar months of the period (from the first data day when unbounded)."""
        start = self.start or first_data_day or self.end
        out = []
        cursor = month_start(start)
        while cursor <= self.end:
            first, last = month_bounds(cursor.year, cursor.month)
            out.append(Period(max(first, start), min(last, self.end), f"{cursor:%Y-%m}"))
            cursor = add_months(cursor, 1)
        return out


@dataclass(frozen=True)
class Cuts:
    """Filters applied to every KPI's records before aggregating (None = no filter).

    ``facility_allow`` is the facility-scoped user's list, applied first; ``facility_ids`` may
    hold None to select the unmapped bucket."""

    facility_allow: frozenset[int] | None = None
    facility_ids: frozenset[int | None] | None = None
    payer_ids: frozenset[int | None] | None = None
    payer_classes: frozenset[str | None] | None = None
    payer_sequences: frozenset[str | None] | None = None
    exception_types: frozenset[str | None] | None = None

    def filters(self) -> list[tuple[str, frozenset]]:
        pairs = [
            ("facility_id", self.facility_ids),
            ("payer_id", self.payer_ids),
            ("payer_class", self.payer_classes),
            ("payer_sequence", self.payer_sequences),
            ("exception_type", self.exception_types),
        ]
        return [(dim, values) for dim, values in pairs if values is not None]

    def dims_used(self) -> set[str]:
        used = {dim for dim, _ in self.filters()}
        if self.facility_allow is not None:
            used.add("facility_id")
        return used


def in_set(column: str, values: frozenset) -> pl.Expr:
    """``column`` is one of ``values`` (None in ``values`` selects nulls)."""
    present = [v for v in values if v is not None]
    expr = pl.col(column).is_in(present) if present else pl.lit(False)
    if None in values:
        expr = expr | pl.col(column).is_null()
    return expr


def apply_cuts(facts: pl.DataFrame, cuts: Cuts) -> pl.DataFrame:
    """Rows of ``facts`` the cuts select (the caller checks the dimensions exist)."""
    if cuts.facility_allow is not None:
        facts = facts.filter(pl.col("facility_id").is_in(sorted(cuts.facility_allow)))
    for dim, values in cuts.filters():
        facts = facts.filter(in_set(dim, values))
    return facts


def utc_day_start(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=UTC)
