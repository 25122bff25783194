"""The generated system's claims in flight at its as-of are carried on by the simulator: every
837 set gets its 999, every claim its 277CA, every accepted claim an 835, every remit is posted
in the ERP — and the result ingests cleanly, balances to the cent and keeps the ERP ledger whole.

The system: 400 claims over one month as of Friday 2026-11-27 (payers take 14-34 days), so most
of the last three weeks' claims are unpaid at as-of.
"""

from __future__ import annotations

import shutil
import sqlite3
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select

from rcmwatch.clock import FixedClock
from rcmwatch.simulator.in_flight import read_folders
from rcmwatch.simulator.service import Simulator, StepReport
from rcmwatch.store.models import Claim, ClaimPayment, IngestWarning

AS_OF = date(2026, 11, 27)
START = datetime(2026, 11, 27, tzinfo=UTC)
LATER = datetime(2027, 11, 27)  # past every planned event


def _owed(system: Path, until: datetime):
    """(sets without a 999, claims without a status, claims not rejected or void without an
    835 since their latest submission)."""
    from rcmwatch.simulator.world import Clearinghouse

    house = Clearinghouse(system)
    seen = read_folders(house, datetime(2000, 1, 1), until)
    sets, unstatused, unpaid = set(), [], []
    for pcn, sent in seen.sent.items():
        if (sent.file.sender, sent.file.gs06, sent.set.st02) not in seen.acked:
            sets.add((sent.file.gs06, sent.set.st02))
        later = [ok for at, ok in seen.statuses.get(pcn, []) if at >= sent.at]
        if not later:
            unstatused.append(pcn)
        owed = (not later or later[-1]) and sent.claim.frequency != "8"
        if owed and not any(r.at >= sent.at for r in seen.remits.get(pcn, [])):
            unpaid.append(pcn)
    return sets, unstatused, unpaid


def _erp(system: Path, sql: str) -> list[tuple]:
    db = sqlite3.connect(system / "sources" / "erp.sqlite")
    try:
        return db.execute(sql).fetchall()
    finally:
        db.close()


def test_claims_in_flight_at_as_of_are_answered_posted_and_balanced(system, sqlite_store):
    from rcmwatch.demo_loader import load_demo
    from rcmwatch.ingest.run import ingest_paths

    sets, unstatused, unpaid = _owed(system, LATER)
    unposted = _erp(system, "SELECT COUNT(*) FROM remit_import WHERE status = 'unposted'")[0][0]
    # What the generator's cut left open (this seed and size): all four kinds occur.
    assert sets and unstatused and len(unpaid) > 100 and unposted > 0

    load_demo(sqlite_store, system, clock=FixedClock(START), claims=400, as_of=AS_OF)
    with sqlite_store.read() as conn:
        paid_before = conn.scalar(select(func.count()).select_from(ClaimPayment))
    before = {p.name for p in (system / "clearinghouse" / "inbound").iterdir()}

    sim = Simulator(sqlite_store, system, start_at=START)
    planned = sim.state.counters
    assert planned["in_flight_acks"] == len(sets)
    assert planned["in_flight_statuses"] == len(unstatused)
    assert planned["in_flight_adjudications"] == len(unpaid)
    # Release everything the continuation planned (no new service days: the clock stays put).
    sim._release(LATER, StepReport(LATER))
    sim.close()

    assert _owed(system, LATER) == (set(), [], [])
    assert _erp(system, "SELECT COUNT(*) FROM remit_import WHERE status = 'unposted'") == [(0,)]
    # The ERP ledger stays whole: every receivable = Σ its postings − Σ its write-offs.
    broken = _erp(
        system,
        """SELECT r.receivable_id, r.balance_cents,
                  COALESCE((SELECT SUM(amount_cents) FROM posting p
                            WHERE p.receivable_id = r.receivable_id), 0)
                - COALESCE((SELECT SUM(amount_cents) FROM write_off w
                            WHERE w.receivable_id = r.receivable_id), 0)
           FROM receivable r""",
    )
    assert [r for r in broken if r[1] != r[2]] == []

    new = sorted(p for p in (system / "clearinghouse" / "inbound").iterdir()
                 if p.name not in before and p.suffix != ".csv")  # fmt: skip
    assert new and all("_CONT" in p.name for p in new)
    outcomes = list(ingest_paths(sqlite_store, new, clock=FixedClock(START + timedelta(days=365))))
    assert [o.line() for o in outcomes if o.failed] == []
    with sqlite_store.read() as conn:
        paid_after = conn.scalar(select(func.count()).select_from(ClaimPayment))
        warnings = conn.scalars(
            select(IngestWarning.code).where(IngestWarning.code.like("%balanc%"))
        ).all()
        unknown = conn.scalar(
            select(func.count()).select_from(ClaimPayment).where(ClaimPayment.claim_id.is_(None))
        )
        claims = conn.scalar(select(func.count()).select_from(Claim))
    assert warnings == []  # every continued 835 balances: transaction, claim and line
    assert unknown == 0  # every CLP found its claim by patient control number
    assert paid_after - paid_before == planned["in_flight_adjudications"]
    assert claims <= 400  # no claim invented: only the generated ones were continued


