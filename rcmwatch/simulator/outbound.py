"""The clearinghouse and the payers answering claims the health system drops in the outbound
folder (a resubmission by a remediation job, or any 837 a person puts there): a 999 the same
hour, a 277CA the next morning, and an 835 about two weeks later — as timed events of the
simulator, so they arrive on the simulated clock.

The answers follow the links rcmwatch's ingest relies on (KPI.md §1): the 999's sender/receiver
are the 837's swapped, AK1-02 = the 837's GS06, AK2-02 = its ST02; the 277CA names the 837's
BHT03 at receiver level and each claim's patient control number at claim level; the 835 pays
each claim 80% of its charge with the rest a contractual adjustment (CO-45), balanced to the cent.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from sample_data.health_system import PAYERS
from sample_data.x12_envelope import isa, money

TERM = "~\n"
ACK_AFTER = timedelta(minutes=45)
STATUS_AFTER = timedelta(hours=10)
REMIT_AFTER = timedelta(days=14)


@dataclass
class OutboundClaim:
    pcn: str
    charge_cents: int
    frequency: str
    payer_id: str
    payer_name: str
    patient_last: str
    patient_first: str
    member_id: str


@dataclass
class OutboundSet:
    st02: str
    bht03: str
    claims: list[OutboundClaim] = field(default_factory=list)


@dataclass
class Outbound837:
    sender: str  # ISA06
    receiver: str  # ISA08
    gs_sender: str
    gs_receiver: str
    gs06: str
    version: str
    billing_name: str
    billing_npi: str
    sets: list[OutboundSet] = field(default_factory=list)

    @property
    def claims(self) -> list[OutboundClaim]:
        return [c for s in self.sets for c in s.claims]


def _cents(text: str) -> int:
    neg = text.startswith("-")
    whole, _, frac = text.lstrip("-").partition(".")
    value = int(whole or "0") * 100 + int((frac + "00")[:2])
    return -value if neg else value


def read_837(data: bytes) -> Outbound837:
    """The parts of an 837 a clearinghouse needs to answer it (separators from the ISA)."""
    text = data.decode("latin-1").lstrip("\ufeff").lstrip()
    if not text.startswith("ISA") or len(text) < 106:
        raise ValueError("not an X12 interchange (no ISA)")
    element, component, terminator = text[3], text[104], text[105]
    segments = [s.strip() for s in text.split(terminator) if s.strip()]
    out: Outbound837 | None = None
    current: OutboundSet | None = None
    payer_id = payer_name = last = first = member = ""
    in_billing = False
    for seg in segments:
        e = seg.split(element)
        tag = e[0]
        if tag == "ISA":
            isa_e = e
        elif tag == "GS":
            out = Outbound837(isa_e[6].strip(), isa_e[8].strip(), e[2], e[3], e[6], e[8], "", "")
        elif tag == "ST" and out is not None:
            current = OutboundSet(e[2], "")
            out.sets.append(current)
        elif tag == "BHT" and current is not None:
            current.bht03 = e[3]
        elif tag == "HL":
            in_billing = len(e) > 3 and e[3] == "20"
        elif tag == "NM1" and out is not None:
            if e[1] == "85" and in_billing:
                out.billing_name, out.billing_npi = e[3], e[9] if len(e) > 9 else ""
            elif e[1] == "IL":
                last, first = e[3], e[4] if len(e) > 4 else ""
                member = e[9] if len(e) > 9 else ""
            elif e[1] == "PR":
                payer_name, payer_id = e[3], e[9] if len(e) > 9 else ""
        elif tag == "CLM" and current is not None:
            composite = e[5].split(component) if len(e) > 5 else []
            current.claims.append(
                OutboundClaim(
                    e[1],
                    _cents(e[2]),
                    composite[2] if len(composite) > 2 else "1",
                    payer_id,
                    payer_name,
                    last,
                    first,
                    member,
                )
            )
    if out is None or not out.claims:
        raise ValueError("no claims (CLM) found")
    return out


def _payer(payer_id: str, name: str):
    for p in PAYERS:
        if payer_id in (p.id_837, p.id_835, p.code):
            return p.id_835, p.name, p.trn03
    return payer_id, name or payer_id, "1" + (payer_id or "999999999")[:9].rjust(9, "0")


def answer_files(claim_file: Outbound837, at: datetime, control: int) -> list[tuple]:
    """(arrival time, name, content, kind, claims) of the 999, 277CA and 835s answering it."""
    out = [_ack(claim_file, at + ACK_AFTER, control)]
    out.append(_status(claim_file, at + STATUS_AFTER, control + 1))
    by_payer: dict[tuple[str, str], list[OutboundClaim]] = {}
    for c in claim_file.claims:
        if c.frequency == "8":
            continue  # a void is not paid
        by_payer.setdefault((c.payer_id, c.payer_name), []).append(c)
    for n, ((payer_id, name), claims) in enumerate(sorted(by_payer.items()), start=2):
        out.append(_remit(claim_file, claims, payer_id, name, at + REMIT_AFTER, control + n))
    return out


def _ack(f: Outbound837, at: datetime, control: int, tag: str = "RESUB") -> tuple:
    segs = [f"AK1*HC*{f.gs06}*{f.version}"]
    for s in f.sets:
        segs += [f"AK2*837*{s.st02}*{f.version}", "IK5*A"]
    n = len(f.sets)
    segs.append(f"AK9*A*{n}*{n}*{n}")
    body = [
        isa(f.receiver, f.sender, at, control),
        f"GS*FA*{f.gs_receiver}*{f.gs_sender}*{at:%Y%m%d}*{at:%H%M}*{control}*X*005010X231A1",
        "ST*999*0001*005010X231A1",
        *segs,
        f"SE*{len(segs) + 2}*0001",
        f"GE*1*{control}",
        f"IEA*1*{control:09d}",
    ]
    name = f"{at:%Y%m%d-%H%M%S}_999_{tag}{control}.999"
    return at, name, (TERM.join(body) + TERM).encode("ascii"), "999", len(f.claims)


def _status(f: Outbound837, at: datetime, control: int, tag: str = "RESUB") -> tuple:
    body = [
        isa(f.receiver, f.sender, at, control),
        f"GS*HN*{f.gs_receiver}*{f.gs_sender}*{at:%Y%m%d}*{at:%H%M}*{control}*X*005010X214",
    ]
    for n, s in enumerate(f.sets, start=1):
        total = sum(c.charge_cents for c in s.claims)
        segs = [
            f"ST*277*{n:04d}*005010X214",
            f"BHT*0085*08*{s.bht03}A*{at:%Y%m%d}*{at:%H%M}*TH",
            "HL*1**20*1",
            f"NM1*PR*2*ZZ SYNTHETIC CLEARINGHOUSE*****46*{f.receiver}",
            f"TRN*1*{control}{n:04d}",
            f"DTP*050*D8*{at:%Y%m%d}",
            f"DTP*009*D8*{at:%Y%m%d}",
            "HL*2*1*21*1",
            f"NM1*41*2*SUBMITTER*****46*{f.sender}",
            f"TRN*2*{s.bht03}",
            f"STC*A1:19*{at:%Y%m%d}*WQ*{money(total)}",
            "HL*3*2*19*1",
            f"NM1*85*2*{f.billing_name}*****XX*{f.billing_npi}",
            f"STC*A1:19:85**WQ*{money(total)}",
        ]
        hl = 3
        for c in s.claims:
            hl += 1
            segs += [
                f"HL*{hl}*3*PT",
                f"NM1*QC*1*{c.patient_last}*{c.patient_first}****MI*{c.member_id}",
                f"TRN*2*{c.pcn}",
                f"STC*A2:20*{at:%Y%m%d}*WQ*{money(c.charge_cents)}",
            ]
        segs.append(f"SE*{len(segs) + 1}*{n:04d}")
        body += segs
    body += [f"GE*{len(f.sets)}*{control}", f"IEA*1*{control:09d}"]
    name = f"{at:%Y%m%d-%H%M%S}_277CA_{tag}{control}.277"
    return at, name, (TERM.join(body) + TERM).encode("ascii"), "277CA", len(f.claims)


def paid_cents(charge_cents: int) -> int:
    return charge_cents * 80 // 100


@dataclass
class ClaimPayment:
    """One CLP loop of an 835 the simulated payer sends (money in cents, balanced by the
    caller: charge − paid = Σ cas amounts)."""

    claim: OutboundClaim
    status: str
    paid_cents: int
    patient_resp_cents: int
    payer_claim_number: str
    cas: list[tuple[str, str, int]]  # (group, CARC, cents)


def _remit(f: Outbound837, claims, payer_id: str, name: str, at: datetime, control: int):
    """The default answer: 80% of the charge paid, the rest a contractual adjustment (CO-45)."""
    payments = []
    for n, c in enumerate(claims, start=1):
        paid = paid_cents(c.charge_cents)
        cas = [("CO", "45", c.charge_cents - paid)] if c.charge_cents - paid else []
        payments.append(ClaimPayment(c, "1", paid, 0, f"R{control}{n:05d}", cas))
    return remit_file(f, payments, payer_id, name, at, control, trace=f"RESUB{control}")


def remit_file(
    f: Outbound837,
    payments: list[ClaimPayment],
    payer_id: str,
    name: str,
    at: datetime,
    control: int,
    *,
    trace: str,
    tag: str = "RESUB",
) -> tuple:
    """(arrival, file name, content, kind, claims) of one 835 paying ``payments``."""
    id_835, payer_name, trn03 = _payer(payer_id, name)
    sender = id_835.replace("-", "")
    total = sum(p.paid_cents for p in payments)
    segs = [
        "ST*835*0001",
        f"BPR*I*{money(total)}*C*ACH*CCP*01*999999992*DA*{trn03[1:]}*{trn03}**01*999988880*DA*"
        f"000000000*{at:%Y%m%d}"
        if total > 0
        else f"BPR*H*0*C*NON************{at:%Y%m%d}",
        f"TRN*1*{trace}*{trn03}",
        f"DTM*405*{at:%Y%m%d}",
        f"N1*PR*{payer_name}*XV*{id_835}",
        f"N1*PE*{f.billing_name}*XX*{f.billing_npi}",
        "LX*1",
    ]
    for p in payments:
        c = p.claim
        resp = money(p.patient_resp_cents) if p.patient_resp_cents else "0"
        segs += [
            f"CLP*{c.pcn}*{p.status}*{money(c.charge_cents)}*{money(p.paid_cents)}*{resp}*12*"
            f"{p.payer_claim_number}",
            f"NM1*QC*1*{c.patient_last}*{c.patient_first}****MI*{c.member_id}",
        ]
        for group in dict.fromkeys(g for g, _, _ in p.cas):
            triplets = [(code, amount) for g, code, amount in p.cas if g == group]
            for i in range(0, len(triplets), 6):  # CAS holds up to six reason triplets
                parts = "**".join(f"{code}*{money(a)}" for code, a in triplets[i : i + 6])
                segs.append(f"CAS*{group}*{parts}")
    segs.append(f"SE*{len(segs) + 1}*0001")
    body = [
        isa(sender, f.sender, at, control),
        f"GS*HP*{sender}*{f.gs_sender}*{at:%Y%m%d}*{at:%H%M}*{control}*X*005010X221A1",
        *segs,
        f"GE*1*{control}",
        f"IEA*1*{control:09d}",
    ]
    name = f"{at:%Y%m%d-%H%M%S}_835_{tag}{control}.835"
    return at, name, (TERM.join(body) + TERM).encode("ascii"), "835", len(payments)


def answer_events(path: Path, at: datetime, control: int) -> list[tuple[str, str, str, str]]:
    """Pending events (file drops) answering the 837 at ``path`` received at ``at``."""
    from rcmwatch.simulator.planner import _stamp

    answers = answer_files(read_837(path.read_bytes()), at, control)
    return [
        (_stamp(when), "answer", name, json.dumps({"content": content.decode("ascii"),
                                                    "kind": kind, "claims": n}))
        for when, name, content, kind, n in answers
    ]  # fmt: skip
