"""Claims the generated system left in flight at its as-of date, carried on by the simulator.

The generator cuts every claim's story at the as-of: a set sent the evening before has no 999
yet, a claim accepted three weeks ago has no 835, an 835 that came in yesterday is not posted.
Without a continuation those claims would look stuck for the whole simulation.

What the continuation knows is what the outside world knows: the clearinghouse's folders (which
837 sets went out, which 999s, 277CAs and 835s came back) and the ERP's unposted remits. On its
first start the simulator plans, on the simulated clock:

- a 999 accepting every 837 set that has none (45 minutes after it was sent, not before as-of);
- a 277CA accepting every claim of the latest submission that has no status since;
- an 835 for every accepted claim without an adjudication since: the payer's own lag
  (``Payer.pay_lag_days``, a share pended for records) on one of its payment weekdays, denied at
  its own rate (``DENIAL_BASE`` × ``denial_factor``, CARCs from ``DENIAL_MIX``) or paid at its
  allowed share with the patient's coinsurance — the generator's parameters, so the continued
  claims look like the rest;
- the ERP posting of each such 835 and of every remit still unposted at as-of (auto-posting the
  next working day at 14:00, a share posted by hand days later), moving the receivables, and a
  denial work item for each denial.

Claims rejected by the clearinghouse or the payer, denied claims and claims held before billing
wait in their work queues: they move when a person or a remediation job acts (a corrected claim
dropped in the outbound folder is answered by ``outbound``). Every draw is keyed by the claim,
so the same system always continues the same way.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from rcmwatch.simulator.outbound import (
    ClaimPayment,
    Outbound837,
    OutboundClaim,
    OutboundSet,
    _ack,
    _cents,
    _status,
    read_837,
    remit_file,
)
from rcmwatch.simulator.planner import _stamp

LOOKBACK = timedelta(days=270)  # a pended claim waits up to ~210 days; older ones are settled
REJECTING = {"A3", "A4", "A6", "A7", "A8"}  # 277CA categories that reject (A1/A2/A5 accept)
CHUNK = 99_999  # id block of the continuation's rows (the simulator's own days start at 100,000)
CONTROL_BASE = 800_000_000
TAG = "CONT"


@dataclass
class Sent:
    at: datetime
    entity: str
    file: Outbound837
    set: OutboundSet
    claim: OutboundClaim


@dataclass
class Clp:
    at: datetime
    file_name: str
    pcn: str
    cas: list[tuple[str, str, int]] = field(default_factory=list)


@dataclass
class Seen:
    """What the clearinghouse folders say about the claims."""

    sent: dict[str, Sent] = field(default_factory=dict)  # pcn → its latest submission
    acked: set[tuple[str, str, str]] = field(default_factory=set)  # (ISA06, GS06, ST02)
    statuses: dict[str, list[tuple[datetime, bool]]] = field(default_factory=dict)
    remits: dict[str, list[Clp]] = field(default_factory=dict)


@dataclass
class InFlightReport:
    acks: int = 0
    statuses: int = 0
    remits: int = 0
    adjudications: int = 0
    denials: int = 0
    postings: int = 0
    unposted_before: int = 0
    files: int = 0

    def line(self) -> str:
        return (
            f"continuing claims in flight at as-of: {self.acks} 999 sets, {self.statuses} 277CA "
            f"statuses, {self.adjudications} adjudications ({self.denials} denied) in "
            f"{self.remits} 835s, {self.postings} postings ({self.unposted_before} remits "
            f"unposted at as-of)"
        )


# --- reading the folders ------------------------------------------------------------------------


def _file_time(path: Path) -> datetime:
    try:
        return datetime.strptime(path.name[:15], "%Y%m%d-%H%M%S")
    except ValueError:
        return datetime.fromtimestamp(path.stat().st_mtime, UTC).replace(tzinfo=None)


def _segments(data: bytes) -> tuple[str, list[list[str]]]:
    text = data.decode("latin-1").lstrip("\ufeff").lstrip()
    if not text.startswith("ISA") or len(text) < 106:
        raise ValueError("not an X12 interchange")
    element, component, terminator = text[3], text[104], text[105]
    return component, [s.strip().split(element) for s in text.split(terminator) if s.strip()]


def read_folders(house, since: datetime, until: datetime) -> Seen:
    seen = Seen()
    for path in sorted(house.outbound.glob("*.837")):
        at = _file_time(path)
        if not since <= at < until:
            continue
        f = read_837(path.read_bytes())
        entity = path.stem.rsplit("_", 1)[-1]
        for s in f.sets:
            for c in s.claims:
                seen.sent[c.pcn] = Sent(at, entity, f, s, c)  # files sort by time: latest wins
    for path in sorted(house.inbound.iterdir()):
        at = _file_time(path)
        if not path.is_file() or not since <= at < until:
            continue
        try:
            component, segs = _segments(path.read_bytes())
        except ValueError:
            continue
        if path.suffix == ".999":
            _read_999(segs, seen)
        elif path.suffix == ".277":
            _read_277(segs, component, at, seen)
        elif path.suffix == ".835":
            _read_835(segs, path.name, at, seen)
    return seen


def _read_999(segs, seen: Seen) -> None:
    receiver = gs06 = ""
    for e in segs:
        if e[0] == "ISA":
            receiver = e[8].strip()
        elif e[0] == "AK1":
            gs06 = e[2]
        elif e[0] == "AK2":
            seen.acked.add((receiver, gs06, e[2]))


def _read_277(segs, component: str, at: datetime, seen: Seen) -> None:
    level, pcn, above_rejected = "", "", False
    for e in segs:
        tag = e[0]
        if tag == "ST":
            above_rejected = False
        elif tag == "HL":
            level, pcn = (e[3] if len(e) > 3 else ""), ""
        elif tag == "TRN" and level == "PT" and e[1] == "2":
            pcn = e[2]
            if above_rejected:
                seen.statuses.setdefault(pcn, []).append((at, False))
        elif tag == "STC":
            category = e[1].split(component)[0]
            if level != "PT":
                above_rejected = above_rejected or category in REJECTING
            elif pcn and not above_rejected:
                seen.statuses.setdefault(pcn, []).append((at, category not in REJECTING))


def _read_835(segs, name: str, at: datetime, seen: Seen) -> None:
    current: Clp | None = None
    for e in segs:
        if e[0] == "CLP":
            current = Clp(at, name, e[1])
            seen.remits.setdefault(e[1], []).append(current)
        elif e[0] == "CAS" and current is not None:
            for i in range(2, len(e) - 1, 3):
                if e[i] and e[i + 1]:
                    current.cas.append((e[1], e[i], _cents(e[i + 1])))
        elif e[0] in ("SE", "LX"):
            current = None if e[0] == "SE" else current


# --- planning -----------------------------------------------------------------------------------


class _Ids:
    def __init__(self) -> None:
        self.n: dict[str, int] = {}

    def next(self, prefix: str) -> str:
        self.n[prefix] = self.n.get(prefix, 0) + 1
        return f"{prefix}{CHUNK:06d}{self.n[prefix]:07d}"


def _rng(seed: int, *parts: object) -> random.Random:
    return random.Random(f"rcmwatch-in-flight:{seed}:" + ":".join(map(str, parts)))


def _payer(payer_id: str):
    from sample_data.health_system import PAYERS

    for p in PAYERS:
        if payer_id in (p.id_837, p.id_835, p.code):
            return p
    return None


def _next_weekday(d: date, weekdays) -> date:
    d += timedelta(days=1)
    while d.weekday() not in weekdays:
        d += timedelta(days=1)
    return d


def _posting_time(rng: random.Random, received: datetime, now: datetime) -> tuple[datetime, bool]:
    """The generator's posting habit: auto-posting at 14:00 the next working day; about one in
    nine remits posted by hand within a few working days. A remit already overdue at as-of is
    caught up over the first days."""
    from sample_data.claim_story import MANUAL_POSTING

    manual = rng.random() < MANUAL_POSTING
    if manual:
        at = received + timedelta(hours=2 + rng.uniform(4, 90))
    else:
        d = _next_weekday(received.date(), (0, 1, 2, 3, 4))
        at = datetime(d.year, d.month, d.day, 14, rng.randint(0, 50))
    if at < now:
        at = now + timedelta(minutes=rng.randint(30, 3 * 24 * 60))
    return at, manual


def _adjudicate(rng: random.Random, payer, sent: Sent, n: int) -> tuple[ClaimPayment, str]:
    """Paid or denied the way the generator's payers behave; returns the CLP and the denial
    category ('' when paid)."""
    from sample_data.claim_story import DENIAL_BASE, DENIAL_MIX

    c = sent.claim
    number = f"{payer.code[:3]}C{CHUNK:05d}{n:07d}"
    if rng.random() < DENIAL_BASE * payer.denial_factor:
        category, _, carcs = rng.choices(DENIAL_MIX, [w for _, w, _ in DENIAL_MIX])[0]
        carc = rng.choices([code for code, _ in carcs], [w for _, w in carcs])[0]
        status = "4" if category == "eligibility" else "1"
        return ClaimPayment(c, status, 0, 0, number, [("CO", carc, c.charge_cents)]), category
    # Basis points keep the arithmetic in integers (0.34 × charge in floats can land a cent off).
    allowed = c.charge_cents * round(payer.allowed_pct * 10_000) // 10_000
    professional = "X222" in sent.file.version
    copay = min(payer.copay_cents, allowed) if professional else 0
    coinsurance = (allowed - copay) * payer.coinsurance_pct // 100
    deductible = 0
    if rng.random() < payer.deductible_share:
        deductible = min(allowed - copay - coinsurance, rng.randint(5_000, 40_000))
    cas = [
        ("CO", "45", c.charge_cents - allowed),
        ("PR", "1", deductible),
        ("PR", "2", coinsurance),
        ("PR", "3", copay),
    ]
    resp = deductible + coinsurance + copay
    paid = allowed - resp
    return ClaimPayment(c, "1", paid, resp, number, [a for a in cas if a[2]]), ""


def plan_in_flight(info, house, tables, pending, now: datetime) -> InFlightReport:
    """Plan the continuation of everything in flight at ``now`` (the simulation's start)."""
    from rcmwatch.simulator.planner import _file_message

    now = now.astimezone(UTC).replace(tzinfo=None) if now.tzinfo else now
    seen = read_folders(house, now - LOOKBACK, now)
    report = InFlightReport()
    ids = _Ids()
    events: list[tuple[str, str, str, str]] = []
    control = [CONTROL_BASE]

    def drop(answer, entity: str) -> None:
        at, name, content, kind, claims = answer
        events.append(
            (_stamp(at), "answer", name,
             json.dumps({"content": content.decode("ascii"), "kind": kind, "claims": claims}))
        )  # fmt: skip
        msg = _file_message(_FileAt(at, kind, entity), name, CHUNK, report.files)
        events.append((_stamp(at + timedelta(minutes=1)), "row", "message_log", json.dumps(msg)))
        report.files += 1
        control[0] += 1

    # 999s and 277CAs, one file per 837 file that is owed them.
    unacked: dict[int, tuple[Sent, dict[int, OutboundSet]]] = {}
    unstatused: dict[int, tuple[Sent, list[OutboundClaim]]] = {}
    owed_835: list[tuple[Sent, datetime]] = []
    for pcn, sent in seen.sent.items():
        key = id(sent.file)
        if (sent.file.sender, sent.file.gs06, sent.set.st02) not in seen.acked:
            unacked.setdefault(key, (sent, {}))[1][id(sent.set)] = sent.set
        later = [ok for at, ok in seen.statuses.get(pcn, []) if at >= sent.at]
        if later and not later[-1]:
            continue  # rejected: waits in the front-end reject queue
        accepted_at = None
        if not later:
            unstatused.setdefault(key, (sent, []))[1].append(sent.claim)
        else:
            accepted_at = max(at for at, ok in seen.statuses[pcn] if at >= sent.at and ok)
        if sent.claim.frequency == "8":
            continue  # a void is not paid
        if any(r.at >= sent.at for r in seen.remits.get(pcn, [])):
            continue  # adjudicated already
        owed_835.append((sent, accepted_at))
    for sent, sets in unacked.values():
        at = max(sent.at + timedelta(minutes=45), now + timedelta(minutes=20))
        drop(_ack(replace(sent.file, sets=list(sets.values())), at, control[0], TAG), sent.entity)
        report.acks += len(sets)
    status_at: dict[str, datetime] = {}
    for sent, claims in unstatused.values():
        at = max(sent.at + timedelta(hours=10), now + timedelta(hours=2))
        owed = {id(c) for c in claims}  # by identity: a claim dataclass compares field by field
        by_set = [replace(s, claims=[c for c in s.claims if id(c) in owed]) for s in sent.file.sets]
        drop(_status(replace(sent.file, sets=[s for s in by_set if s.claims]), at, control[0],
                     TAG), sent.entity)  # fmt: skip
        report.statuses += len(claims)
        for c in claims:
            status_at[c.pcn] = at

    # 835s: batched per payer, payee and payment day, as payers send them.
    batches: dict[tuple[str, str, date], list[tuple[Sent, ClaimPayment, str]]] = {}
    for n, (sent, accepted_at) in enumerate(owed_835, start=1):
        payer = _payer(sent.claim.payer_id)
        if payer is None:
            continue
        rng = _rng(info.seed, "adjudicate", sent.claim.pcn)
        accepted = accepted_at or status_at[sent.claim.pcn]
        lo, hi = payer.pay_lag_days
        lag = rng.randint(lo, hi) + (rng.randint(70, 190) if rng.random() < 0.09 else 0)
        day = _next_weekday((accepted + timedelta(days=lag)).date() - timedelta(days=1),
                            payer.pay_weekdays)  # fmt: skip
        if day <= now.date():  # overdue: the payer's next payment runs
            day = _next_weekday(now.date() + timedelta(days=rng.randint(0, 6)), payer.pay_weekdays)
        clp, category = _adjudicate(rng, payer, sent, n)
        batches.setdefault((payer.code, sent.entity, day), []).append((sent, clp, category))

    posted: list[tuple[dict, list[tuple[str, str, int]], datetime, str, bool]] = []
    for (payer_code, entity, day), items in sorted(batches.items()):
        from sample_data.claim_story import era_received_at

        received = era_received_at(info.seed, payer_code, day)
        trace = f"{payer_code}{day:%y%m%d}{entity}C{control[0]}"
        first = items[0][0]
        answer = remit_file(
            first.file,
            [clp for _, clp, _ in items],
            first.claim.payer_id,
            first.claim.payer_name,
            received,
            control[0],
            trace=trace,
            tag=TAG,
        )
        name = answer[1]
        drop(answer, entity)
        report.remits += 1
        for sent, clp, category in items:
            report.adjudications += 1
            report.denials += bool(category)
            row = tables.row("receivable", f"{sent.claim.pcn}-I")
            if row is None:
                continue
            rid = ids.next("R")
            payer = _payer(sent.claim.payer_id)
            imported = {
                "remit_import_id": rid, "file_name": name, "trace_number": trace,
                "payer_code": payer.code, "payer_id_835": payer.id_835,
                "facility_code": row["facility_code"], "pcn": sent.claim.pcn,
                "clp_status": clp.status, "payer_claim_number": clp.payer_claim_number,
                "charge_cents": sent.claim.charge_cents, "paid_cents": clp.paid_cents,
                "patient_resp_cents": clp.patient_resp_cents,
                "production_date": day.isoformat(), "received_at": received.isoformat(),
                "status": "unposted", "posted_at": None, "is_manual": None,
                "updated_at": received.isoformat(),
            }  # fmt: skip
            events.append((_stamp(received), "row", "remit_import", json.dumps(imported)))
            rng = _rng(info.seed, "post", rid)
            at, manual = _posting_time(rng, received, now)
            posted.append((imported, clp.cas, at, category, manual))

    # Remits that came in before as-of and still wait for posting.
    for row in _unposted(tables):
        clp = next((c for c in seen.remits.get(row["pcn"], []) if c.file_name == row["file_name"]),
                   None)  # fmt: skip
        cas = clp.cas if clp else []
        received = datetime.fromisoformat(row["received_at"]).replace(tzinfo=None)
        at, manual = _posting_time(_rng(info.seed, "post", row["remit_import_id"]), received, now)
        denial = int(row["paid_cents"] or 0) == 0 and any(g == "CO" for g, _, _ in cas)
        posted.append((row, cas, at, _category(cas) if denial else "", manual))
        report.unposted_before += 1

    balances: dict[str, dict] = {}
    for imported, cas, at, category, manual in sorted(posted, key=lambda p: p[2]):
        events += _post(imported, cas, at, manual, tables, balances, ids)
        report.postings += 1
        if category:
            events += _denial_item(imported, cas, at, category, ids, info.seed)
    pending.add(events)
    return report


@dataclass
class _FileAt:
    at: datetime
    kind: str
    entity: str


def _unposted(tables) -> list[dict]:
    db = tables.dbs["erp"]
    cur = db.execute("SELECT * FROM remit_import WHERE status = 'unposted' ORDER BY received_at")
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def _post(imported, cas, at, manual, tables, balances, ids) -> list[tuple]:
    """The ERP's posting of one imported CLP, as ``ClaimStory.import_remit`` posts it: payment,
    non-denial adjustments, the patient's share transferred; the receivables' new balances."""
    from rcmwatch.reference.carc_map import NON_DENIAL_CARCS

    pcn, payer = imported["pcn"], imported["payer_code"]
    stamp = at.isoformat()
    by = "zz.poster01" if manual else "ERA-AUTOPOST"
    out: list[tuple] = [
        (_stamp(at), "row", "remit_import",
         json.dumps(dict(imported, status="posted", posted_at=stamp, is_manual=int(manual),
                         updated_at=stamp))),
    ]  # fmt: skip
    moves: list[tuple[str, str, str | None, str | None, int]] = []
    paid, resp = int(imported["paid_cents"] or 0), int(imported["patient_resp_cents"] or 0)
    if paid:
        moves.append((f"{pcn}-I", "payment", None, None, -paid))
    totals: dict[tuple[str, str], int] = {}
    for g, c, a in cas:
        if g == "PR" or c == "23" or c not in NON_DENIAL_CARCS:
            continue  # denials stay in A/R until appealed, corrected or written off
        totals[(g, c)] = totals.get((g, c), 0) + a
    moves += [(f"{pcn}-I", "adjustment", g, c, -a) for (g, c), a in totals.items() if a]
    if resp:
        moves += [(f"{pcn}-I", "transfer", "PR", None, -resp), (f"{pcn}-P", "transfer", "PR", None,
                                                                 resp)]  # fmt: skip
    for receivable, kind, group, carc, amount in moves:
        posting = {
            "posting_id": ids.next("P"), "receivable_id": receivable, "pcn": pcn,
            "remit_import_id": imported["remit_import_id"],
            "remit_trace_number": imported["trace_number"],
            "payer_code": "SELF" if receivable.endswith("-P") else payer,
            "facility_code": imported["facility_code"], "kind": kind, "group_code": group,
            "carc": carc, "amount_cents": amount, "posted_at": stamp, "is_manual": int(manual),
            "posted_by": by, "updated_at": stamp,
        }  # fmt: skip
        out.append((_stamp(at), "row", "posting", json.dumps(posting)))
        row = balances.get(receivable) or tables.row("receivable", receivable)
        if row is None:  # the patient's first balance on this claim
            base = balances.get(f"{pcn}-I") or tables.row("receivable", f"{pcn}-I")
            row = dict(
                base,
                receivable_id=receivable,
                kind="patient",
                payer_code="SELF",
                opened_on=at.date().isoformat(),
                charge_cents=0,
                balance_cents=0,
            )
        balance = int(row["balance_cents"]) + amount
        status = "open" if balance > 0 else ("credit" if balance < 0 else "closed")
        row = dict(row, balance_cents=balance, status=status, last_activity_at=stamp,
                   updated_at=stamp)  # fmt: skip
        balances[receivable] = row
        out.append((_stamp(at), "row", "receivable", json.dumps(row)))
    if paid:
        payment = {
            "payment_id": ids.next("Y"), "payer_type": "payer", "payer_code": payer, "pcn": pcn,
            "facility_code": imported["facility_code"], "method": "EFT", "amount_cents": paid,
            "received_on": imported["production_date"], "posted_at": stamp,
            "remit_trace_number": imported["trace_number"],
            "remit_import_id": imported["remit_import_id"], "updated_at": stamp,
        }  # fmt: skip
        out.append((_stamp(at), "row", "payment", json.dumps(payment)))
    return out


def _category(cas) -> str:
    """The generator's denial category of a denial CARC (``DENIAL_MIX``)."""
    from sample_data.claim_story import DENIAL_MIX

    by_carc = {code: category for category, _, carcs in DENIAL_MIX for code, _ in carcs}
    return next((by_carc[c] for g, c, _ in cas if g == "CO" and c in by_carc), "other")


def _denial_item(imported, cas, at, category, ids, seed) -> list[tuple]:
    """A denial lands in the denial queue, unassigned, with the generator's SLA."""
    from sample_data.claim_story import SLA_HOURS

    rng = _rng(seed, "denial", imported["remit_import_id"])
    opened = at + timedelta(minutes=rng.randint(30, 600))
    carc = next((c for g, c, _ in cas if g == "CO"), "")
    denied = sum(a for g, c, a in cas if c == carc)
    item = {
        "work_item_id": ids.next("W"), "type": "denial", "stage": "denial",
        "exception_type": category, "subject_type": "claim",
        "subject_key": imported["pcn"], "facility_code": imported["facility_code"],
        "payer_code": imported["payer_code"], "amount_cents": denied,
        "opened_at": opened.isoformat(),
        "due_at": (opened + timedelta(hours=SLA_HOURS["denial"])).isoformat(),
        "assignee": None, "status": "open", "resolved_at": None, "resolved_by": None,
        "resolution": None, "updated_at": opened.isoformat(),
    }  # fmt: skip
    return [(_stamp(opened), "row", "work_item", json.dumps(item))]
