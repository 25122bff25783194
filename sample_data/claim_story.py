"""One claim's life, from the encounter to the last patient payment, as the source systems see it.

For each claim the story decides (seeded, per chunk) what happens and when, and hands every
record to the chunk's sink: 837 fragments into the day's submission bucket, the clearinghouse's
answer (999 set outcome, 277CA status) with them, 835 CLP loops into the payer's remittance
bucket, and rows for the engine's message log, the workflow system and the ERP. Anything dated at
or after the cut-off (the as-of date, 00:00) has not happened yet and is not written, which is
what leaves claims in A/R, remits unposted and work items open.

The rates below are the knobs that make the baseline believable; the tests measure the outcome in
the generated output, never these numbers.
"""

from __future__ import annotations

import functools
import hashlib
import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from rcmwatch.reference.carc_map import NON_DENIAL_CARCS
from sample_data import claim_x12
from sample_data.code_sets import (
    DX_SECONDARY,
    HOSP,
    HOSP_VISITS,
    POS_CLINIC,
    POS_ED,
    POS_HOSPITAL_OUTPATIENT,
    POS_INPATIENT,
    POS_TELEHEALTH,
    PRO,
    PRO_VISITS,
)
from sample_data.health_system import (
    CROSSOVER_SECONDARY,
    PAYER_BY_CODE,
    Facility,
    HealthSystem,
    Payer,
    expected_allowed,
)
from sample_data.npi import npi_from_base
from sample_data.people import Patient, patient
from sample_data.scenarios import Scenario

# --- knobs -------------------------------------------------------------------------------------
CLAIM_REJECT_277 = 0.032  # claim-level 277CA rejections of first submissions
SET_REJECT_999 = 0.006  # 999 rejection of a whole 837 transaction set
SET_PROVIDER_REJECT = 0.003  # 277CA rejection at the billing-provider level
SET_ACK_LOST = 0.002  # the clearinghouse never answers a set (deliberate, documented)
DENIAL_BASE = 0.096  # × payer.denial_factor: initial denials
SCRUB_HOLD = 0.05  # claims held by a scrubber rule before submission
DATA_QUALITY = 0.015  # claims with a registration data-quality work item
MANUAL_POSTING = 0.11  # remits posted by a person instead of the auto-poster
SLOW_PAYER_PEND = 0.09  # claims a payer pends for records (long adjudication)
RETRO_ADJUST = 0.012  # paid claims later reversed and corrected by the payer
VOID_RATE = 0.004  # paid claims the provider voids (billed in error)
TAKEBACK_RATE = 0.003  # paid claims partly recouped later through PLB WO
LATE_SLA = 0.08  # work items resolved after their due time
SELF_PAY_EVERY = 25  # one self-pay account for every N insured claims

DENIAL_MIX = (  # (category, weight, ((carc, weight), ...))
    ("eligibility", 25, (("27", 40), ("31", 25), ("109", 20), ("26", 15))),
    ("missing_information", 15, (("16", 70), ("252", 30))),
    ("authorization", 12, (("197", 70), ("15", 20), ("39", 10))),
    ("medical_necessity", 11, (("50", 80), ("167", 20))),
    ("coding", 10, (("97", 35), ("4", 25), ("11", 25), ("234", 15))),
    ("non_covered", 7, (("96", 60), ("204", 40))),
    ("timely_filing", 5, (("29", 100),)),
    ("duplicate", 5, (("18", 100),)),
    ("coordination_of_benefits", 4, (("22", 100),)),
    ("network", 3, (("242", 100),)),
    ("provider_enrollment", 2, (("B7", 50), ("170", 50))),
    ("other", 1, (("B22", 100),)),
)
PARTIAL_OK = {"missing_information", "authorization", "medical_necessity", "coding", "non_covered"}
REMARKS = {
    "16": "M51",
    "252": "N706",
    "15": "N54",
    "197": "N54",
    "4": "N519",
    "11": "M76",
    "50": "N115",
    "96": "N130",
    "22": "MA04",
    "B7": "N570",
    "242": "N130",
}
DENIAL_ACTION = {  # triage: category -> weights of (appeal, corrected_claim, write_off)
    "eligibility": (0, 55, 45),
    "missing_information": (0, 85, 15),
    "authorization": (70, 0, 30),
    "medical_necessity": (70, 0, 30),
    "coding": (5, 80, 15),
    "non_covered": (25, 0, 75),
    "timely_filing": (10, 0, 90),
    "duplicate": (0, 70, 30),
    "coordination_of_benefits": (0, 60, 40),
    "network": (40, 0, 60),
    "provider_enrollment": (0, 60, 40),
    "other": (40, 20, 40),
}
ACTIONS = ("appeal", "corrected_claim", "write_off")
APPEAL_OVERTURN = 0.55
SLA_HOURS = {
    "pre_bill": 48,
    "front_end_reject": 72,
    "denial": 14 * 24,
    "posting": 48,
    "interface": 8,
    "data_quality": 5 * 24,
}
MESSAGE_ERRORS = (
    ("TIMEOUT_ACK", "Timeout waiting for application ACK after 30s"),
    ("HL7_AE_PID3", "HL7 AE: PID-3 patient identifier list missing"),
    ("DB_DEADLOCK", "ERROR 40P01 deadlock detected while inserting charge batch"),
)
STORM_ERROR = ("ECONNREFUSED", "connect ECONNREFUSED billing-db.internal:5432")
OVERRIDE_REASONS = (
    "FALSE_POSITIVE",
    "PAYER_POLICY",
    "CLINICAL_REVIEW",
    "DOCUMENTATION_FOUND",
    "OTHER",
)
INTERFACE_ROUTES = {  # interface -> (direction, queue, exchange, routing key, message type)
    "adt_in": ("in", "billing.adt", "ehr.events", "adt.a04", "ADT^A04"),
    "dft_charges": ("in", "billing.charges", "ehr.events", "dft.p03", "DFT^P03"),
    "claims_out": ("out", "edi.claims.out", "edi", "x12.837", "X12-837"),
    "acks_in": ("in", "edi.acks.in", "edi", "x12.ack", "X12-ACK"),
    "era_in": ("in", "edi.era.in", "edi", "x12.835", "X12-835"),
}


class StoryRandom(random.Random):
    """``random.Random`` with the integer draws the story needs done the cheap way (they are
    called millions of times; the tiny bias of ``int(random() * n)`` does not matter here)."""

    def randrange(self, n: int) -> int:  # type: ignore[override]
        return int(self.random() * n)

    def randint(self, a: int, b: int) -> int:
        return a + int(self.random() * (b - a + 1))


