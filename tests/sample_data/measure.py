"""Measurements over a generated folder, written from KPI.md's definitions for the generator's
tests: X12 read with a small segment reader of the test's own (never the generator's code or
parameters), the source tables read with SQL.

These stand in for rcmwatch's readers and KPI engine until those land; the KPI engine issue
re-asserts the same ranges through ``rcmwatch kpi``.
"""

from __future__ import annotations

import sqlite3
import statistics
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from rcmwatch.money import to_cents
from rcmwatch.reference.carc_map import NON_DENIAL_CARCS, PENDING_CARCS, builtin_carc_map

REJECT_STC = ("A3", "A4", "A6", "A7", "A8")
ACCEPT_STC = ("A1", "A2", "A5")


def segments(path: Path) -> list[list[str]]:
    text = path.read_text(encoding="ascii")
    element = text[3]
    terminator = text[105]
    return [s.strip().split(element) for s in text.split(terminator) if s.strip()]


def cents(value: str) -> int:
    return to_cents(value) if value else 0


# --- front end ----------------------------------------------------------------------------------
@dataclass
class FrontEnd:
    first_submission: dict[str, tuple[str, str, str, str]] = field(default_factory=dict)
    # pcn -> (file, gs06, st02, bht03) of its first frequency-1 submission
    submitted_at: dict[str, datetime] = field(default_factory=dict)
    set_outcome: dict[tuple[str, str], str] = field(default_factory=dict)  # (gs06, st02) -> A/R
    group_ack: dict[str, str] = field(default_factory=dict)  # gs06 -> AK9 when no AK2 loops
    claim_277: dict[tuple[str, str], str] = field(default_factory=dict)  # (bht03, pcn) -> cat
    frequencies: Counter = field(default_factory=Counter)

    def outcome(self, pcn: str) -> str | None:
        _file, gs06, st02, bht = self.first_submission[pcn]
        ik5 = self.set_outcome.get((gs06, st02))
        stc = self.claim_277.get((bht, pcn))
        if ik5 in ("R", "M", "W", "X") or (stc and stc in REJECT_STC):
            return "rejected"
        if ik5 in ("A", "E") or self.group_ack.get(gs06) in ("A", "E"):
            return "accepted"
        if stc in ACCEPT_STC:
            return "accepted"
        return None


def read_front_end(folder: Path) -> FrontEnd:
    fe = FrontEnd()
    for path in sorted((folder / "clearinghouse" / "outbound").glob("*.837")):
        gs06 = st02 = bht = ""
        for seg in segments(path):
            tag = seg[0]
            if tag == "GS":
                gs06 = seg[6]
                at = datetime.strptime(seg[4] + seg[5][:4], "%Y%m%d%H%M")
            elif tag == "ST":
                st02 = seg[2]
            elif tag == "BHT":
                bht = seg[3]
            elif tag == "CLM":
                pcn, freq = seg[1], seg[5].split(":")[2]
                fe.frequencies[freq] += 1
                if freq == "1" and pcn not in fe.first_submission:
                    fe.first_submission[pcn] = (path.name, gs06, st02, bht)
                    fe.submitted_at[pcn] = at
    for path in sorted((folder / "clearinghouse" / "inbound").glob("*.999")):
        gs06 = ""
        ak2 = False
        for seg in segments(path):
            if seg[0] == "AK1":
                gs06, ak2 = seg[2], False
            elif seg[0] == "AK2":
                st02, ak2 = seg[2], True
            elif seg[0] == "IK5":
                fe.set_outcome[(gs06, st02)] = seg[1]
            elif seg[0] == "AK9" and not ak2:
                fe.group_ack[gs06] = seg[1]
    for path in sorted((folder / "clearinghouse" / "inbound").glob("*.277")):
        receiver_trn = ""
        level = ""
        pending_pcn = None
        provider_rejected = False
        for seg in segments(path):
            if seg[0] == "HL":
                level = seg[3]
            elif seg[0] == "TRN" and level == "21":
                receiver_trn = seg[2]
            elif seg[0] == "TRN" and level == "PT":
                pending_pcn = seg[2]
            elif seg[0] == "STC":
                cat = seg[1].split(":")[0]
                if level == "19":
                    provider_rejected = cat in REJECT_STC
                elif level == "PT" and pending_pcn:
                    fe.claim_277[(receiver_trn, pending_pcn)] = "A3" if provider_rejected else cat
    return fe


def first_pass_acceptance(fe: FrontEnd) -> tuple[float, int, int]:
    outcomes = Counter(fe.outcome(pcn) for pcn in fe.first_submission)
    decided = outcomes["accepted"] + outcomes["rejected"]
    return outcomes["accepted"] / decided, decided, outcomes[None]


# --- remits -------------------------------------------------------------------------------------
@dataclass
class ClaimPayment:
    pcn: str
    status: str
    charge: int
    paid: int
    patient_resp: int
    payer: str
    production: date
    file: str
    adjustments: list[tuple[str, str, int]] = field(default_factory=list)  # claim + line CAS
    line_balanced: bool = True


