"""The simulator loop: advance the simulated clock by ``speed`` × wall time, plan the days ahead,
release what the clock has passed into the outside world, and react to what people and jobs did
through the same channels (outbound folder, request table, republished messages).

One step = plan → release → react → save the clock. The clock is saved in the store after every
step, so a restart continues where it stopped; the planned events wait on disk beside the system.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from rcmwatch.simulator.broker import Broker
from rcmwatch.simulator.planner import PendingEvents, SystemInfo, plan_day
from rcmwatch.simulator.requests import act_on_requests
from rcmwatch.simulator.state import SimState, first_unplanned_day, read_state, save_state
from rcmwatch.simulator.world import Clearinghouse, SourceTables, naive_utc

log = logging.getLogger("rcmwatch.simulator")
PLAN_AHEAD = timedelta(days=1)
ANSWER_CONTROL_BASE = 900_000_000


@dataclass
class StepReport:
    now: datetime
    files: int = 0
    rows: int = 0
    published: int = 0
    dead_lettered: int = 0
    consumed_republished: int = 0
    answered_claim_files: int = 0
    requests: int = 0
    planned_claims: int = 0
    seconds: float = 0.0


@dataclass
class LagStats:
    """How far the simulated clock trails where ``speed`` says it should be (wall seconds)."""

    samples: list[float] = field(default_factory=list)
    step_seconds: list[float] = field(default_factory=list)

    def line(self) -> str:
        if not self.samples:
            return "no steps yet"
        s = sorted(self.samples)
        p95 = s[min(len(s) - 1, int(len(s) * 0.95))]
        steps = sorted(self.step_seconds)
        return (
            f"lag max {s[-1]:.2f} s, p95 {p95:.2f} s over {len(s)} steps; "
            f"step median {steps[len(steps) // 2]:.3f} s, max {steps[-1]:.3f} s"
        )


class Simulator:
    def __init__(
        self,
        store,
        system_dir: str | Path,
        *,
        speed: float = 3600.0,
        scenario: str | None = None,
        broker: Broker | None = None,
        start_at: datetime | None = None,
    ) -> None:
        self.store = store
        self.system_dir = Path(system_dir)
        self.info = SystemInfo.read(self.system_dir)
        self.broker = broker
        self.state = self._load(speed, scenario, start_at)
        self.pending = PendingEvents(self.system_dir)
        self.tables = SourceTables(self.system_dir)
        self.house = Clearinghouse(self.system_dir)
        self._init_outbound()
        self._continue_in_flight()
        self.lag = LagStats()

    # -- state ---------------------------------------------------------------------------------
    def _load(self, speed: float, scenario: str | None, start_at: datetime | None) -> SimState:
        state = read_state(self.store)
        if state is None or Path(state.system_dir).resolve() != self.system_dir.resolve():
            as_of = self.info.as_of
            begin = start_at or datetime(as_of.year, as_of.month, as_of.day, tzinfo=UTC)
            state = SimState(
                now=begin.astimezone(UTC).isoformat(),
                system_dir=str(self.system_dir.resolve()),
                speed=speed,
                scenario=scenario or "baseline",
                scenario_since=begin.date().isoformat(),
                planned_through=(as_of - timedelta(days=1)).isoformat(),
                next_index=self.info.claims,
                started_at=datetime.now(UTC).isoformat(timespec="seconds"),
            )
        else:
            state.speed = speed
            if scenario and scenario != state.scenario:
                state.scenario = scenario
                state.scenario_since = first_unplanned_day(state).isoformat()
        save_state(self.store, state)
        return state

    def _init_outbound(self) -> None:
        db = self.pending.db
        db.execute("CREATE TABLE IF NOT EXISTS seen_outbound (name TEXT PRIMARY KEY, note TEXT)")
        first = db.execute("SELECT COUNT(*) FROM seen_outbound").fetchone()[0] == 0
        if first and not self.state.counters.get("outbound_initialised"):
            # The generated system's own 837s were answered by the generator already.
            names = [(p.name, "generated") for p in self.house.outbound.iterdir() if p.is_file()]
            db.executemany("INSERT OR IGNORE INTO seen_outbound VALUES (?, ?)", names)
            self.state.counters["outbound_initialised"] = 1
        db.commit()

    def _continue_in_flight(self) -> None:
        """Once per system: plan what the generator left in flight at its as-of (see in_flight)."""
        from rcmwatch.simulator.in_flight import plan_in_flight

        if self.state.counters.get("in_flight_planned"):
            return
        report = plan_in_flight(self.info, self.house, self.tables, self.pending, self.state.at)
        self.state.counters["in_flight_planned"] = 1
        for key in ("acks", "statuses", "adjudications", "denials", "postings"):
            self.state.counters[f"in_flight_{key}"] = getattr(report, key)
        save_state(self.store, self.state)
        log.info("%s", report.line())

    def _count(self, key: str, n: int) -> None:
        if n:
            self.state.counters[key] = self.state.counters.get(key, 0) + n

    # -- one step -----------------------------------------------------------------------------
    def step(self, delta: timedelta) -> StepReport:
        began = time.perf_counter()
        refreshed = read_state(self.store)
        if refreshed is not None and refreshed.scenario != self.state.scenario:
            # Switched live (`rcmwatch simulate --set-scenario`): days planned from now follow it.
            self.state.scenario = refreshed.scenario
            self.state.scenario_since = refreshed.scenario_since
        now = self.state.at + delta
        self.state.now = now.isoformat()
        report = StepReport(now)
        report.planned_claims = self._plan(now)
        self._release(now, report)
        self._react(now, report)
        for key in ("files", "rows", "published", "dead_lettered", "consumed_republished",
                    "answered_claim_files", "requests", "planned_claims"):  # fmt: skip
            self._count(key, getattr(report, key))
        save_state(self.store, self.state)
        report.seconds = time.perf_counter() - began
        return report

    def _plan(self, now: datetime) -> int:
        planned = 0
        horizon = (now + PLAN_AHEAD).date()
        while self.state.planned_day < horizon:
            day = self.state.planned_day + timedelta(days=1)
            since = datetime.fromisoformat(self.state.scenario_since).date()
            n = plan_day(
                self.info, day, self.state.next_index, self.state.scenario, since, self.pending
            )
            self.state.next_index += n
            self.state.planned_through = day.isoformat()
            planned += n
        return planned

    def _release(self, now: datetime, report: StepReport) -> None:
        while True:
            due = self.pending.due(now)
            if not due:
                return
            rows: dict[str, list[dict]] = {}
            for _id, at, kind, target, payload in due:
                when = datetime.fromisoformat(at).replace(tzinfo=UTC)
                data = json.loads(payload)
                if kind == "file":
                    content = Path(data["staged"]).read_bytes()
                    self.house.drop(target, content, when, data["kind"], data.get("claims", 0))
                    Path(data["staged"]).unlink(missing_ok=True)
                    report.files += 1
                elif kind == "answer":
                    self.house.drop(
                        target, data["content"].encode("ascii"), when, data["kind"], data["claims"]
                    )
                    report.files += 1
                elif kind == "row":
                    rows.setdefault(target, []).append(data)
                    report.rows += 1
                elif kind == "publish" and self._broker_ok():
                    fails = bool(data.get("dead_lettered_at"))
                    self.broker.publish(data, fails)
                    report.published += 1
                    report.dead_lettered += fails
            for table, batch in rows.items():
                self.tables.upsert(table, batch)
            self.tables.commit()
            self.pending.done([d[0] for d in due])

    def _broker_ok(self) -> bool:
        return self.broker is not None and self.broker.channel is not None

    def _react(self, now: datetime, report: StepReport) -> None:
        if self._broker_ok():
            try:
                for d in self.broker.consume():
                    if d.republished and d.message_id:
                        self._republished(d.message_id, now)
                        report.consumed_republished += 1
                self.broker.pump()
            except Exception as exc:  # a broker that went away: carry on without it
                self.broker.error = f"{type(exc).__name__}: {exc}"
                log.warning("broker lost (%s); running on without it", self.broker.error)
                self.broker.close()
        report.answered_claim_files = self._answer_outbound(now)
        report.requests = len(act_on_requests(self.tables, now))
        self.state.broker = (
            self.broker.status if self.broker else "not connected (no broker configured)"
        )

    def _republished(self, message_id: str, now: datetime) -> None:
        row = self.tables.row("message_log", message_id)
        if row is None:
            return
        stamp = naive_utc(now).isoformat(timespec="seconds")
        self.tables.upsert(
            "message_log",
            [
                dict(
                    row,
                    status="processed",
                    attempts=int(row["attempts"] or 0) + 1,
                    last_attempt_at=stamp,
                    completed_at=stamp,
                    republished_at=stamp,
                    updated_at=stamp,
                )
            ],
        )
        from rcmwatch.simulator.requests import _close_items

        _close_items(self.tables, "message", message_id, "republished", "integration-engine", stamp)
        self.tables.commit()

    def _answer_outbound(self, now: datetime) -> int:
        from rcmwatch.simulator.outbound import answer_events

        db = self.pending.db
        seen = {n for (n,) in db.execute("SELECT name FROM seen_outbound")}
        answered = 0
        for path in sorted(self.house.outbound.iterdir()):
            if not path.is_file() or path.name in seen or path.name.startswith("."):
                continue
            control = ANSWER_CONTROL_BASE + self.state.counters.get("answer_controls", 0)
            try:
                events = answer_events(path, now, control)
            except (ValueError, IndexError, UnicodeDecodeError) as exc:
                log.warning("outbound %s not answered: %s", path.name, exc)
                db.execute(
                    "INSERT OR IGNORE INTO seen_outbound VALUES (?, ?)", (path.name, str(exc))
                )
                continue
            self.pending.add(events)
            self._count("answer_controls", len(events) + 1)
            db.execute("INSERT OR IGNORE INTO seen_outbound VALUES (?, 'answered')", (path.name,))
            answered += 1
        db.commit()
        return answered

    # -- the loop ------------------------------------------------------------------------------
    def run(self, stop, tick_seconds: float = 0.5, report_every: float = 30.0) -> None:
        """Advance in real time × speed until ``stop`` (a threading.Event) is set."""
        if self.broker is not None and self.broker.channel is None:
            self.broker.connect()
        log.info(
            "simulating from %s at %gx (scenario %s); broker %s",
            self.state.now,
            self.state.speed,
            self.state.scenario,
            self.broker.status if self.broker else "not connected (none configured)",
        )
        wall0, sim0 = time.monotonic(), self.state.at
        last_wall, last_report = wall0, wall0
        while not stop.is_set():
            wall = time.monotonic()
            target = sim0 + timedelta(seconds=(wall - wall0) * self.state.speed)
            delta = target - self.state.at
            if delta > timedelta(0):
                report = self.step(delta)
                self.lag.step_seconds.append(report.seconds)
            behind = sim0 + timedelta(seconds=(time.monotonic() - wall0) * self.state.speed)
            self.lag.samples.append(
                max(0.0, (behind - self.state.at).total_seconds() / self.state.speed)
            )
            if wall - last_report >= report_every:
                log.info("simulated clock %s; %s", self.state.now, self.lag.line())
                last_report = wall
            last_wall = wall
            stop.wait(max(0.0, tick_seconds - (time.monotonic() - last_wall)))
        self.state.counters["last_lag_max_ms"] = int(max(self.lag.samples or [0]) * 1000)
        save_state(self.store, self.state)

    def close(self) -> None:
        self.pending.close()
        self.tables.close()
        if self.broker is not None:
            self.broker.close()