def u64(*parts: object) -> float:
    """A uniform number in [0, 1) from the parts (stable across processes and runs)."""
    digest = hashlib.blake2b(":".join(map(str, parts)).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


@functools.lru_cache(maxsize=4096)
def era_received_at(seed: int, payer_code: str, day: date) -> datetime:
    """When a payer's 835 of ``day`` lands in the inbound folder (a payer-specific hour)."""
    h = 4 + int(u64(seed, "era-hour", payer_code) * 5)
    return datetime(day.year, day.month, day.day, h, 30)


def era_file_name(seed: int, payer_code: str, entity: str, day: date) -> str:
    r = era_received_at(seed, payer_code, day)
    return f"{r:%Y%m%d-%H%M%S}_835_{payer_code}_{entity}.835"


def era_trace(payer_code: str, entity: str, day: date, chunk: int) -> str:
    """TRN02 of the 835 transaction that carries a chunk's claims for (payer, payee, day)."""
    return f"{payer_code}{day:%y%m%d}{entity}{chunk:06d}"


# --- the claim ----------------------------------------------------------------------------------
@dataclass(slots=True)
class Line:
    number: int
    code: str
    modifier: str
    revenue_code: str
    units: int
    charge: int
    expected: int  # expected allowed for the line (fee schedule × units)
    service_date: date


@dataclass(slots=True)
class Claim:
    index: int
    pcn: str
    claim_type: str  # P | I
    entity: str  # billing entity code
    kind: str  # office | ed | inpatient | ...
    facility: Facility  # where the service happened (KPI facility)
    service_facility: Facility
    service_facility_loop: bool
    payer: Payer
    patient: Patient
    lines: list[Line]
    diagnoses: list[str]
    service_from: date
    service_to: date
    pos: str
    bill_type: str
    provider: tuple[str, str, str]
    auth_number: str
    charge: int = 0
    expected: int = 0

    @property
    def facility_type_code(self) -> str:
        return self.bill_type[:2] if self.claim_type == "I" else self.pos


@dataclass(slots=True)
class LineAdjudication:
    line: Line
    charge: int
    paid: int
    allowed: int | None
    adjustments: list[tuple[str, str, int]]
    remarks: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Adjudication:
    status: str
    charge: int
    paid: int
    patient_resp: int
    filing_code: str
    payer_claim_number: str
    claim_adjustments: list[tuple[str, str, int]]
    lines: list[LineAdjudication]
    claim_remarks: list[str]
    denial_category: str = ""
    denial_carc: str = ""
    denied: int = 0

    def all_adjustments(self):
        yield from self.claim_adjustments
        for ln in self.lines:
            yield from ln.adjustments

    def reversed(self) -> Adjudication:
        neg = [(g, c, -a) for g, c, a in self.claim_adjustments]
        lines = [
            LineAdjudication(
                ln.line, -ln.charge, -ln.paid, None, [(g, c, -a) for g, c, a in ln.adjustments]
            )
            for ln in self.lines
        ]
        return Adjudication(
            "22",
            -self.charge,
            -self.paid,
            -self.patient_resp,
            self.filing_code,
            self.payer_claim_number,
            neg,
            lines,
            [],
        )


def filing_code_835(payer: Payer) -> str:
    return {"MB": "MB", "MA": "MA", "MC": "MC", "16": "16", "HM": "HM", "BL": "12", "CI": "12"}[
        payer.filing_indicator
    ]


# --- the story ----------------------------------------------------------------------------------
class ClaimStory:
    """Runs the lifecycle of the claims of one chunk into a sink (see ``chunk.ChunkSink``)."""

    def __init__(
        self,
        *,
        seed: int,
        chunk: int,
        system: HealthSystem,
        scenario: Scenario,
        start: date,
        cutoff: datetime,
        set_size: int,
        patients: int,
        sink,
    ) -> None:
        self.seed = seed
        self.chunk = chunk
        self.rng = StoryRandom(f"rcmwatch-sample:{seed}:{chunk}")
        self.system = system
        self.scenario = scenario
        self.start = start
        self.cutoff = cutoff
        self.cutoff_date = cutoff.date()
        self.set_size = set_size
        self.patients = patients
        self.sink = sink
        self.set_counters: dict[tuple[str, date, str], int] = {}
        self.hospitals = system.hospitals
        self.clinics = [c for c in system.clinics if c.go_live_date <= cutoff.date()]
        self.pro_weights = [w for w, *_ in PRO_VISITS]
        self.hosp_weights = [w for w, *_ in HOSP_VISITS]
        self.cat_weights = [w for _, w, _ in DENIAL_MIX]
        self.users = system.users
        self.deciders = {d.name: d for d in system.deciders}
        self._providers: dict[tuple[str, int], tuple[str, str, str]] = {}
        self._allowed: dict[tuple[str, str, str], int] = {}
        self._set_outcomes: dict[tuple[str, date, int], str] = {}

    # -- helpers ----------------------------------------------------------------------------
    def live(self, at: datetime) -> bool:
        return at < self.cutoff

    def minutes(self, lo: int, hi: int) -> timedelta:
        return timedelta(minutes=self.rng.randint(lo, hi))

    def business_time(self, at: datetime, days: float) -> datetime:
        """``days`` working days after ``at``, at a working hour (weekends skipped)."""
        d = at + timedelta(minutes=int(days * 1440))
        while d.weekday() >= 5:
            d += timedelta(days=1)
        if d.hour < 8 or d.hour >= 18:
            d = d.replace(hour=8 + self.rng.randint(0, 8), minute=self.rng.randint(0, 59))
        return d

    def provider(self, facility: Facility, n: int) -> tuple[str, str, str]:
        cached = self._providers.get((facility.code, n))
        if cached is None:
            cached = self._providers[(facility.code, n)] = self._provider(facility, n)
        return cached

    def allowed(self, payer: Payer, key: str, item, claim_type: str) -> int:
        cached = self._allowed.get((payer.code, key, claim_type))
        if cached is None:
            cached = expected_allowed(payer, item, claim_type)
            self._allowed[(payer.code, key, claim_type)] = cached
        return cached

    def _provider(self, facility: Facility, n: int) -> tuple[str, str, str]:
        base = int.from_bytes(
            hashlib.blake2b(f"{facility.code}:{n}".encode(), digest_size=4).digest(), "big"
        )
        npi = npi_from_base("1" + f"{base % 10**8:08d}")
        return (f"ZZTESTDOC{facility.code}", f"DR{n}", npi)

    # -- building the claim -------------------------------------------------------------------
    def make_claim(self, index: int, service_day: date) -> Claim:
        rng = self.rng
        p = patient(self.seed, rng.randrange(self.patients), self.start)
        institutional = rng.random() < 0.22
        dx_extra = [DX_SECONDARY[rng.randrange(len(DX_SECONDARY))]] if rng.random() < 0.45 else []
        if institutional:
            _, kind, items, dx_pool, bill_type = rng.choices(HOSP_VISITS, self.hosp_weights)[0]
            hosp = self.hospitals[rng.randrange(3) if rng.random() < 0.9 else 0]
            sf, sf_loop = hosp, False
            if kind == "outpatient" and rng.random() < 0.5:
                based = [c for c in self.clinics if c.provider_based and c.parent_code == hosp.code]
                if based:
                    sf, sf_loop = based[rng.randrange(len(based))], True
            payer = p.payer
            if payer.code == "MCR":
                payer = PAYER_BY_CODE["MCA"]
            los = 1 + rng.randrange(5) if bill_type == "111" else 1
            lines = []
            for n, (key, units) in enumerate(items, start=1):
                item = HOSP[key]
                u = units * los if key == "room" else units
                day = service_day + timedelta(days=min(n - 1, los - 1) if los > 1 else 0)
                lines.append(
                    Line(
                        n,
                        item.code,
                        "",
                        item.revenue_code,
                        u,
                        item.price_cents * u,
                        self.allowed(payer, key, item, "I") * u,
                        day,
                    )
                )
            claim = Claim(
                index,
                f"I{index:010d}",
                "I",
                hosp.code,
                kind,
                sf,
                sf,
                sf_loop,
                payer,
                p,
                lines,
                [dx_pool[rng.randrange(len(dx_pool))], *dx_extra],
                service_day,
                service_day + timedelta(days=los - 1),
                "",
                bill_type,
                self.provider(hosp, rng.randrange(12)),
                "",
            )
        else:
            _, items, dx_pool = rng.choices(PRO_VISITS, self.pro_weights)[0]
            first = items[0][0]
            if first in ("99283", "99284", "99285"):
                fac, pos, kind = self.hospitals[rng.randrange(3)], POS_ED, "ed"
            elif first.startswith("992") and first in ("99222", "99232", "99238"):
                fac, pos, kind = self.hospitals[rng.randrange(3)], POS_INPATIENT, "inpatient"
            else:
                fac = self.clinics[rng.randrange(len(self.clinics))]
                pos, kind = POS_CLINIC, "office"
                if items[0][2] == "95":
                    pos = POS_TELEHEALTH
                elif rng.random() < 0.05:
                    fac, pos = self.hospitals[rng.randrange(3)], POS_HOSPITAL_OUTPATIENT
            payer = p.payer
            lines = []
            for n, (code, units, mod) in enumerate(items, start=1):
                item = PRO[code]
                day = service_day + timedelta(days=n - 1 if kind == "inpatient" else 0)
                lines.append(
                    Line(
                        n,
                        code,
                        mod,
                        "",
                        units,
                        item.price_cents * units,
                        self.allowed(payer, code, item, "P") * units,
                        day,
                    )
                )
            claim = Claim(
                index,
                f"P{index:010d}",
                "P",
                "PHYS",
                kind,
                fac,
                fac,
                True,
                payer,
                p,
                lines,
                [dx_pool[rng.randrange(len(dx_pool))], *dx_extra],
                service_day,
                lines[-1].service_date,
                pos,
                "",
                self.provider(fac, rng.randrange(8)),
                "",
            )
        if claim.diagnoses[-1] == claim.diagnoses[0] and len(claim.diagnoses) > 1:
            claim.diagnoses.pop()
        claim.charge = sum(ln.charge for ln in claim.lines)
        claim.expected = sum(ln.expected for ln in claim.lines)
        if claim.kind in ("surgery", "inpatient") or any(
            ln.code in ("71046", "72100", "20610", "70450", "74177") for ln in claim.lines
        ):
            claim.auth_number = f"AUTH{index:09d}"
        return claim

    # -- rows ---------------------------------------------------------------------------------
    def message(
        self, interface: str, at: datetime, subject_type: str, subject_key: str, facility: str
    ) -> None:
        """One engine message; most succeed at once, a few retry, fewer dead-letter."""
        if not self.live(at):
            return
        sink, rng = self.sink, self.rng
        direction, queue, exchange, rkey, mtype = INTERFACE_ROUTES[interface]
        mid = sink.next_id("M")
        sc = self.scenario
        status, attempts, sig, text = "processed", 1, "", ""
        completed = at + timedelta(seconds=rng.randint(1, 20))
        last = completed
        dead_at = repub = None
        if sc.storm_interface == interface and sc.storm_start <= at < sc.storm_end:
            sig, text = STORM_ERROR
            status, attempts = "dead_lettered", 5
            dead_at = at + timedelta(minutes=15)
            last = dead_at
            repub_at = sc.storm_end + timedelta(hours=20)
            completed = None
            if self.live(repub_at):
                repub, status, completed = repub_at, "processed", repub_at + timedelta(seconds=30)
        else:
            u = rng.random()
            if u < 0.012:
                sig, text = MESSAGE_ERRORS[0] if u < 0.006 else MESSAGE_ERRORS[2]
                attempts = 2 + (u < 0.002)
                last = completed = at + timedelta(minutes=5 * attempts)
            elif u < 0.0135:
                sig, text = MESSAGE_ERRORS[1]
                status, attempts, completed = "failed", 1, None
            elif u < 0.0145:
                sig, text = MESSAGE_ERRORS[0]
                status, attempts = "dead_lettered", 5
                dead_at = last = at + timedelta(minutes=25)
                completed = None
                repub_at = self.resolve_after(dead_at, "interface")
                if self.live(repub_at):
                    repub, status, completed = repub_at, "processed", repub_at + self.minutes(0, 2)
        if completed is not None and not self.live(completed):
            completed = None
            if status == "processed" and repub is None:
                status = "processed"  # delivered within seconds: keep it processed
                completed = at
        updated = max(x for x in (at, last, completed, repub, dead_at) if x is not None)
        if not self.live(updated):
            updated = at
        sink.add(
            "message_log",
            (
                mid,
                interface,
                direction,
                queue,
                exchange,
                rkey,
                mtype,
                f"{mtype[:3]}{mid}",
                subject_type,
                subject_key,
                facility,
                status,
                sig or None,
                text or None,
                attempts,
                at.isoformat(),
                last.isoformat() if self.live(last) else at.isoformat(),
                completed.isoformat() if completed else None,
                dead_at.isoformat() if dead_at and self.live(dead_at) else None,
                repub.isoformat() if repub else None,
                updated.isoformat(),
            ),
        )
        if status in ("failed", "dead_lettered") or repub is not None:
            opened = dead_at or at + timedelta(minutes=1)
            self.work_item(
                "interface",
                "dead_letter" if dead_at else "message_failed",
                sig,
                "message",
                mid,
                facility,
                None,
                None,
                opened,
                resolved_at=repub
                or (self.resolve_after(at, "interface") if status == "failed" else None),
                resolution="republished" if repub or dead_at else "fixed",
                role="integration",
            )

    def work_item(
        self,
        stage: str,
        type_: str,
        exception: str | None,
        subject_type: str,
        subject_key: str,
        facility: str,
        payer: str | None,
        amount: int | None,
        opened: datetime,
        resolved_at: datetime | None,
        resolution: str | None,
        role: str,
        resolved_by: str | None = None,
    ) -> str | None:
        if not self.live(opened):
            return None
        rng = self.rng
        wid = self.sink.next_id("W")
        due = opened + timedelta(hours=SLA_HOURS[stage])
        team = self.users[role]
        assignee = team[rng.randrange(len(team))] if rng.random() > 0.04 else None
        status = "closed"
        if resolved_at is None or not self.live(resolved_at):
            status = "in_progress" if assignee and rng.random() < 0.5 else "open"
            resolved_at = resolution = None
            resolved_by = None
        elif resolved_by is None:
            resolved_by = assignee or team[0]
        updated = resolved_at or opened
        self.sink.add(
            "work_item",
            (
                wid,
                type_,
                stage,
                exception,
                subject_type,
                subject_key,
                facility,
                payer,
                amount,
                opened.isoformat(),
                due.isoformat(),
                assignee,
                status,
                resolved_at.isoformat() if resolved_at else None,
                resolved_by,
                resolution,
                updated.isoformat(),
            ),
        )
        return wid

    def resolve_after(self, opened: datetime, stage: str) -> datetime:
        """When a person closes an item: mostly within its SLA, ``LATE_SLA`` of them late."""
        sla = SLA_HOURS[stage] * 60
        if self.rng.random() < LATE_SLA:
            return opened + timedelta(minutes=int(sla * self.rng.uniform(1.05, 2.2)))
        return opened + timedelta(minutes=int(sla * self.rng.uniform(0.08, 0.95)))

    def decision(
        self,
        decider: str,
        version: str,
        subject: str,
        work_item: str | None,
        decision: str,
        confidence: float,
        at: datetime,
        facility: str,
        exception: str,
        override_p: float,
        alternatives: tuple[str, ...],
        override_at: datetime,
    ) -> str:
        """Record an automated decision; a person overrides it with probability ``override_p``.
        Returns the outcome that stands."""
        if not self.live(at):
            return decision
        sink, rng = self.sink, self.rng
        did = sink.next_id("D")
        sink.add(
            "automated_decision",
            (
                did,
                self.deciders[decider].kind,
                decider,
                version,
                "claim",
                subject,
                work_item,
                decision,
                f"{confidence:.3f}",
                at.isoformat(),
                facility,
                exception,
                at.isoformat(),
            ),
        )
        if rng.random() < override_p and self.live(override_at):
            new = alternatives[rng.randrange(len(alternatives))]
            team = self.users["denials" if decider == "denial-triage" else "biller"]
            reason = OVERRIDE_REASONS[rng.randrange(len(OVERRIDE_REASONS))]
            sink.add(
                "override",
                (
                    sink.next_id("O"),
                    did,
                    team[rng.randrange(len(team))],
                    decision,
                    new,
                    reason,
                    override_at.isoformat(),
                    override_at.isoformat(),
                ),
            )
            return new
        return decision

    def post(
        self,
        receivable: str,
        claim: Claim,
        kind: str,
        amount: int,
        at: datetime,
        manual: bool,
        group: str | None = None,
        carc: str | None = None,
        remit: str | None = None,
        trace: str | None = None,
        payer: str | None = None,
    ) -> None:
        if amount == 0:
            return
        stamp = at.isoformat()
        self.sink.postings.append(
            (
                self.sink.next_id("P"),
                receivable,
                claim.pcn,
                remit,
                trace,
                payer or claim.payer.code,
                claim.facility.code,
                kind,
                group,
                carc,
                amount,
                stamp,
                int(manual),
                (self.users["poster"][0] if manual else "ERA-AUTOPOST")
                if remit
                else ("zz.biller01" if manual else "SYSTEM"),
                stamp,
            )
        )
        self.balances[receivable] = self.balances.get(receivable, 0) + amount
        self.activity[receivable] = at

    def write_off(
        self,
        receivable: str,
        claim: Claim,
        reason: str,
        carc: str | None,
        amount: int,
        at: datetime,
        by: str,
        payer: str | None = None,
    ) -> None:
        if amount <= 0 or not self.live(at):
            return
        self.sink.add(
            "write_off",
            (
                self.sink.next_id("X"),
                receivable,
                claim.pcn,
                claim.facility.code,
                payer or claim.payer.code,
                reason,
                carc,
                amount,
                at.isoformat(),
                by,
                at.isoformat(),
            ),
        )
        self.balances[receivable] = self.balances.get(receivable, 0) - amount
        self.activity[receivable] = at

    # -- the lifecycle ------------------------------------------------------------------------
    def run(self, index: int, service_day: date) -> None:
        rng = self.rng
        if index % SELF_PAY_EVERY == 0:
            self.self_pay_account(index, service_day)
        claim = self.make_claim(index, service_day)
        self.balances: dict[str, int] = {}
        self.activity: dict[str, datetime] = {}
        self.opened: dict[str, date] = {}
        fac = claim.facility.code
        hour = rng.randint(0, 23) if claim.kind == "ed" else rng.randint(7, 17)
        seen_at = datetime(
            service_day.year, service_day.month, service_day.day, hour, rng.randint(0, 59)
        )
        self.message("adt_in", seen_at, "claim", claim.pcn, fac)
        discharge = datetime.combine(claim.service_to, seen_at.time())
        charge_at = discharge + self.minutes(60, 60 * (20 if claim.claim_type == "P" else 50))
        if not self.live(charge_at):
            return
        self.message("dft_charges", charge_at, "claim", claim.pcn, fac)
        ins = claim.pcn + "-I"
        self.opened[ins] = charge_at.date()
        self.post(ins, claim, "charge", claim.charge, charge_at, False)
        self.sink.revenue(fac, charge_at.date(), claim.charge, claim.expected)

        ready = charge_at + self.minutes(30, 600)
        if rng.random() < DATA_QUALITY:
            opened = charge_at + self.minutes(5, 60)
            self.work_item(
                "data_quality",
                "registration_incomplete",
                "subscriber_address",
                "claim",
                claim.pcn,
                fac,
                claim.payer.code,
                claim.charge,
                opened,
                self.resolve_after(opened, "data_quality"),
                "fixed",
                "registrar",
            )
        ready = self.scrub(claim, charge_at, ready)
        if ready is None:
            self.finish(claim)
            return
        accepted_at = self.submit_until_accepted(claim, ready, "1", "")
        if accepted_at is not None:
            self.adjudicate_primary(claim, accepted_at)
        self.finish(claim)

    def scrub(self, claim: Claim, charge_at: datetime, ready: datetime) -> datetime | None:
        """Pre-bill scrubber rules: a hold opens a work item and delays submission."""
        rng = self.rng
        sc = self.scenario
        rule, version, p_hold, p_override = None, "", SCRUB_HOLD, 0.045
        if claim.auth_number and rng.random() < 0.10:
            rule, version = "SCRUB-AUTH", "3"
            if sc.override_rule == "SCRUB-AUTH" and charge_at.date() >= sc.override_from:
                version, p_override = sc.override_version, 0.45
        elif rng.random() < p_hold:
            rule, version = ("SCRUB-NCCI", "7") if rng.random() < 0.6 else ("SCRUB-DEMOG", "2")
        if (
            rule is None
            and sc.override_rule == "SCRUB-AUTH"
            and charge_at.date() >= sc.override_from
            and rng.random() < 0.06
        ):
            rule, version, p_override = "SCRUB-AUTH", sc.override_version, 0.45
        if rule is None:
            return ready
        opened = charge_at + self.minutes(1, 20)
        if not self.live(opened):
            return None
        resolved = self.resolve_after(opened, "pre_bill")
        override_at = opened + (resolved - opened) / 3
        override_at = override_at.replace(microsecond=0)
        wid = self.work_item(
            "pre_bill",
            "scrubber_hold",
            rule,
            "claim",
            claim.pcn,
            claim.facility.code,
            claim.payer.code,
            claim.charge,
            opened,
            None,
            None,
            "coder",
        )
        outcome = self.decision(
            rule,
            version,
            claim.pcn,
            wid,
            "hold",
            1.0,
            opened,
            claim.facility.code,
            rule,
            p_override,
            ("release",),
            override_at,
        )
        # The work item row is rewritten with its resolution (an update at the source).
        self.sink.close_last_work_item(
            wid,
            resolved if outcome == "hold" else override_at,
            "fixed" if outcome == "hold" else "released",
            self.cutoff,
        )
        done = resolved if outcome == "hold" else override_at
        return done if self.live(done) else None

    def batch_time(self, ready: datetime) -> datetime:
        """Claims go out in the nightly 20:00 batch of the day they are ready (before 19:00)."""
        d = ready.date() if ready.hour < 19 else ready.date() + timedelta(days=1)
        return datetime(d.year, d.month, d.day, 20, 0)

    def set_outcome(self, entity: str, day: date, subset: int, kind: str) -> str:
        if kind != "o":
            return "ok"
        key = (entity, day, subset)
        cached = self._set_outcomes.get(key)
        if cached is None:
            cached = self._set_outcomes[key] = self._set_outcome(entity, day, subset)
        return cached

    def _set_outcome(self, entity: str, day: date, subset: int) -> str:
        u = u64(self.seed, "set", entity, day, self.chunk, subset)
        # Every system shows each kind of front-end failure at least once (first chunk).
        day_n = (day - self.start).days
        if self.chunk == 0 and subset == 0:
            if entity == "PHYS" and day_n == 6:
                return "rej999"
            if entity == "H01" and day_n == 9:
                return "prov277"
            if entity == "PHYS" and day_n == 12:
                return "lost"
        if u < SET_REJECT_999:
            return "rej999"
        if u < SET_REJECT_999 + SET_PROVIDER_REJECT:
            return "prov277"
        if u < SET_REJECT_999 + SET_PROVIDER_REJECT + SET_ACK_LOST:
            return "lost"
        return "ok"

    def submit(
        self, claim: Claim, ready: datetime, frequency: str, f8: str, first: bool
    ) -> tuple[datetime, str]:
        """Put the claim in its 837 set; returns (submitted_at, outcome)."""
        at = self.batch_time(ready)
        if not self.live(at):
            return at, "future"
        day = at.date()
        kind = "o" if (first and frequency == "1") else "r"
        key = (claim.entity, day, kind)
        n = self.set_counters.get(key, 0)
        self.set_counters[key] = n + 1
        subset = n // self.set_size + (0 if kind == "o" else 500)
        outcome = self.set_outcome(claim.entity, day, subset, kind)
        status = "A2:20"
        if outcome == "ok" and kind == "o" and self.rng.random() < CLAIM_REJECT_277:
            outcome = "rej277"
            status = ("A7:562:85", "A7:33:IL", "A6:21:IL", "A3:164:IL", "A8:145:QC")[
                self.rng.randrange(5)
            ]
        elif outcome == "prov277":
            status = "A3:562:85"
        parts = [
            f"{self.chunk:06d}",
            f"{subset:04d}",
            outcome,
            status,
            claim.pcn,
            str(claim.charge),
            claim.patient.person.last,
            claim.patient.person.first,
            claim.patient.member_id,
            claim_x12.d8(claim.service_from),
            claim_x12.d8(claim.service_to),
            claim.bill_type,
            claim.entity,
            "~".join(claim_x12.subscriber_segments(claim)),
            "~".join(claim_x12.patient_segments(claim)),
            "~".join(claim_x12.claim_segments(claim, frequency, f8)),
        ]
        self.sink.spool_837(day, claim.entity, "\t".join(parts))
        return at, outcome

    def submit_until_accepted(
        self, claim: Claim, ready: datetime, frequency: str, f8: str
    ) -> datetime | None:
        """Submit; a front-end rejection opens a work item and the fixed claim goes again."""
        first = frequency == "1"
        at, outcome = self.submit(claim, ready, frequency, f8, first)
        if outcome == "future":
            return None
        if outcome in ("ok", "lost"):
            return at
        # Rejected: 999 answers the same evening; 277CA rejections arrive the next morning.
        fac = claim.facility.code
        if outcome == "rej999":
            opened = at + timedelta(minutes=50)
            exc = "999_set_rejected"
        else:
            opened = datetime.combine(at.date() + timedelta(days=1), datetime.min.time())
            opened += timedelta(hours=7, minutes=self.rng.randint(0, 50))
            exc = "277ca_" + ("provider_rejected" if outcome == "prov277" else "claim_rejected")
        if not self.live(opened):
            return None
        fixed = self.resolve_after(opened, "front_end_reject")
        self.work_item(
            "front_end_reject",
            "claim_rejected",
            exc,
            "claim",
            claim.pcn,
            fac,
            claim.payer.code,
            claim.charge,
            opened,
            fixed,
            "resubmitted",
            "biller",
        )
        if not self.live(fixed):
            return None
        at2, outcome2 = self.submit(claim, fixed, "1", "", False)
        return at2 if outcome2 != "future" else None

    # -- adjudication -----------------------------------------------------------------------------
    def pay_day(self, payer: Payer, ready: datetime) -> date:
        d = ready.date() + timedelta(days=1)
        while d.weekday() not in payer.pay_weekdays:
            d += timedelta(days=1)
        sc = self.scenario
        if sc.outage_payer == payer.code and sc.outage_start <= d < sc.outage_end:
            d = sc.outage_end
            while d.weekday() not in payer.pay_weekdays:
                d += timedelta(days=1)
        return d

    def received_at(self, payer: Payer, day: date) -> datetime:
        return era_received_at(self.seed, payer.code, day)

    def era_file(self, payer: Payer, entity: str, day: date) -> str:
        return era_file_name(self.seed, payer.code, entity, day)

    def trace(self, payer: Payer, entity: str, day: date) -> str:
        return era_trace(payer.code, entity, day, self.chunk)

    def payer_claim_number(self, claim: Claim, payer: Payer, n: int) -> str:
        return f"{payer.code[:3]}{claim.index:010d}{n:02d}"

    def price(self, claim: Claim, payer: Payer, factor: float, pcn_n: int) -> Adjudication:
        """A paid adjudication: CO-45 to the allowed amount, PR deductible/coinsurance/copay,
        CO-253 sequestration for Medicare fee-for-service."""
        rng = self.rng
        deductible_left = rng.randint(20, 400) * 100 if rng.random() < payer.deductible_share else 0
        copay_left = payer.copay_cents
        ffs = payer.code in ("MCR", "MCA")
        lines = []
        for line in claim.lines:
            allowed = min(line.charge, int(line.expected * factor))
            adj: list[tuple[str, str, int]] = []
            if line.charge > allowed:
                adj.append(("CO", "45", line.charge - allowed))
            remaining = allowed
            ded = min(deductible_left, remaining)
            deductible_left -= ded
            remaining -= ded
            copay = 0
            if copay_left and line.code.startswith("992"):
                copay = min(copay_left, remaining)
                copay_left -= copay
                remaining -= copay
            coins = remaining * payer.coinsurance_pct // 100 if not copay else 0
            remaining -= coins
            seq = remaining * 2 // 100 if ffs else 0
            remaining -= seq
            if ded:
                adj.append(("PR", "1", ded))
            if coins:
                adj.append(("PR", "2", coins))
            if copay:
                adj.append(("PR", "3", copay))
            if seq:
                adj.append(("CO", "253", seq))
            lines.append(LineAdjudication(line, line.charge, remaining, allowed, adj))
        return self.assemble(claim, payer, "1", lines, pcn_n)

    def reprice(self, claim: Claim, payer: Payer, old: Adjudication, factor: float) -> Adjudication:
        """The payer's correction of a paid claim: allowed × ``factor``, same patient share."""
        if not old.lines:  # per-case (inpatient) payment: correct it at claim level
            extra = min(old.paid * (factor - 1), 10**9)
            extra = int(extra)
            adjs = []
            for g, c, a in old.claim_adjustments:
                if (g, c) == ("CO", "45"):
                    a -= extra
                adjs.append((g, c, a))
            new = Adjudication(
                "1",
                old.charge,
                old.paid + extra,
                old.patient_resp,
                old.filing_code,
                self.payer_claim_number(claim, payer, 2),
                adjs,
                [],
                [],
            )
            return new
        lines = []
        for ln in old.lines:
            allowed = min(ln.charge, int(ln.allowed * factor))
            kept = [(g, c, a) for g, c, a in ln.adjustments if g != "CO"]
            pr = sum(a for g, _, a in kept if g == "PR")
            seq = [(g, c, a) for g, c, a in ln.adjustments if (g, c) == ("CO", "253")]
            paid = allowed - pr - sum(a for *_, a in seq)
            adj = ([("CO", "45", ln.charge - allowed)] if ln.charge > allowed else []) + kept + seq
            lines.append(LineAdjudication(ln.line, ln.charge, paid, allowed, adj))
        return self.assemble(claim, payer, "1", lines, 2)

    def assemble(
        self, claim: Claim, payer: Payer, status: str, lines: list[LineAdjudication], pcn_n: int
    ) -> Adjudication:
        paid = sum(ln.paid for ln in lines)
        pr = sum(a for ln in lines for g, _, a in ln.adjustments if g == "PR")
        adj = Adjudication(
            status,
            claim.charge,
            paid,
            pr,
            filing_code_835(payer),
            self.payer_claim_number(claim, payer, pcn_n),
            [],
            lines,
            [],
        )
        if claim.bill_type == "111":
            # Inpatient: paid per case at claim level, no service lines in the 835.
            totals: dict[tuple[str, str], int] = {}
            for ln in lines:
                for g, c, a in ln.adjustments:
                    totals[(g, c)] = totals.get((g, c), 0) + a
            adj.claim_adjustments = [(g, c, a) for (g, c), a in totals.items()]
            adj.lines = []
        return adj

    def deny(
        self, claim: Claim, payer: Payer, category: str, carc: str, pcn_n: int
    ) -> Adjudication:
        rng = self.rng
        remark = REMARKS.get(carc)
        partial = (
            category in PARTIAL_OK
            and len(claim.lines) > 1
            and rng.random() < 0.5
            and claim.bill_type != "111"
        )
        if partial:
            adj = self.price(claim, payer, 1.0, pcn_n)
            victim = adj.lines[1 + rng.randrange(len(adj.lines) - 1)]
            victim.paid = 0
            victim.allowed = 0
            victim.adjustments = [("CO", carc, victim.charge)]
            victim.remarks = [remark] if remark else []
            adj.paid = sum(ln.paid for ln in adj.lines)
            adj.patient_resp = sum(a for ln in adj.lines for g, _, a in ln.adjustments if g == "PR")
            adj.denied = victim.charge
        else:
            status = "4" if category == "eligibility" else "1"
            if rng.random() < 0.5 or claim.bill_type == "111":
                adj = Adjudication(
                    status,
                    claim.charge,
                    0,
                    0,
                    filing_code_835(payer),
                    self.payer_claim_number(claim, payer, pcn_n),
                    [("CO", carc, claim.charge)],
                    [],
                    [remark] if remark else [],
                )
            else:
                lines = [
                    LineAdjudication(
                        ln,
                        ln.charge,
                        0,
                        None,
                        [("CO", carc, ln.charge)],
                        [remark] if remark else [],
                    )
                    for ln in claim.lines
                ]
                adj = Adjudication(
                    status,
                    claim.charge,
                    0,
                    0,
                    filing_code_835(payer),
                    self.payer_claim_number(claim, payer, pcn_n),
                    [],
                    lines,
                    [],
                )
            adj.denied = claim.charge
        adj.denial_category, adj.denial_carc = category, carc
        return adj

    def spool_remit(
        self,
        claim: Claim,
        payer: Payer,
        day: date,
        adjs: list[Adjudication],
        plb: list[tuple[str, int]] = (),
    ) -> tuple[str, str, datetime]:
        """Queue CLP loops (a reversal and its correction travel together) for the payer's 835
        of ``day``; returns (file name, trace number, received_at)."""
        segs: list[str] = []
        for adj in adjs:
            segs += claim_x12.clp_segments(claim, adj)
        plb_text = ";".join(f"{code}:{claim.pcn}:{amount}" for code, amount in plb)
        rec = f"{self.chunk:06d}\t{plb_text}\t" + "~".join(segs)
        self.sink.spool_835(day, payer.code, claim.entity, rec)
        return (
            self.era_file(payer, claim.entity, day),
            self.trace(payer, claim.entity, day),
            self.received_at(payer, day),
        )

    def posting_time(self, claim: Claim, received: datetime) -> tuple[datetime, bool]:
        """Auto-posting runs at 14:00 on the next working day; manual posting takes days."""
        rng = self.rng
        manual = rng.random() < MANUAL_POSTING
        if manual:
            at = self.resolve_after(received + timedelta(hours=2), "posting")
        else:
            d = received.date() + timedelta(days=1)
            while d.weekday() >= 5:
                d += timedelta(days=1)
            at = datetime(d.year, d.month, d.day, 14, rng.randint(0, 50))
        sc = self.scenario
        if (
            sc.backlog_facility
            and claim.entity == sc.backlog_facility
            and received.date() >= sc.backlog_from
        ):
            at = received + (at - received) * sc.backlog_factor
            at = at.replace(microsecond=0)
        return at, manual

    def import_remit(
        self,
        claim: Claim,
        payer: Payer,
        adj: Adjudication,
        file_name: str,
        trace: str,
        received: datetime,
        day: date,
        posted_at: datetime,
        manual: bool,
        crossover: bool = False,
    ) -> str:
        """The ERP imports the CLP loop and posts it (if posting happened before the cut-off)."""
        rid = self.sink.next_id("R")
        posted = self.live(posted_at)
        self.sink.add(
            "remit_import",
            (
                rid,
                file_name,
                trace,
                payer.code,
                payer.id_835,
                claim.facility.code,
                claim.pcn,
                adj.status,
                adj.payer_claim_number,
                adj.charge,
                adj.paid,
                adj.patient_resp,
                day.isoformat(),
                received.isoformat(),
                "posted" if posted else "unposted",
                posted_at.isoformat() if posted else None,
                int(manual) if posted else None,
                (posted_at if posted else received).isoformat(),
            ),
        )
        if manual:
            opened = received + timedelta(hours=2)
            self.work_item(
                "posting",
                "manual_posting",
                "era_exception",
                "remit",
                rid,
                claim.facility.code,
                payer.code,
                adj.paid,
                opened,
                posted_at if posted else None,
                "posted_manually",
                "poster",
            )
        if not posted:
            return rid
        ins = claim.pcn + "-I"
        reversal = adj.status == "22"
        kind = "reversal" if reversal else "payment"
        self.post(
            ins, claim, kind, -adj.paid, posted_at, manual, remit=rid, trace=trace, payer=payer.code
        )
        if adj.paid:
            self.sink.add(
                "payment",
                (
                    self.sink.next_id("Y"),
                    "payer",
                    payer.code,
                    claim.pcn,
                    claim.facility.code,
                    "EFT",
                    adj.paid,
                    day.isoformat(),
                    posted_at.isoformat(),
                    trace,
                    rid,
                    posted_at.isoformat(),
                ),
            )
        totals: dict[tuple[str, str], int] = {}
        for g, c, a in adj.all_adjustments():
            if g == "PR" or c == "23" or c not in NON_DENIAL_CARCS:
                continue  # denials stay in A/R until appealed, corrected or written off
            totals[(g, c)] = totals.get((g, c), 0) + a
        for (g, c), a in totals.items():
            self.post(
                ins,
                claim,
                "reversal" if reversal else "adjustment",
                -a,
                posted_at,
                manual,
                g,
                c,
                rid,
                trace,
                payer.code,
            )
        if adj.patient_resp and not crossover:
            pat = claim.pcn + "-P"
            self.opened.setdefault(pat, posted_at.date())
            self.post(
                ins,
                claim,
                "transfer",
                -adj.patient_resp,
                posted_at,
                manual,
                "PR",
                None,
                rid,
                trace,
                payer.code,
            )
            self.post(
                pat,
                claim,
                "transfer",
                adj.patient_resp,
                posted_at,
                manual,
                "PR",
                None,
                rid,
                trace,
                "SELF",
            )
        return rid

    def adjudicate_primary(self, claim: Claim, accepted_at: datetime) -> None:
        rng = self.rng
        payer = claim.payer
        lo, hi = payer.pay_lag_days
        lag = rng.randint(lo, hi)
        if rng.random() < SLOW_PAYER_PEND:
            lag += rng.randint(70, 190)
        day = self.pay_day(payer, accepted_at + timedelta(days=lag))
        received = self.received_at(payer, day)
        if not self.live(received):
            return
        p_deny = DENIAL_BASE * payer.denial_factor
        sc = self.scenario
        spike = sc.spike_payer == payer.code and day >= sc.spike_from
        u = rng.random()
        if spike and u < sc.spike_extra_denial:
            carc = "197" if rng.random() < 0.8 else "15"
            adj = self.deny(claim, payer, "authorization", carc, 1)
        elif u < p_deny + (sc.spike_extra_denial if spike else 0):
            cat = rng.choices(DENIAL_MIX, self.cat_weights)[0]
            category, _, carcs = cat
            carc = rng.choices([c for c, _ in carcs], [w for _, w in carcs])[0]
            adj = self.deny(claim, payer, category, carc, 1)
        else:
            factor = 0.9 if rng.random() < 0.04 else 1.0
            adj = self.price(claim, payer, factor, 1)
        crossover = (
            claim.patient.dual_eligible
            and payer.code in ("MCR", "MCA")
            and not adj.denial_category
            and adj.patient_resp > 0
        )
        if crossover:
            adj.status = "19"
        plb: list[tuple[str, int]] = []
        if payer.payer_class == "commercial" and (day - accepted_at.date()).days > 30 and adj.paid:
            plb.append(("L6", -max(1, adj.paid // 100)))
        fname, trace, received = self.spool_remit(claim, payer, day, [adj], plb)
        posted_at, manual = self.posting_time(claim, received)
        self.import_remit(
            claim, payer, adj, fname, trace, received, day, posted_at, manual, crossover
        )
        for code, amount in plb:
            self.provider_adjustment(claim, payer, fname, trace, code, amount, day, posted_at)
        if not self.live(posted_at):
            return
        if adj.denial_category:
            self.denial_followup(claim, payer, adj, posted_at)
            return
        if crossover:
            self.crossover(claim, adj, day)
            return
        if adj.patient_resp:
            self.patient_balance(claim, adj.patient_resp, posted_at)
        self.after_payment(claim, payer, adj, posted_at, day)

    def provider_adjustment(
        self,
        claim: Claim,
        payer: Payer,
        fname: str,
        trace: str,
        code: str,
        amount: int,
        day: date,
        posted_at: datetime,
    ) -> None:
        posted = self.live(posted_at)
        self.sink.add(
            "provider_adjustment",
            (
                self.sink.next_id("L"),
                fname,
                trace,
                payer.code,
                claim.entity,
                code,
                claim.pcn,
                amount,
                day.isoformat(),
                posted_at.isoformat() if posted else None,
                posted_at.isoformat() if posted else self.received_at(payer, day).isoformat(),
            ),
        )
        if code == "WO" and posted:
            self.post(
                claim.pcn + "-I",
                claim,
                "takeback",
                amount,
                posted_at,
                True,
                None,
                None,
                None,
                trace,
                payer.code,
            )

    def crossover(self, claim: Claim, primary: Adjudication, primary_day: date) -> None:
        """Medicare forwarded the claim (CLP02 = 19); Medicaid pays the patient share
        (CLP02 = 2)."""
        rng = self.rng
        payer = PAYER_BY_CODE[CROSSOVER_SECONDARY]
        day = self.pay_day(
            payer,
            datetime.combine(primary_day, datetime.min.time()) + timedelta(days=rng.randint(8, 20)),
        )
        lines = []
        for ln in primary.lines:
            pr = sum(a for g, _, a in ln.adjustments if g == "PR")
            lines.append(
                LineAdjudication(ln.line, ln.charge, pr, None, [("OA", "23", ln.charge - pr)])
            )
        adj = Adjudication(
            "2",
            claim.charge,
            primary.patient_resp,
            0,
            "MC",
            self.payer_claim_number(claim, payer, 1),
            [],
            lines,
            [],
        )
        if not primary.lines:
            adj.claim_adjustments = [("OA", "23", claim.charge - primary.patient_resp)]
        if not self.live(self.received_at(payer, day)):
            return
        fname, trace, received = self.spool_remit(claim, payer, day, [adj])
        posted_at, manual = self.posting_time(claim, received)
        self.import_remit(claim, payer, adj, fname, trace, received, day, posted_at, manual)

    def after_payment(
        self, claim: Claim, payer: Payer, adj: Adjudication, posted_at: datetime, day: date
    ) -> None:
        """What can still happen to a paid claim: a payer's retro correction, a take-back, or
        the provider voiding it."""
        rng = self.rng
        u = rng.random()
        if u < RETRO_ADJUST:
            later = self.pay_day(payer, posted_at + timedelta(days=rng.randint(20, 70)))
            corrected = self.reprice(claim, payer, adj, 1.04)
            self.reprocess(claim, payer, adj, corrected, later)
        elif u < RETRO_ADJUST + TAKEBACK_RATE and adj.paid > 2000:
            later = self.pay_day(payer, posted_at + timedelta(days=rng.randint(20, 50)))
            amount = adj.paid * rng.randint(10, 30) // 100
            rec_at = self.received_at(payer, later)
            if not self.live(rec_at):
                return
            fname = self.era_file(payer, claim.entity, later)
            trace = self.trace(payer, claim.entity, later)
            self.sink.spool_835(
                later, payer.code, claim.entity, f"{self.chunk:06d}\tWO:{claim.pcn}:{amount}\t"
            )
            p_at, _ = self.posting_time(claim, rec_at)
            self.provider_adjustment(claim, payer, fname, trace, "WO", amount, later, p_at)
            opened = rec_at + self.minutes(60, 300)
            self.work_item(
                "posting",
                "takeback_review",
                "plb_wo",
                "claim",
                claim.pcn,
                claim.facility.code,
                payer.code,
                amount,
                opened,
                self.resolve_after(opened, "posting"),
                "takeback_accepted",
                "poster",
            )
        elif u < RETRO_ADJUST + TAKEBACK_RATE + VOID_RATE and adj.patient_resp == 0:
            ready = posted_at + timedelta(days=rng.randint(5, 30))
            sub_at, outcome = self.submit(claim, ready, "8", adj.payer_claim_number, False)
            if outcome == "future":
                return
            later = self.pay_day(payer, sub_at + timedelta(days=rng.randint(10, 20)))
            rec = self.received_at(payer, later)
            if not self.live(rec):
                return
            rev = adj.reversed()
            fname, trace, rec = self.spool_remit(claim, payer, later, [rev])
            p_at, manual = self.posting_time(claim, rec)
            self.import_remit(claim, payer, rev, fname, trace, rec, later, p_at, manual)
            if self.live(p_at):
                self.post(claim.pcn + "-I", claim, "charge", -claim.charge, p_at, True)

    def reprocess(
        self, claim: Claim, payer: Payer, old: Adjudication, new: Adjudication, day: date
    ) -> None:
        """The payer reverses ``old`` and sends ``new`` in the same 835."""
        rev = old.reversed()
        received = self.received_at(payer, day)
        if not self.live(received):
            return
        fname, trace, received = self.spool_remit(claim, payer, day, [rev, new])
        posted_at, manual = self.posting_time(claim, received)
        self.import_remit(claim, payer, rev, fname, trace, received, day, posted_at, manual)
        self.import_remit(claim, payer, new, fname, trace, received, day, posted_at, manual)
        if self.live(posted_at) and new.patient_resp > old.patient_resp:
            self.patient_balance(claim, new.patient_resp - old.patient_resp, posted_at)

    def denial_followup(
        self, claim: Claim, payer: Payer, adj: Adjudication, posted_at: datetime
    ) -> None:
        rng = self.rng
        cat = adj.denial_category
        opened = posted_at + self.minutes(30, 600)
        if not self.live(opened):
            return
        resolved = self.resolve_after(opened, "denial")
        wid = self.work_item(
            "denial",
            "denial",
            cat,
            "claim",
            claim.pcn,
            claim.facility.code,
            payer.code,
            adj.denied,
            opened,
            None,
            None,
            "denials",
        )
        model_action = rng.choices(ACTIONS, DENIAL_ACTION[cat])[0]
        confidence = rng.uniform(0.55, 0.99)
        override_at = opened + (resolved - opened) / 2
        action = self.decision(
            "denial-triage",
            "2.3",
            claim.pcn,
            wid,
            model_action,
            confidence,
            opened + timedelta(minutes=1),
            claim.facility.code,
            cat,
            0.07 if confidence < 0.8 else 0.035,
            tuple(a for a in ACTIONS if a != model_action),
            override_at.replace(microsecond=0),
        )
        resolution = {
            "appeal": "appealed",
            "corrected_claim": "corrected_claim",
            "write_off": "written_off",
        }[action]
        self.sink.close_last_work_item(wid, resolved, resolution, self.cutoff)
        if not self.live(resolved):
            return
        ins = claim.pcn + "-I"
        if action == "write_off":
            self.write_off(
                ins, claim, "denial", adj.denial_carc, adj.denied, resolved, "zz.denials01"
            )
            return
        if action == "corrected_claim":
            sub_at = self.submit_until_accepted(claim, resolved, "7", adj.payer_claim_number)
            if sub_at is None:
                return
            lo, hi = payer.pay_lag_days
            day = self.pay_day(payer, sub_at + timedelta(days=rng.randint(lo, hi)))
        else:
            decided = resolved + timedelta(days=rng.randint(60, 150))
            if rng.random() >= APPEAL_OVERTURN:
                self.write_off(
                    ins,
                    claim,
                    "denial",
                    adj.denial_carc,
                    adj.denied,
                    self.business_time(decided, 1),
                    "zz.denials02",
                )
                return
            day = self.pay_day(payer, decided)
        new = self.price(claim, payer, 1.0, 2)
        self.reprocess(claim, payer, adj, new, day)

    def patient_balance(self, claim: Claim, amount: int, at: datetime) -> None:
        """Statements go out; the patient pays, pays in part, or the balance is written off."""
        rng = self.rng
        pat = claim.pcn + "-P"
        u = rng.random()
        method = ("CARD", "ONLINE", "CHK", "CASH")[rng.randrange(4)]

        def pay(cents: int, when: datetime) -> None:
            if cents <= 0 or not self.live(when):
                return
            self.post(pat, claim, "payment", -cents, when, True, payer="SELF")
            self.sink.add(
                "payment",
                (
                    self.sink.next_id("Y"),
                    "patient",
                    "SELF",
                    claim.pcn,
                    claim.facility.code,
                    method,
                    cents,
                    when.date().isoformat(),
                    when.isoformat(),
                    None,
                    None,
                    when.isoformat(),
                ),
            )

        if u < 0.5:
            pay(amount, self.business_time(at, rng.uniform(12, 80)))
        elif u < 0.7:
            half = amount // 2
            pay(half, self.business_time(at, rng.uniform(20, 50)))
            pay(amount - half, self.business_time(at, rng.uniform(90, 180)))
        elif amount < 1000:
            when = self.business_time(at, 95)
            keep = self.decision(
                "SMALL-BAL-WO",
                "1",
                claim.pcn,
                None,
                "write_off",
                1.0,
                when,
                claim.facility.code,
                "small_balance",
                0.03,
                ("collect",),
                when + timedelta(hours=3),
            )
            if keep == "write_off":
                self.write_off(
                    pat,
                    claim,
                    "small_balance",
                    None,
                    amount,
                    when + timedelta(minutes=5),
                    "SMALL-BAL-WO",
                    "SELF",
                )
        else:
            self.write_off(
                pat,
                claim,
                "bad_debt",
                None,
                amount,
                self.business_time(at, rng.uniform(170, 230)),
                "zz.biller03",
                "SELF",
            )

    def self_pay_account(self, index: int, service_day: date) -> None:
        """An uninsured visit: ERP only (no claim is sent), discount, payments, charity."""
        rng = self.rng
        fac = self.clinics[rng.randrange(len(self.clinics))]
        code = ("99213", "99214", "99203")[rng.randrange(3)]
        charge = PRO[code].price_cents
        pseudo = Claim(
            index,
            f"S{index:010d}",
            "P",
            "PHYS",
            "office",
            fac,
            fac,
            True,
            PAYER_BY_CODE["SELF"],
            patient(self.seed, index % self.patients, self.start),
            [],
            ["Z0000"],
            service_day,
            service_day,
            POS_CLINIC,
            "",
            ("", "", ""),
            "",
            charge,
            charge * 35 // 100,
        )
        at = datetime(service_day.year, service_day.month, service_day.day, rng.randint(8, 17))
        at += self.minutes(60, 600)
        if not self.live(at):
            return
        self.message("dft_charges", at, "account", pseudo.pcn, fac.code)
        pat = pseudo.pcn + "-P"
        self.balances, self.activity, self.opened = {}, {}, {pat: at.date()}
        self.post(pat, pseudo, "charge", charge, at, False, payer="SELF")
        discount = charge * 40 // 100
        self.post(pat, pseudo, "adjustment", -discount, at, False, "SP", None, payer="SELF")
        self.sink.revenue(fac.code, at.date(), charge, pseudo.expected)
        rest = charge - discount
        u = rng.random()
        if u < 0.2:
            self.write_off(
                pat,
                pseudo,
                "charity",
                None,
                rest,
                self.business_time(at, rng.uniform(15, 50)),
                "zz.biller04",
                "SELF",
            )
        else:
            paid = rest if u < 0.55 else rest // 3
            when = self.business_time(at, rng.uniform(20, 90))
            if self.live(when):
                self.post(pat, pseudo, "payment", -paid, when, True, payer="SELF")
                self.sink.add(
                    "payment",
                    (
                        self.sink.next_id("Y"),
                        "patient",
                        "SELF",
                        pseudo.pcn,
                        fac.code,
                        "CARD",
                        paid,
                        when.date().isoformat(),
                        when.isoformat(),
                        None,
                        None,
                        when.isoformat(),
                    ),
                )
            if paid < rest:
                self.write_off(
                    pat,
                    pseudo,
                    "bad_debt",
                    None,
                    rest - paid,
                    self.business_time(at, rng.uniform(180, 240)),
                    "zz.biller03",
                    "SELF",
                )
        self.finish(pseudo)

    def finish(self, claim: Claim) -> None:
        """Write the claim's receivables as they stand at the cut-off."""
        p = claim.patient
        for rid, balance in self.balances.items():
            kind = "insurance" if rid.endswith("-I") else "patient"
            if claim.payer.code == "SELF":
                kind = "patient"
            last = self.activity[rid]
            status = "open" if balance > 0 else ("credit" if balance < 0 else "closed")
            self.sink.add(
                "receivable",
                (
                    rid,
                    claim.pcn,
                    kind,
                    claim.facility.code,
                    claim.payer.code if kind == "insurance" else "SELF",
                    p.mrn,
                    claim.service_from.isoformat(),
                    self.opened[rid].isoformat(),
                    claim.charge if (kind == "insurance" or claim.payer.code == "SELF") else 0,
                    balance,
                    status,
                    last.isoformat(),
                    last.isoformat(),
                ),
            )