def _close_claim(claim: ClaimPayment | None, name: str, failures: list[str]) -> None:
    if claim is not None:
        if claim.charge - claim.paid != sum(a for *_, a in claim.adjustments):
            failures.append(f"{name} claim {claim.pcn}")
        if not claim.line_balanced:
            failures.append(f"{name} line of {claim.pcn}")


def _close_line(line: list[int] | None, claim: ClaimPayment | None) -> None:
    if line is not None and claim is not None and line[0] - line[1] != line[2]:
        claim.line_balanced = False


def read_remits(folder: Path) -> tuple[list[ClaimPayment], list[str]]:
    """Every CLP loop; and the list of balancing failures (transaction, claim and line)."""
    clps: list[ClaimPayment] = []
    failures: list[str] = []
    for path in sorted((folder / "clearinghouse" / "inbound").glob("*.835")):
        bpr = clp_total = plb_total = 0
        payer = ""
        production = None
        current: ClaimPayment | None = None
        line: list[int] | None = None
        for seg in segments(path):
            tag = seg[0]
            if tag == "ST":
                bpr = clp_total = plb_total = 0
            elif tag == "BPR":
                bpr = cents(seg[2])
            elif tag == "DTM" and seg[1] == "405":
                production = datetime.strptime(seg[2], "%Y%m%d").date()
            elif tag == "N1" and seg[1] == "PR":
                payer = seg[4]
            elif tag == "CLP":
                _close_line(line, current)
                line = None
                _close_claim(current, path.name, failures)
                current = ClaimPayment(
                    seg[1],
                    seg[2],
                    cents(seg[3]),
                    cents(seg[4]),
                    cents(seg[5]),
                    payer,
                    production,
                    path.name,
                )
                clps.append(current)
                clp_total += current.paid
            elif tag == "SVC":
                _close_line(line, current)
                line = [cents(seg[2]), cents(seg[3]), 0]
            elif tag == "CAS" and current is not None:
                for i in range(2, len(seg), 3):
                    if seg[i]:
                        amount = cents(seg[i + 1])
                        current.adjustments.append((seg[1], seg[i], amount))
                        if line is not None:
                            line[2] += amount
            elif tag == "PLB":
                for i in range(3, len(seg), 2):
                    plb_total += cents(seg[i + 1])
            elif tag == "SE":
                _close_line(line, current)
                line = None
                _close_claim(current, path.name, failures)
                current = None
                if bpr != clp_total - plb_total:
                    failures.append(f"{path.name} transaction {seg[2]}")
    return clps, failures


def denial_kind(c: ClaimPayment) -> str:
    denial = [
        (g, carc, a)
        for g, carc, a in c.adjustments
        if a > 0 and carc not in NON_DENIAL_CARCS and carc not in PENDING_CARCS
    ]
    pr = sum(a for g, _, a in c.adjustments if g == "PR")
    if c.status == "4" or (c.paid == 0 and pr == 0 and denial):
        return "full"
    if denial:
        return "partial"
    return "none"


def denial_category(c: ClaimPayment) -> str | None:
    denial = [
        (a, carc)
        for g, carc, a in c.adjustments
        if a > 0 and carc not in NON_DENIAL_CARCS and carc not in PENDING_CARCS
    ]
    if not denial:
        return None
    best = max(denial, key=lambda t: t[0])  # ties: max keeps the first
    return builtin_carc_map().category(best[1])


def initial_adjudications(clps: list[ClaimPayment]) -> dict[tuple[str, str], ClaimPayment]:
    firsts: dict[tuple[str, str], ClaimPayment] = {}
    for c in sorted(clps, key=lambda c: (c.production, c.file)):
        if c.status in ("22", "25"):
            continue
        firsts.setdefault((c.pcn, c.payer), c)
    return firsts


def initial_denial_rate(clps: list[ClaimPayment]) -> tuple[float, int]:
    firsts = initial_adjudications(clps)
    denied = sum(1 for c in firsts.values() if denial_kind(c) != "none")
    return denied / len(firsts), len(firsts)


# --- source tables ------------------------------------------------------------------------------
def sql(folder: Path, system: str) -> sqlite3.Connection:
    return sqlite3.connect(folder / "sources" / f"{system}.sqlite")


def days_in_ar(folder: Path, as_of: date) -> tuple[float, float]:
    """(days in A/R gross, A/R > 90 days share) at the last day before ``as_of`` from the ERP."""
    erp = sql(folder, "erp")
    period_end = as_of - timedelta(days=1)
    ar = erp.execute(
        "SELECT SUM(balance_cents) FROM receivable WHERE balance_cents > 0"
    ).fetchone()[0]
    old = erp.execute(
        "SELECT SUM(balance_cents) FROM receivable WHERE balance_cents > 0 AND service_date < ?",
        ((period_end - timedelta(days=90)).isoformat(),),
    ).fetchone()[0]
    # ADR: gross charges of the 3 calendar months ending at the period end / their days.
    y, m = period_end.year, period_end.month - 2
    if m < 1:
        y, m = y - 1, m + 12
    first = date(y, m, 1)
    charges = erp.execute(
        "SELECT SUM(gross_charges_cents) FROM revenue WHERE period >= ? AND period <= ?",
        (first.isoformat(), period_end.isoformat()),
    ).fetchone()[0]
    days = (period_end - first).days + 1
    erp.close()
    return ar / (charges / days), old / ar


