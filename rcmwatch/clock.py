"""The as-of clock: "now" is injected, never read from the wall inside a metric.

Metrics and checks take ``as_of`` as an argument; the top of the stack (CLI, pages, scheduler)
obtains it from one :class:`Clock`. Tests pass a :class:`FixedClock`. In demo mode the simulator's
clock (persisted in the store) takes over; that clock plugs in here as another ``Clock``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """Aware UTC datetime."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock:
    def __init__(self, at: datetime) -> None:
        self._at = as_utc(at)

    def now(self) -> datetime:
        return self._at

    def advance_to(self, at: datetime) -> None:
        self._at = as_utc(at)


def as_utc(at: datetime) -> datetime:
    """Naive datetimes are taken as UTC (the store keeps UTC)."""
    if at.tzinfo is None:
        return at.replace(tzinfo=UTC)
    return at.astimezone(UTC)


def clock_from_settings(settings, store_of=None) -> Clock:
    """``RCMWATCH_AS_OF`` fixes the clock; in demo mode the simulator's clock, persisted in the
    store (``store_of`` opens it lazily), is the as-of of the whole app; else the wall clock."""
    if settings.as_of is not None:
        return FixedClock(settings.as_of)
    if store_of is not None and getattr(settings, "demo_mode", False):
        from rcmwatch.simulator.state import StoreClock

        return StoreClock(store_of)
    return SystemClock()
