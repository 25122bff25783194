"""``rcmwatch simulate``: a small generated system (400 claims, one month, as of Friday
2026-11-27) continued on the simulated clock, against real RabbitMQ where the test needs it.

Hand-worked volumes: the generated window is 2026-10-27..11-26, 31 days = 23 weekdays (weight 1),
4 Saturdays (0.35) and 4 Sundays (0.2): weight 25.2, so 400 / 25.2 = 15.87 claims per weekday
unit. A Friday gets round(15.87) = 16 new claims, a Saturday round(5.56) = 6. The simulator plans
one day ahead, so a clock on Friday has planned Friday and Saturday: 22 claims, indices 400..421
(the generated system's claims are 0..399), patient control numbers P/I0000000400 onwards.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from sqlalchemy import func, select

from rcmwatch.clock import FixedClock
from rcmwatch.simulator.broker import Broker
from rcmwatch.simulator.planner import SystemInfo, claims_on, scenario_for
from rcmwatch.simulator.service import Simulator
from rcmwatch.simulator.state import read_state
from rcmwatch.store.models import AckLink, AckSet, Claim, ClaimPayment, InterfaceMessage
from tests.cli_runner import run_cli

AS_OF = date(2026, 11, 27)  # a Friday
MGMT = "http://127.0.0.1:15672"


@pytest.fixture
def amqp_url() -> str:
    from tests.conftest import _skip_or_fail

    url = os.environ.get("RCMWATCH_TEST_AMQP_URL")
    if not url:
        _skip_or_fail("RabbitMQ not configured (set RCMWATCH_TEST_AMQP_URL)")
    return url


@pytest.fixture
def broker(amqp_url):
    from tests.conftest import _skip_or_fail

    b = Broker(amqp_url, prefix=f"rcmw_t_{uuid.uuid4().hex[:8]}.")
    if not b.connect():
        _skip_or_fail(f"RabbitMQ unreachable: {b.status}")
    yield b
    if b.channel is None:
        b.connect()
    b.delete_topology()
    b.close()


def _engine_rows(system: Path, where: str) -> list[tuple]:
    db = sqlite3.connect(system / "sources" / "engine.sqlite")
    try:
        return db.execute(
            f"SELECT message_id, interface, status FROM message_log WHERE {where}"
        ).fetchall()
    finally:
        db.close()


def test_daily_volume_follows_the_generated_rate(system):
    info = SystemInfo.read(system)
    assert claims_on(info, date(2026, 11, 27)) == 16  # Friday
    assert claims_on(info, date(2026, 11, 28)) == 6  # Saturday
    assert claims_on(info, date(2026, 11, 29)) == 3  # Sunday: round(400/25.2*0.2) = round(3.17)


@pytest.mark.rabbitmq
@pytest.mark.slow
def test_an_hour_of_simulation_ingests_cleanly_and_the_broker_collector_sees_it(
    system, sqlite_store, broker, amqp_url
):
    from collectors.rabbitmq import ManagementApi, PikaDepths, RabbitMqCollector
    from collectors.runner import run_source
    from rcmwatch.ingest.run import ingest_paths

    # At this size Friday's claims go out in Saturday's 20:00 batch, the 999s follow at 20:45.
    start = datetime(2026, 11, 28, 19, 50, tzinfo=UTC)
    # The dead-letter storm switched on today: dft_charges fails 09:00-15:00.
    sim = Simulator(
        sqlite_store, system, broker=broker, scenario="dead_letter_storm", start_at=start
    )
    before = {p.name for p in (system / "clearinghouse" / "inbound").iterdir()}
    sim.step(timedelta(0))  # catch up to Saturday 19:50 (Friday's and Saturday's so far)
    sim.step(timedelta(hours=1))  # 19:50 → 20:50: the 20:00 837s and their 20:45 999s
    assert sim.state.now == "2026-11-28T20:50:00+00:00"
    # Friday 16 + Saturday 6 + Sunday (planned a day ahead) 3 = 25 claims: indices 400..424.
    assert (sim.state.planned_through, sim.state.next_index) == ("2026-11-29", 425)
    # The answers owed to the generated system's own claims (``_CONT``) are tested with that
    # system in test_in_flight; here only what the simulated days produced.
    new = sorted(
        p for p in (system / "clearinghouse" / "inbound").iterdir()
        if p.name not in before and not p.name.endswith(".csv") and "_CONT" not in p.name
    )  # fmt: skip
    kinds = sorted({p.name.split("_")[1] for p in new})
    assert kinds == ["837I", "837P", "999"]
    outcomes = list(ingest_paths(sqlite_store, new, clock=FixedClock(start)))
    assert [o.line() for o in outcomes if o.failed] == []
    with sqlite_store.read() as conn:
        pcns = sorted(conn.scalars(select(Claim.pcn)))
        linked = conn.scalar(select(func.count()).select_from(AckLink))
        acks = conn.scalar(select(func.count()).select_from(AckSet))
    indices = sorted(int(p[1:]) for p in pcns)
    assert indices[0] >= 400 and indices[-1] <= 421  # Friday's and Saturday's (400..421)
    assert acks > 0 and linked == acks  # every 999 set answer found its 837

    # The broker: every message the engine log marks dead_lettered sits on a DLQ.
    dead = list(_engine_rows(system, "status = 'dead_lettered'"))
    assert dead and {r[1] for r in dead} >= {"dft_charges"}
    vhost = unquote(urlsplit(amqp_url).path[1:]) or "/"
    parts = urlsplit(amqp_url)
    api = ManagementApi(MGMT, unquote(parts.username), unquote(parts.password))
    deadline = time.monotonic() + 30
    while True:  # the management API refreshes its counters every few seconds
        depth = {q["name"]: q.get("messages") for q in api.queues(vhost)}
        total_dlq = sum(v or 0 for k, v in depth.items() if k.startswith(broker.prefix)
                        and k.endswith(".dlq"))  # fmt: skip
        if total_dlq == len(dead) or time.monotonic() > deadline:
            break
        time.sleep(1)
    assert total_dlq == len(dead)
    collector = RabbitMqCollector(
        "broker", vhost=vhost, management=api, amqp=PikaDepths(amqp_url),
        queue_prefix=broker.prefix,
    )  # fmt: skip
    result = run_source(sqlite_store, collector, clock=FixedClock(sim.state.at))
    assert result.ok, result.line()
    with sqlite_store.read() as conn:
        letters = conn.execute(
            select(InterfaceMessage.message_id, InterfaceMessage.status).where(
                InterfaceMessage.source == "broker"
            )
        ).all()
    assert sorted(m for m, _ in letters) == sorted(r[0] for r in dead)
    assert {s for _, s in letters} == {"dead_lettered"}
    collector.close()
    sim.close()


@pytest.mark.rabbitmq
def test_a_republished_dead_letter_is_consumed_and_closes_its_work_item(
    system, sqlite_store, broker
):
    start = datetime(2026, 11, 28, 16, 0, tzinfo=UTC)  # after Saturday 09:00-15:00 storm
    sim = Simulator(
        sqlite_store, system, broker=broker, scenario="dead_letter_storm", start_at=start
    )
    sim.step(timedelta(0))
    dead = list(_engine_rows(system, "status = 'dead_lettered'"))
    assert dead
    ch = broker.channel
    dlq = broker.name("billing.charges") + ".dlq"
    method, props, body = ch.basic_get(dlq, auto_ack=False)
    assert method is not None
    death = props.headers["x-death"][0]
    # What the remediation job does: publish to the original exchange and routing key.
    ch.basic_publish(death["exchange"], death["routing-keys"][0], body, properties=props)
    ch.basic_ack(method.delivery_tag)
    report = sim.step(timedelta(minutes=5))
    assert report.consumed_republished == 1
    assert death["exchange"] == broker.name("ehr.events") and death["routing-keys"] == ["dft.p03"]
    db = sqlite3.connect(system / "sources" / "engine.sqlite")
    status, republished = db.execute(
        "SELECT status, republished_at FROM message_log WHERE message_id = ?",
        (props.message_id,),
    ).fetchone()
    assert (status, republished) == ("processed", "2026-11-28T16:05:00")
    wf = sqlite3.connect(system / "sources" / "workflow.sqlite")
    items = wf.execute(
        "SELECT status, resolution FROM work_item WHERE subject_type = 'message' AND "
        "subject_key = ?",
        (props.message_id,),
    ).fetchall()
    assert items == [("closed", "republished")]
    sim.close()


def test_a_claim_dropped_in_outbound_gets_a_999_a_277ca_and_later_an_835(system, sqlite_store):
    from rcmwatch.ingest.run import ingest_paths
    from rcmwatch.simulator.outbound import read_837

    start = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)
    sim = Simulator(sqlite_store, system, start_at=start)
    sim.step(timedelta(0))
    outbound = system / "clearinghouse" / "outbound"
    original = sorted(outbound.glob("*_837P_PHYS.837"))[-1]
    claim_file = read_837(original.read_bytes())
    first = claim_file.claims[0]
    # A resubmission: the same claims, in a file of its own.
    dropped = outbound / "20261127-080000_837P_PHYS_RESUBMIT.837"
    dropped.write_bytes(original.read_bytes())
    assert sim.step(timedelta(minutes=1)).answered_claim_files == 1
    inbound = system / "clearinghouse" / "inbound"
    sim.step(timedelta(minutes=45))  # 08:46: the 999 (45 minutes after 08:01)
    acks = sorted(inbound.glob("*_999_RESUB*.999"))
    assert [p.name for p in acks] == ["20261127-084600_999_RESUB900000000.999"]
    text = acks[0].read_text()
    assert f"AK1*HC*{claim_file.gs06}*005010X222A1~" in text
    assert f"AK9*A*{len(claim_file.sets)}*{len(claim_file.sets)}*{len(claim_file.sets)}~" in text
    sim.step(timedelta(hours=10))  # the 277CA at 18:01
    assert len(list(inbound.glob("*_277CA_RESUB*.277"))) == 1
    assert list(inbound.glob("*_835_RESUB*.835")) == []
    sim.step(timedelta(days=14))  # the 835 two weeks later
    remits = sorted(inbound.glob("*_835_RESUB*.835"))
    assert remits
    remit_text = "".join(p.read_text() for p in remits)
    # 80% paid, the rest CO-45: hand-worked for the first claim.
    paid = first.charge_cents * 80 // 100
    assert f"CLP*{first.pcn}*1*" in remit_text
    ingest = list(
        ingest_paths(sqlite_store, [dropped, *acks, *remits], clock=FixedClock(sim.state.at))
    )
    assert [o.line() for o in ingest if o.failed] == []
    with sqlite_store.read() as conn:
        payment = conn.execute(
            select(ClaimPayment.charge, ClaimPayment.paid).where(ClaimPayment.pcn == first.pcn)
        ).one()
        linked = conn.scalar(select(func.count()).select_from(AckLink))
    assert (int(payment.charge * 100), int(payment.paid * 100)) == (first.charge_cents, paid)
    assert linked == len(claim_file.sets)
    sim.close()


def test_the_simulated_clock_survives_a_restart(system, store_url):
    from rcmwatch.store.engine import open_store_url

    store = open_store_url(store_url)
    sim = Simulator(store, system)
    sim.step(timedelta(hours=3, minutes=20))
    pending = sim.pending.count()
    sim.close()
    store.dispose()
    store = open_store_url(store_url)
    state = read_state(store)
    assert state.now == "2026-11-27T03:20:00+00:00"
    again = Simulator(store, system)
    assert again.state.at == datetime(2026, 11, 27, 3, 20, tzinfo=UTC)
    assert (again.state.next_index, again.pending.count()) == (422, pending)
    again.step(timedelta(minutes=40))
    assert read_state(store).now == "2026-11-27T04:00:00+00:00"
    again.close()
    store.dispose()


def test_request_table_rows_are_acted_on(system, sqlite_store):
    sim = Simulator(sqlite_store, system, start_at=datetime(2026, 11, 27, 9, tzinfo=UTC))
    sim.step(timedelta(0))
    wf = sqlite3.connect(system / "sources" / "workflow.sqlite")
    erp = sqlite3.connect(system / "sources" / "erp.sqlite")
    item = wf.execute(
        "SELECT work_item_id, assignee FROM work_item WHERE status != 'closed' LIMIT 1"
    ).fetchone()
    remit = erp.execute(
        "SELECT remit_import_id, pcn, paid_cents FROM remit_import WHERE status = 'unposted' "
        "AND paid_cents > 0 LIMIT 1"
    ).fetchone()
    assert item and remit
    wf.executemany(
        "INSERT INTO action_request (request_id, action, subject_type, subject_key, parameters, "
        "requested_by, requested_at, status, updated_at) VALUES (?,?,?,?,?,?,?,'pending',?)",
        [
            ("job-1:a", "reassign", "work_item", item[0], json.dumps({"assignee": "zz.new01"}),
             "ops", "2026-11-27T09:00:00", "2026-11-27T09:00:00"),
            ("job-2:a", "repost", "remit", remit[0], "{}", "ops", "2026-11-27T09:00:00",
             "2026-11-27T09:00:00"),
            ("job-3:a", "reassign", "work_item", "NO-SUCH", json.dumps({"assignee": "x"}),
             "ops", "2026-11-27T09:00:00", "2026-11-27T09:00:00"),
        ],
    )  # fmt: skip
    wf.commit()
    assert sim.step(timedelta(minutes=10)).requests == 3
    results = dict(
        wf.execute("SELECT request_id, status FROM action_request ORDER BY request_id").fetchall()
    )
    assert results == {"job-1:a": "done", "job-2:a": "done", "job-3:a": "rejected"}
    assert wf.execute(
        "SELECT assignee, updated_at FROM work_item WHERE work_item_id = ?", (item[0],)
    ).fetchone() == ("zz.new01", "2026-11-27T09:10:00")
    status, posted_at, manual = erp.execute(
        "SELECT status, posted_at, is_manual FROM remit_import WHERE remit_import_id = ?",
        (remit[0],),
    ).fetchone()
    assert (status, posted_at, manual) == ("posted", "2026-11-27T09:10:00", 1)
    posting = erp.execute(
        "SELECT amount_cents, receivable_id FROM posting WHERE posting_id = ?", (f"RP{remit[0]}",)
    ).fetchone()
    assert posting == (-remit[2], f"{remit[1]}-I")
    sim.close()


def test_cli_simulates_an_hour_without_a_broker_and_switches_scenarios(system, sqlite_url):
    env = {"RCMWATCH_AMQP_URL": ""}
    result = run_cli(
        "--db", sqlite_url, "simulate", "--system", str(system), "--for", "1h", env=env
    )
    assert result.code == 0, result.stderr
    assert result.stdout.startswith("simulated clock 2026-11-27T01:00:00+00:00:")
    assert "22 claims planned" in result.stdout
    assert "broker not connected" in result.stdout
    switched = run_cli("--db", sqlite_url, "simulate", "--set-scenario", "payer_outage", env=env)
    assert switched.code == 0, switched.stderr
    assert switched.stdout.strip() == (
        # Friday and Saturday are planned already: the switch takes effect on Sunday.
        "scenario payer_outage from 2026-11-29 (simulated clock 2026-11-27T01:00:00+00:00)"
    )


def test_cli_set_scenario_without_a_simulator_is_one_line(sqlite_url):
    result = run_cli("--db", sqlite_url, "simulate", "--set-scenario", "payer_outage")
    assert result.code == 2
    assert result.stderr_lines == [
        "rcmwatch: error: no simulator state in this store (start `rcmwatch simulate` first)"
    ]


def test_a_scenario_switched_live_starts_on_the_first_unplanned_day(system, sqlite_store):
    from rcmwatch.simulator.state import switch_scenario

    sim = Simulator(sqlite_store, system, start_at=datetime(2026, 11, 27, 1, tzinfo=UTC))
    sim.step(timedelta(0))  # Friday 01:00: Friday and Saturday planned (baseline)
    state = switch_scenario(sqlite_store, "dead_letter_storm")
    # Saturday is planned already: the storm (09:00-15:00 of its first day) comes on Sunday.
    assert (state.scenario, state.scenario_since) == ("dead_letter_storm", "2026-11-29")
    window = scenario_for(state.scenario, date(2026, 11, 29))
    assert (window.storm_interface, window.storm_start, window.storm_end) == (
        "dft_charges",
        datetime(2026, 11, 29, 9),
        datetime(2026, 11, 29, 15),
    )
    sim.step(timedelta(days=2, hours=15))  # to Sunday 16:00
    assert sim.state.scenario == "dead_letter_storm"
    # Friday's and Saturday's claims were planned before the switch: no storm on them.
    dead = _engine_rows(
        system,
        "status = 'dead_lettered' AND interface = 'dft_charges' AND created_at < '2026-11-29'",
    )
    assert dead == []
    sim.close()
