"""A small vendor-like workflow system ("Acme WQ") with its own names and types, created in a
real database (SQLite file or PostgreSQL), and the mapping that points the SQL collector at it."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy import create_engine, text

T0 = datetime(2024, 6, 1, 8, 0, 0)

MAPPING = """
version = 1

[[table]]
stream = "decisions"
source_table = "wq_decision"
target = "automated_decision"
key = "dec_id"
updated_at = "last_mod"
batch_size = {batch}

[table.columns]
decider_kind = {{ column = "kind", values = {{ R = "rule", M = "model" }} }}
decider_id = "rule_name"
decider_version = "rule_ver"
subject_type = {{ const = "claim" }}
subject_key = "subj_pcn"
decision = "outcome"
confidence = "conf"
decided_at = "decided_at"
facility_id = {{ column = "fac_cd", lookup = "facility" }}

[[table]]
stream = "overrides"
source_table = "wq_override"
target = "override"
key = "ovr_id"
updated_at = "last_mod"
batch_size = {batch}

[table.columns]
decision_id = {{ column = "dec_id", ref = "automated_decision" }}
user_name = "user_id"
new_outcome = "new_outcome"
reason_code = "reason"
overridden_at = "ovr_at"

[[table]]
stream = "items"
source_table = "wq_item"
target = "work_item"
key = "item_no"
updated_at = "last_mod"
batch_size = {batch}

[table.columns]
type = "item_type"
subject_type = {{ const = "claim" }}
subject_key = "pcn"
facility_id = {{ column = "fac_cd", lookup = "facility" }}
payer_id = {{ column = "payer_cd", lookup = "payer" }}
amount_cents = {{ column = "amt", money = "dollars" }}
opened_at = "opened"
due_at = "due"
assignee = "owner"
status = {{ column = "state", values = {{ O = "open", W = "in_progress", C = "closed" }} }}

[table.columns.stage]
column = "stage_cd"
values = {{ PB = "pre_bill", FER = "front_end_reject", DEN = "denial", POST = "posting" }}
"""


def write_mapping(folder: Path, batch: int = 500) -> Path:
    path = folder / "acme_wq.toml"
    path.write_text(MAPPING.format(batch=batch))
    return path


def create_schema(url: str) -> None:
    engine = create_engine(url)
    pg = engine.dialect.name == "postgresql"
    ts = "timestamp" if pg else "text"
    money = "numeric(12,2)" if pg else "text"
    with engine.begin() as conn:
        conn.execute(
            text(f"""CREATE TABLE wq_decision (dec_id integer PRIMARY KEY, kind text,
            rule_name text, rule_ver text, subj_pcn text, outcome text, conf real,
            decided_at {ts}, fac_cd text, last_mod {ts})""")
        )
        conn.execute(
            text(f"""CREATE TABLE wq_override (ovr_id integer PRIMARY KEY,
            dec_id integer, user_id text, new_outcome text, reason text, ovr_at {ts},
            last_mod {ts})""")
        )
        conn.execute(
            text(f"""CREATE TABLE wq_item (item_no integer PRIMARY KEY,
            item_type text, stage_cd text, pcn text, fac_cd text, payer_cd text, amt {money},
            opened {ts}, due {ts}, owner text, state text, last_mod {ts})""")
        )
    engine.dispose()


def _ts(engine, at: datetime):
    return at if engine.dialect.name == "postgresql" else at.strftime("%Y-%m-%d %H:%M:%S")


def item_row(engine, i: int, *, amt=None, stage="DEN", state="O", mod: datetime | None = None):
    mod = mod or T0 + timedelta(seconds=i)
    amount = amt if amt is not None else Decimal(i % 500) + Decimal("0.07")
    return {
        "item_no": i,
        "item_type": "denial",
        "stage_cd": stage,
        "pcn": f"PCN{i:06d}",
        "fac_cd": "H1" if i % 2 else "ZZ-UNKNOWN",
        "payer_cd": "MCARE" if i % 3 else "ACME-PPO",
        "amt": amount if engine.dialect.name == "postgresql" else str(amount),
        "opened": _ts(engine, T0 - timedelta(days=i % 30)),
        "due": _ts(engine, T0 + timedelta(days=3)),
        "owner": None if i % 4 == 0 else f"zz.user{i % 7}",
        "state": state,
        "last_mod": _ts(engine, mod),
    }


def insert_items(url: str, rows_or_range) -> None:
    engine = create_engine(url)
    rows = (
        [item_row(engine, i) for i in rows_or_range]
        if isinstance(rows_or_range, range)
        else rows_or_range
    )
    cols = list(rows[0])
    with engine.begin() as conn:
        marks = ", ".join(":" + c for c in cols)
        conn.execute(text(f"INSERT INTO wq_item ({', '.join(cols)}) VALUES ({marks})"), rows)
    engine.dispose()


def insert_decisions(url: str, n: int, overrides: int) -> None:
    engine = create_engine(url)
    decisions = [
        {
            "dec_id": i,
            "kind": "R" if i % 2 else "M",
            "rule_name": "auth_hold",
            "rule_ver": "v2",
            "subj_pcn": f"PCN{i:06d}",
            "outcome": "hold",
            "conf": 0.75,
            "decided_at": _ts(engine, T0),
            "fac_cd": "H1",
            "last_mod": _ts(engine, T0 + timedelta(seconds=i)),
        }
        for i in range(1, n + 1)
    ]
    over = [
        {
            "ovr_id": 1000 + i,
            "dec_id": i,
            "user_id": "zz.board1",
            "new_outcome": "release",
            "reason": "FALSE_POSITIVE",
            "ovr_at": _ts(engine, T0 + timedelta(hours=1)),
            "last_mod": _ts(engine, T0 + timedelta(hours=1, seconds=i)),
        }
        for i in range(1, overrides + 1)
    ]
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO wq_decision VALUES (:dec_id, :kind, :rule_name, :rule_ver, "
                ":subj_pcn, :outcome, :conf, :decided_at, :fac_cd, :last_mod)"
            ),
            decisions,
        )
        if over:
            conn.execute(
                text(
                    "INSERT INTO wq_override VALUES (:ovr_id, :dec_id, :user_id, :new_outcome, "
                    ":reason, :ovr_at, :last_mod)"
                ),
                over,
            )
    engine.dispose()


def execute(url: str, sql: str, params: dict | None = None) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text(sql), params or {})
    engine.dispose()


def source_totals(url: str) -> tuple[int, Decimal]:
    engine = create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT amt FROM wq_item")).scalars().all()
    engine.dispose()
    return len(rows), sum((Decimal(str(a)) for a in rows), Decimal(0))