def ar_at(folder: Path, day: date) -> tuple[float, float]:
    """(days in A/R gross, A/R > 90 days share) at the end of ``day``, rebuilt from the ERP's
    postings and write-offs dated on or before it (KPI.md §3: A/R at a date)."""
    erp = sql(folder, "erp")
    end = (day + timedelta(days=1)).isoformat()
    old_limit = (day - timedelta(days=90)).isoformat()
    rows = erp.execute(
        "SELECT r.service_date, COALESCE(p.s, 0) - COALESCE(w.s, 0) FROM receivable r "
        "LEFT JOIN (SELECT receivable_id, SUM(amount_cents) s FROM posting WHERE posted_at < ? "
        "GROUP BY 1) p ON p.receivable_id = r.receivable_id "
        "LEFT JOIN (SELECT receivable_id, SUM(amount_cents) s FROM write_off "
        "WHERE posted_at < ? GROUP BY 1) w ON w.receivable_id = r.receivable_id",
        (end, end),
    ).fetchall()
    ar = sum(b for _, b in rows if b > 0)
    old = sum(b for d, b in rows if b > 0 and d < old_limit)
    y, m = day.year, day.month - 2
    if m < 1:
        y, m = y - 1, m + 12
    first = date(y, m, 1)
    charges = erp.execute(
        "SELECT SUM(gross_charges_cents) FROM revenue WHERE period >= ? AND period <= ?",
        (first.isoformat(), day.isoformat()),
    ).fetchone()[0]
    erp.close()
    return ar / (charges / ((day - first).days + 1)), old / ar


def sla_breach_at(folder: Path, days: list[date]) -> tuple[float, float]:
    """SLA breach pooled over several period ends: (open items past due / open items at each
    end, items resolved late / items resolved)."""
    wf = sql(folder, "workflow")
    open_n = open_late = 0
    for day in days:
        at = datetime(day.year, day.month, day.day).isoformat()
        n, late = wf.execute(
            "SELECT COUNT(*), SUM(due_at < ?) FROM work_item WHERE opened_at < ? AND "
            "(resolved_at IS NULL OR resolved_at >= ?)",
            (at, at, at),
        ).fetchone()
        open_n += n
        open_late += late or 0
    res_n, res_late = wf.execute(
        "SELECT COUNT(*), SUM(resolved_at > due_at) FROM work_item WHERE status = 'closed'"
    ).fetchone()
    wf.close()
    return open_late / open_n, res_late / res_n


def posting_latency_hours(
    folder: Path, as_of: date, since: date | None = None, facility: str | None = None
) -> list[float]:
    erp = sql(folder, "erp")
    cutoff = datetime(as_of.year, as_of.month, as_of.day)
    q = "SELECT received_at, posted_at, facility_code FROM remit_import"
    out = []
    for received, posted, fac in erp.execute(q):
        r = datetime.fromisoformat(received)
        if since and r.date() < since:
            continue
        if facility and fac != facility:
            continue
        end = datetime.fromisoformat(posted) if posted else cutoff
        out.append((end - r).total_seconds() / 3600)
    erp.close()
    return out


def sla_breach(folder: Path, as_of: date) -> tuple[float, float]:
    wf = sql(folder, "workflow")
    cutoff = datetime(as_of.year, as_of.month, as_of.day).isoformat()
    open_n, open_late = wf.execute(
        "SELECT COUNT(*), SUM(due_at < ?) FROM work_item WHERE status != 'closed'", (cutoff,)
    ).fetchone()
    res_n, res_late = wf.execute(
        "SELECT COUNT(*), SUM(resolved_at > due_at) FROM work_item WHERE status = 'closed'"
    ).fetchone()
    wf.close()
    return open_late / open_n, res_late / res_n


def override_rate(folder: Path, rule: str | None = None, since: date | None = None) -> float:
    wf = sql(folder, "workflow")
    where = " WHERE 1=1"
    args: list = []
    if rule:
        where += " AND d.decider_id = ?"
        args.append(rule)
    if since:
        where += " AND d.decided_at >= ?"
        args.append(since.isoformat())
    n, over = wf.execute(
        "SELECT COUNT(*), COUNT(o.override_id) FROM automated_decision d "
        "LEFT JOIN override o ON o.decision_id = d.decision_id" + where,
        args,
    ).fetchone()
    wf.close()
    return over / n


def median(values: list[float]) -> float:
    return statistics.median(values)


def category_shares(clps: list[ClaimPayment]) -> dict[str, float]:
    cats = Counter(
        denial_category(c) for c in initial_adjudications(clps).values() if denial_kind(c) != "none"
    )
    total = sum(cats.values())
    return {k: v / total for k, v in cats.items()}