def test_a_continued_payment_follows_its_payer_by_hand(system, sqlite_store):
    """One paid Medicare Part B claim worked by hand: allowed = ⌊charge × 34%⌋, the patient owes
    20% of allowed (plus a deductible for some), the payer pays the rest, CO-45 is the
    contractual difference — and the 835 balances: charge = paid + Σ CAS."""
    Simulator(sqlite_store, system, start_at=START)._release(LATER, StepReport(LATER))
    checked = 0
    for path in (system / "clearinghouse" / "inbound").glob("*_835_CONT*.835"):
        text = path.read_text()
        if "*XV*ZZ001~" not in text:  # N1*PR: Medicare Part B (34% allowed, 20% coinsurance)
            continue
        for loop in text.split("CLP*")[1:]:
            segs = [s.strip() for s in ("CLP*" + loop).split("~") if s.strip()]
            clp = segs[0].split("*")
            cents = [round(float(v) * 100) for v in (clp[3], clp[4], clp[5])]
            charge, paid, resp = cents
            adjustments = {}
            for cas in (s.split("*") for s in segs if s.startswith("CAS*")):
                for i in range(2, len(cas) - 1, 3):
                    adjustments[(cas[1], cas[i])] = round(float(cas[i + 1]) * 100)
            assert charge == paid + sum(adjustments.values())  # the claim balances
            if clp[2] != "1" or paid == 0:
                continue  # a denial: CO and the whole charge
            allowed = charge * 34 // 100
            assert adjustments[("CO", "45")] == charge - allowed
            assert adjustments[("PR", "2")] == allowed * 20 // 100
            assert resp == adjustments[("PR", "2")] + adjustments.get(("PR", "1"), 0)
            assert paid == allowed - resp
            checked += 1
    assert checked > 10


def test_the_continuation_is_planned_once_and_the_same_every_time(_generated, tmp_path):
    from rcmwatch.simulator.planner import PendingEvents
    from rcmwatch.store.engine import open_store_url

    runs = []
    for n in range(2):
        target = tmp_path / f"s{n}"
        shutil.copytree(_generated, target)
        store = open_store_url(f"sqlite:///{tmp_path / f's{n}.db'}")
        Simulator(store, target, start_at=START).close()
        Simulator(store, target, start_at=START).close()  # a restart plans nothing more
        pending = PendingEvents(target)
        runs.append(pending.db.execute("SELECT at, kind, target, payload FROM event").fetchall())
        pending.close()
        store.dispose()
    assert runs[0] == runs[1] and len(runs[0]) > 100
    payloads = [r[3] for r in runs[0]]
    assert len(payloads) == len(set(payloads))  # nothing planned twice
