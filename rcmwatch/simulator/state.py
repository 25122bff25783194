"""The simulated clock and the simulator's progress, persisted in the store (``app_state``).

``app_state['sim_clock']`` holds the simulated "now" and what the simulator has planned so far;
a restart continues from it. In demo mode it is the as-of clock of the whole app:
:class:`StoreClock` reads it (the scheduler, the dashboard and the CLI all see the same time).
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from rcmwatch.clock import as_utc
from rcmwatch.store.models import AppState

CLOCK_KEY = "sim_clock"


@dataclass
class SimState:
    now: str  # ISO, aware UTC: the simulated time
    system_dir: str
    speed: float = 3600.0
    scenario: str = "baseline"
    scenario_since: str = ""  # the simulated day the scenario was switched on
    planned_through: str = ""  # the last service day whose claims are planned
    next_index: int = 0  # claim index of the next planned claim (PCNs continue the system's)
    started_at: str = ""  # wall clock of the first start
    counters: dict[str, int] = field(default_factory=dict)  # released files, rows, messages...
    broker: str = ""  # "connected to host:port" | "not connected (why)"

    @property
    def at(self) -> datetime:
        return as_utc(datetime.fromisoformat(self.now))

    @property
    def planned_day(self) -> date | None:
        return date.fromisoformat(self.planned_through) if self.planned_through else None


def _upsert(conn, key: str, value: dict) -> None:
    from sqlalchemy.dialects import postgresql, sqlite

    insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    now = datetime.now(UTC)
    stmt = insert(AppState).values(key=key, value=value, updated_at=now)
    conn.execute(
        stmt.on_conflict_do_update(index_elements=["key"], set_={"value": value, "updated_at": now})
    )


def read_state(store) -> SimState | None:
    with store.read() as conn:
        value = conn.scalar(select(AppState.value).where(AppState.key == CLOCK_KEY))
    if not value:
        return None
    known = {k: v for k, v in value.items() if k in SimState.__dataclass_fields__}
    return SimState(**known)


def save_state(store, state: SimState) -> None:
    with store.write() as conn:
        _upsert(conn, CLOCK_KEY, asdict(state))


def switch_scenario(store, name: str) -> SimState:
    """Switch the generator's scenario live: days planned from now on follow it."""
    from rcmwatch.errors import ConfigError

    state = read_state(store)
    if state is None:
        raise ConfigError(
            "no simulator state in this store", next_step="start `rcmwatch simulate` first"
        )
    state.scenario = name
    state.scenario_since = first_unplanned_day(state).isoformat()
    save_state(store, state)
    return state


def first_unplanned_day(state: SimState) -> date:
    """Days are planned a day ahead: a switch takes effect from the first day not planned yet
    (a scenario dated on an already planned day would never show)."""
    today = state.at.date()
    planned = state.planned_day
    if planned is None or planned < today:
        return today
    return planned + timedelta(days=1)


class StoreClock:
    """The simulated clock as the rest of the app reads it (cached for ``ttl`` wall seconds);
    the wall clock until a simulator has recorded one."""

    def __init__(self, store_of, ttl: float = 1.0) -> None:
        self._store_of = store_of  # a callable returning the store (opened lazily)
        self.ttl = ttl
        self._cached: datetime | None = None
        self._read_at = 0.0

    def now(self) -> datetime:
        if self._cached is None or time.monotonic() - self._read_at > self.ttl:
            try:
                state = read_state(self._store_of())
            except Exception:  # no store yet or no table: the wall clock
                state = None
            self._cached = state.at if state else None
            self._read_at = time.monotonic()
        return self._cached or datetime.now(UTC)
