"""Plan a simulated day: run the generator's claim stories for the claims of one new service day
(indices and patient control numbers continue the generated system's) to their end, and queue
everything they will produce — X12 files, engine messages, work items, decisions, overrides,
ERP rows — as timed events the simulator releases when its clock passes them.

The stories are the generator's own (``sample_data.claim_story``), run with a cut-off far in the
future, so a simulated claim lives exactly like a generated one: scrubber holds, front-end
rejections and resubmissions, payer lag, denials and appeals, posting lag. Each planned day is
its own chunk number (≥ ``FIRST_SIM_CHUNK``), so every source key and X12 control number is new.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

FIRST_SIM_CHUNK = 100_000
HORIZON_DAYS = 150  # a claim's story is run this far past its service day
CONTROL_STRIDE = 1000  # X12 control numbers of planned day n: FIRST_SIM_CHUNK*... + n*stride


@dataclass(frozen=True)
class SystemInfo:
    """What the planner needs from the generated system's manifest."""

    dir: Path
    seed: int
    claims: int
    months: int
    as_of: date
    start: date

    @classmethod
    def read(cls, system_dir: Path) -> SystemInfo:
        from rcmwatch.errors import ConfigError

        path = Path(system_dir) / "manifest.json"
        if not path.is_file():
            raise ConfigError(
                f"no generated health system in {system_dir} (manifest.json missing)",
                next_step="run `rcmwatch generate --out DIR` or `rcmwatch demo` first",
            )
        m = json.loads(path.read_text())
        return cls(
            Path(system_dir),
            int(m["seed"]),
            int(m["claims"]),
            int(m["months"]),
            date.fromisoformat(m["as_of"]),
            date.fromisoformat(m["first_service_date"]),
        )

    @property
    def set_size(self) -> int:
        return max(4, min(200, self.claims // 2000))  # as the generator sizes 837 sets

    @property
    def patients(self) -> int:
        return max(50, self.claims * 2 // 5)


def _weight(day: date) -> float:
    return 1.0 if day.weekday() < 5 else (0.35 if day.weekday() == 5 else 0.2)


def claims_on(info: SystemInfo, day: date) -> int:
    """New claims of a simulated service day at the generated system's own daily rate."""
    days = [info.start + timedelta(days=i) for i in range((info.as_of - info.start).days)]
    rate = info.claims / sum(_weight(d) for d in days)
    return max(1, round(rate * _weight(day)))


def scenario_for(name: str, since: date):
    """The scenario ``name`` switched on at ``since``: its effect starts that day (the generator
    places scenarios in the weeks before an as-of; a live switch places them after)."""
    from sample_data.scenarios import build_scenario

    lead = {
        "payer_outage": 17,
        "dead_letter_storm": 3,
        "posting_backlog": 45,
        "denial_spike": 60,
        "override_spike": 45,
    }.get(name, 0)
    return build_scenario(name, since + timedelta(days=lead))


# --- the pending-event queue ------------------------------------------------------------------


class PendingEvents:
    """Timed events, kept on disk beside the system (``.sim/pending.sqlite``): they survive a
    restart together with the clock in the store."""

    def __init__(self, system_dir: Path) -> None:
        folder = Path(system_dir) / ".sim"
        folder.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(folder / "pending.sqlite", timeout=30)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute(
            "CREATE TABLE IF NOT EXISTS event (id INTEGER PRIMARY KEY, at TEXT NOT NULL, "
            "kind TEXT NOT NULL, target TEXT NOT NULL, payload TEXT NOT NULL)"
        )
        self.db.execute("CREATE INDEX IF NOT EXISTS ix_event_at ON event (at, id)")
        self.db.commit()

    def add(self, events: list[tuple[str, str, str, str]]) -> None:
        self.db.executemany(
            "INSERT INTO event (at, kind, target, payload) VALUES (?,?,?,?)", events
        )
        self.db.commit()

    def due(self, now: datetime, limit: int = 20_000) -> list[tuple[int, str, str, str, str]]:
        return self.db.execute(
            "SELECT id, at, kind, target, payload FROM event WHERE at <= ? ORDER BY at, id LIMIT ?",
            (_stamp(now), limit),
        ).fetchall()

    def done(self, ids: list[int]) -> None:
        self.db.executemany("DELETE FROM event WHERE id = ?", [(i,) for i in ids])
        self.db.commit()

    def count(self) -> int:
        return self.db.execute("SELECT COUNT(*) FROM event").fetchone()[0]

    def close(self) -> None:
        self.db.close()


def _stamp(at: datetime) -> str:
    """Event times sort as text: naive UTC ISO seconds."""
    if at.tzinfo is not None:
        from datetime import UTC

        at = at.astimezone(UTC).replace(tzinfo=None)
    return at.isoformat(timespec="seconds")


# --- planning ---------------------------------------------------------------------------------


def plan_day(
    info: SystemInfo,
    day: date,
    first_index: int,
    scenario_name: str,
    scenario_since: date,
    pending: PendingEvents,
) -> int:
    """Plan the claims of service ``day`` (indices from ``first_index``); returns their count."""
    from sample_data.chunk import ChunkSink, close_worker_db, flush
    from sample_data.claim_story import ClaimStory
    from sample_data.clearinghouse_files import assemble_claim_files, assemble_remit_files
    from sample_data.health_system import build_health_system
    from sample_data.source_tables import TABLE_BY_NAME

    n_day = (day - info.as_of).days
    chunk = FIRST_SIM_CHUNK + n_day
    count = claims_on(info, day)
    stage = info.dir / ".sim" / "staging" / f"{day:%Y%m%d}"
    if stage.exists():
        shutil.rmtree(stage)
    work = stage / ".work"
    work.mkdir(parents=True)
    system = build_health_system(info.seed, info.start)
    horizon = day + timedelta(days=HORIZON_DAYS)
    cutoff = datetime(horizon.year, horizon.month, horizon.day)
    sink = ChunkSink(chunk)
    story = ClaimStory(
        seed=info.seed,
        chunk=chunk,
        system=system,
        scenario=scenario_for(scenario_name, scenario_since),
        start=info.start,
        cutoff=cutoff,
        set_size=info.set_size,
        patients=info.patients,
        sink=sink,
    )
    for index in range(first_index, first_index + count):
        story.run(index, day)
    close_worker_db()
    flush(sink, work)
    close_worker_db()
    control_base = (n_day % 100_000) * CONTROL_STRIDE + 100_000_000
    files = assemble_claim_files(stage, work, system, info.seed, cutoff, control_base)
    files += assemble_remit_files(stage, work, system, info.seed, control_base)

    events: list[tuple[str, str, str, str]] = []
    tag = f"s{chunk}"
    for f in files:
        name = f.path.rsplit("/", 1)[1]
        stem, dot, ext = name.rpartition(".")
        events.append(
            (
                _stamp(f.at),
                "file",
                f"{stem}_{tag}{dot}{ext}",
                json.dumps({"staged": str(stage / f.path), "kind": f.kind, "claims": f.claims}),
            )
        )
        events.append(
            (
                _stamp(f.at + timedelta(minutes=1)),
                "row",
                "message_log",
                json.dumps(_file_message(f, f"{stem}_{tag}{dot}{ext}", chunk, len(events))),
            )
        )
    records = {
        table: [dict(zip(TABLE_BY_NAME[table].column_names, row, strict=True)) for row in rows]
        for table, rows in sink.rows.items()
    }
    for table, rows in records.items():
        if table == "receivable":
            continue
        for record in rows:
            events.extend(_row_events(table, record))
    for version in receivable_versions(records["receivable"], records["posting"],
                                       records["write_off"]):  # fmt: skip
        events.append((version["updated_at"], "row", "receivable", json.dumps(version)))
    pending.add(events)
    shutil.rmtree(work)
    return count


def receivable_versions(receivables: list[dict], postings: list[dict], write_offs: list[dict]):
    """Each receivable as it stands after each of its postings and write-offs (the story writes
    only the final row): the balance moves in the ERP as the clock passes each activity."""
    activity: dict[str, list[tuple[str, int]]] = {}
    for p in postings:
        activity.setdefault(p["receivable_id"], []).append((p["posted_at"], int(p["amount_cents"])))
    for w in write_offs:
        activity.setdefault(w["receivable_id"], []).append(
            (w["posted_at"], -int(w["amount_cents"]))
        )
    out = []
    for final in receivables:
        balance = 0
        moves = sorted(activity.get(final["receivable_id"], []))
        for i, (at, amount) in enumerate(moves):
            balance += amount
            if i + 1 < len(moves) and moves[i + 1][0] == at:
                continue  # one version per instant
            status = "open" if balance > 0 else ("credit" if balance < 0 else "closed")
            out.append(
                dict(final, balance_cents=balance, status=status, last_activity_at=at,
                     updated_at=at)
            )  # fmt: skip
        if not moves or balance != int(final["balance_cents"]):
            out.append(final)  # the story's own final row stands
    return out


def _row_events(table: str, row: dict) -> list[tuple[str, str, str, str]]:
    """A source row's versions as timed events: the final row at its ``updated_at``; a work item
    that closes later also as the open item at ``opened_at``; every message is published to the
    broker when created. A message that dead-letters stays dead-lettered (no planned republish)
    and its work item open: only a real republish — by an operator or a remediation job —
    brings it back and closes the item (see ``broker`` and ``service``)."""
    out = []
    if table == "message_log":
        out.append((row["created_at"], "publish", row["interface"], json.dumps(row)))
        if row["dead_lettered_at"]:
            dead = dict(row, status="dead_lettered", completed_at=None, republished_at=None)
            dead["updated_at"] = row["dead_lettered_at"]
            out.append((row["dead_lettered_at"], "row", table, json.dumps(dead)))
            return out
    if table == "work_item" and row["status"] == "closed" and row["opened_at"] < row["updated_at"]:
        first = dict(row, status="open", resolved_at=None, resolved_by=None, resolution=None)
        first["updated_at"] = row["opened_at"]
        out.append((row["opened_at"], "row", table, json.dumps(first)))
        if row["type"] == "dead_letter":
            return out
    out.append((row["updated_at"], "row", table, json.dumps(row)))
    return out


def _file_message(f, name: str, chunk: int, n: int) -> dict:
    """The engine's message for a clearinghouse file it moved (as the generator logs them)."""
    from sample_data.claim_story import INTERFACE_ROUTES
    from sample_data.source_exports import FILE_INTERFACE

    interface = FILE_INTERFACE[f.kind]
    direction, queue, exchange, rkey, mtype = INTERFACE_ROUTES[interface]
    done = (f.at + timedelta(minutes=1)).isoformat()
    return {
        "message_id": f"MS{chunk:06d}{n:07d}",
        "interface": interface,
        "direction": direction,
        "queue": queue,
        "exchange": exchange,
        "routing_key": rkey,
        "message_type": mtype.replace("ACK", f.kind[:3]),
        "control_id": name,
        "subject_type": "file",
        "subject_key": name,
        "facility_code": f.entity if f.entity != "PHYS" else "MG",
        "status": "processed",
        "error_signature": None,
        "error_text": None,
        "attempts": 1,
        "created_at": f.at.isoformat(),
        "last_attempt_at": done,
        "completed_at": done,
        "dead_lettered_at": None,
        "republished_at": None,
        "updated_at": done,
    }
