"""Small seeded writers of 837P, 999 and 277CA files for ``rcmwatch bench edi-claims``.

Deliberately independent of the parser (they format cents themselves and count what a correct
parse must report), so the benchmark doubles as an end-to-end check on large files. The synthetic
health system generator replaces them later; until then the benchmark is their only caller.

837P mix per ST loop (seeded): billing providers with several subscribers each, subscribers with
one to three claims, a quarter of the claims for a dependent (2000C patient under the
subscriber), one to four SV1 lines with modifiers and DTP*472, ICD-10 HI diagnoses, rendering
and service facility providers, replacement (CLM05-3 = 7, REF*F8) and void (8) claims, and
coordination of benefits (2320/2330A/2330B with AMT*D) on one claim in ten.

999: one group response per acknowledged group of sets; set responses accepted, accepted with
errors, or rejected with IK3/IK4/CTX detail; AK9 partial when any is rejected. 277CA: one
information source, receiver and provider per batch of claims, one PT HL per claim with A1/A2
acceptances and A7 rejections, and now and then a whole provider rejected (A3 at level 19).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

from rcmwatch.bench.remittance_builder import money

ICD10 = ("E119", "I10", "J069", "M545", "R079", "Z0000", "K219", "F329", "N390", "E785")
CPT = ("99213", "99214", "99203", "80053", "85025", "93000", "71046", "36415", "90471", "J1100")
MODIFIERS = ("25", "59", "GT", "95", "LT", "RT")
PLACES = ("11", "22", "21", "23", "02")
ISA_DATE, GS_DATE = "240510", "20240510"


def _isa(sender: str, receiver: str, control: int) -> str:
    return (
        f"ISA*00*          *00*          *ZZ*{sender:<15}*ZZ*{receiver:<15}*{ISA_DATE}*1200*^*00501"
        f"*{control:09d}*0*P*:~"
    )


@dataclass
class ClaimTotals:
    """What a correct parse of the written 837 must report (inspect's claims block, in cents)."""

    bytes: int = 0
    transactions: int = 0
    segments: int = 0
    claims: int = 0
    service_lines: int = 0
    charge: int = 0
    dependents: int = 0
    replacements: int = 0
    voids: int = 0
    other_payers: int = 0
    diagnoses: int = 0


class _Claims837:
    def __init__(self, rnd: random.Random, totals: ClaimTotals) -> None:
        self.rnd = rnd
        self.totals = totals
        self.body: list[str] = []
        self.hl = 0

    def _birth(self, first: int, last: int) -> str:
        rnd = self.rnd
        return f"{rnd.randint(first, last)}{rnd.randint(1, 12):02d}{rnd.randint(1, 28):02d}"

    def _hl(self, parent: int | None, level: str, children: bool) -> int:
        self.hl += 1
        self.body.append(f"HL*{self.hl}*{parent or ''}*{level}*{1 if children else 0}")
        return self.hl

    def billing_provider(self, number: int, claims: int) -> int:
        """A billing provider with subscribers until ``claims`` claims are written."""
        rnd = self.rnd
        bp = self._hl(None, "20", True)
        npi = 1_000_000_000 + number
        self.body += [
            "PRV*BI*PXC*207Q00000X",
            f"NM1*85*2*BENCH CLINIC {number}*****XX*{npi}",
            f"N3*{100 + number} MAIN STREET",
            "N4*SPRINGFIELD*IL*627010000",
            f"REF*EI*{360_000_000 + number}",
        ]
        written = 0
        while written < claims:
            count = min(claims - written, rnd.randint(1, 3))
            self.subscriber(bp, count)
            written += count
        return written

    def subscriber(self, parent: int, claims: int) -> None:
        rnd, t = self.rnd, self.totals
        dependent = rnd.random() < 0.25
        sub = self._hl(parent, "22", dependent)
        member = f"M{rnd.randint(0, 10**9):09d}"
        self.body += [
            f"SBR*P*{'' if dependent else '18'}*GRP{rnd.randint(1, 99)}******CI",
            f"NM1*IL*1*SUBSCRIBER*PAT*A***MI*{member}",
            "N3*1 ELM STREET",
            "N4*SPRINGFIELD*IL*627040000",
            f"DMG*D8*{self._birth(1940, 1999)}*{rnd.choice('FM')}",
            f"NM1*PR*2*BENCH HEALTH PLAN {rnd.randint(1, 5)}*****PI*8772{rnd.randint(0, 9)}",
        ]
        if dependent:
            self._hl(sub, "23", False)
            self.body += [
                "PAT*19",
                "NM1*QC*1*SUBSCRIBER*CHILD",
                "N3*1 ELM STREET",
                "N4*SPRINGFIELD*IL*627040000",
                f"DMG*D8*{self._birth(2010, 2020)}*F",
            ]
            t.dependents += claims
        for _ in range(claims):
            self.claim()

    def claim(self) -> None:
        rnd, t = self.rnd, self.totals
        t.claims += 1
        pcn = f"C{t.claims:09d}"
        kind = rnd.random()
        frequency = "7" if kind < 0.05 else "8" if kind < 0.07 else "1"
        lines = [
            (rnd.choice(CPT), rnd.randint(2_000, 40_000), rnd.randint(1, 3))
            for _ in range(rnd.randint(1, 4))
        ]
        charge = sum(c * u for _, c, u in lines)
        day = f"202404{rnd.randint(10, 28)}"
        place = rnd.choice(PLACES)
        self.body.append(f"CLM*{pcn}*{money(charge)}***{place}:B:{frequency}*Y*A*Y*Y")
        self.body.append(f"DTP*431*D8*{day}")
        if frequency != "1":
            self.body.append(f"REF*F8*PAYER{t.claims:010d}")
            t.replacements += frequency == "7"
            t.voids += frequency == "8"
        if rnd.random() < 0.2:
            self.body.append(f"REF*G1*AUTH{rnd.randint(0, 10**6):06d}")
        diagnoses = rnd.sample(ICD10, rnd.randint(1, 4))
        hi = [f"ABK:{diagnoses[0]}"] + [f"ABF:{code}" for code in diagnoses[1:]]
        self.body.append("HI*" + "*".join(hi))
        t.diagnoses += len(diagnoses)
        self.body += [
            f"NM1*82*1*RENDERING*DOC****XX*{1_500_000_000 + rnd.randint(0, 999)}",
            "PRV*PE*PXC*207Q00000X",
        ]
        if rnd.random() < 0.5:
            site = rnd.randint(1, 20)
            self.body += [
                f"NM1*77*2*BENCH FACILITY {site}*****XX*{1_600_000_000 + site}",
                "N3*2 OAK STREET",
                "N4*SPRINGFIELD*IL*627020000",
            ]
        if rnd.random() < 0.1:
            paid = rnd.randint(0, charge)
            self.body += [
                "SBR*S*01*GRP2******CI",
                f"AMT*D*{money(paid)}",
                "OI***Y***Y",
                f"NM1*IL*1*SPOUSE*PAT****MI*S{rnd.randint(0, 10**8):08d}",
                "NM1*PR*2*SECOND PLAN*****PI*60054",
            ]
            t.other_payers += 1
        for number, (code, cents, units) in enumerate(lines, start=1):
            modifier = f":{rnd.choice(MODIFIERS)}" if rnd.random() < 0.3 else ""
            self.body += [
                f"LX*{number}",
                f"SV1*HC:{code}{modifier}*{money(cents * units)}*UN*{units}***1",
                f"DTP*472*D8*{day}",
            ]
        t.service_lines += len(lines)
        t.charge += charge


def write_claims(
    path: str | Path,
    *,
    claims: int = 100_000,
    claims_per_transaction: int = 1_000,
    claims_per_provider: int = 50,
    seed: int = 837,
) -> ClaimTotals:
    """Write an 837P (one ISA/GS, ST loops of ``claims_per_transaction``) and its totals."""
    rnd = random.Random(seed)
    totals = ClaimTotals()
    with open(path, "w", encoding="ascii", newline="") as out:
        out.write(_isa("BENCHCLINIC", "BENCHCH", 1))
        out.write(f"GS*HC*BENCHCLINIC*BENCHCH*{GS_DATE}*1200*1*X*005010X222A1~")
        written, st_count, providers = 2, 0, 0
        for start in range(0, claims, claims_per_transaction):
            st_count += 1
            txn = _Claims837(rnd, totals)
            remaining = min(claims_per_transaction, claims - start)
            while remaining:
                providers += 1
                remaining -= txn.billing_provider(providers, min(remaining, claims_per_provider))
            segments = [
                f"ST*837*{st_count:04d}*005010X222A1",
                f"BHT*0019*00*B{st_count:08d}*{GS_DATE}*1200*CH",
                "NM1*41*2*BENCH CLINIC GROUP*****46*BENCHCLINIC",
                "PER*IC*BILLING OFFICE*TE*5555550100",
                "NM1*40*2*BENCH CLEARINGHOUSE*****46*BENCHCH",
                *txn.body,
            ]
            out.write("~".join(segments))
            out.write(f"~SE*{len(segments) + 1}*{st_count:04d}~")
            written += len(segments) + 1
        out.write(f"GE*{st_count}*1~IEA*1*000000001~")
        written += 2
    totals.transactions = st_count
    totals.segments = written
    totals.bytes = Path(path).stat().st_size
    return totals


@dataclass
class AckTotals:
    """What a correct parse of the written 999 or 277CA must report (inspect's acks block)."""

    bytes: int = 0
    segments: int = 0
    sets_accepted: int = 0
    sets_rejected: int = 0
    claims_accepted: int = 0
    claims_rejected: int = 0


def write_999(
    path: str | Path, *, sets: int = 100_000, sets_per_group: int = 1_000, seed: int = 999
) -> AckTotals:
    """A 999 answering ``sets`` 837 sets: one ST per acknowledged group of ``sets_per_group``."""
    rnd = random.Random(seed)
    totals = AckTotals()
    with open(path, "w", encoding="ascii", newline="") as out:
        out.write(_isa("BENCHCH", "BENCHCLINIC", 2))
        out.write(f"GS*FA*BENCHCH*BENCHCLINIC*{GS_DATE}*1300*2*X*005010X231A1~")
        written, st_count = 2, 0
        for start in range(0, sets, sets_per_group):
            st_count += 1
            body = [f"ST*999*{st_count:04d}*005010X231A1", f"AK1*HC*{st_count}*005010X222A1"]
            count = min(sets_per_group, sets - start)
            accepted = 0
            for number in range(start, start + count):
                body.append(f"AK2*837*{number + 1:04d}*005010X222A1")
                kind = rnd.random()
                if kind < 0.85:
                    body.append("IK5*A")
                    accepted += 1
                elif kind < 0.9:
                    body += ["IK3*REF*12*2300*8", "IK5*E"]
                    accepted += 1
                else:
                    body += [
                        f"IK3*CLM*{rnd.randint(10, 90)}*2300*8",
                        f"CTX*CLM01:C{number:09d}",
                        "IK4*2*782*1*ABC",
                        "IK5*R*5",
                    ]
            code = "A" if accepted == count else "R" if accepted == 0 else "P"
            body.append(f"AK9*{code}*{count}*{count}*{accepted}")
            totals.sets_accepted += accepted
            totals.sets_rejected += count - accepted
            out.write("~".join(body))
            out.write(f"~SE*{len(body) + 1}*{st_count:04d}~")
            written += len(body) + 1
        out.write(f"GE*{st_count}*2~IEA*1*000000002~")
    totals.segments = written + 2
    totals.bytes = Path(path).stat().st_size
    return totals


def write_277ca(
    path: str | Path,
    *,
    claims: int = 100_000,
    claims_per_transaction: int = 1_000,
    claims_per_provider: int = 50,
    seed: int = 277,
) -> AckTotals:
    """A 277CA answering ``claims`` claims: ST loops of ``claims_per_transaction``, one
    level-19 provider per ``claims_per_provider``."""
    rnd = random.Random(seed)
    totals = AckTotals()
    with open(path, "w", encoding="ascii", newline="") as out:
        out.write(_isa("BENCHCH", "BENCHCLINIC", 3))
        out.write(f"GS*HN*BENCHCH*BENCHCLINIC*{GS_DATE}*1300*3*X*005010X214~")
        written, st_count = 2, 0
        for first in range(0, claims, claims_per_transaction):
            st_count += 1
            body = [
                f"ST*277*{st_count:04d}*005010X214",
                f"BHT*0085*08*ACK{st_count:06d}*{GS_DATE}*1300*TH",
                "HL*1**20*1",
                "NM1*PR*2*BENCH HEALTH PLAN*****PI*87726",
                f"TRN*1*ACK{st_count:06d}",
                f"DTP*050*D8*{GS_DATE}",
                f"DTP*009*D8*{GS_DATE}",
                "HL*2*1*21*1",
                "NM1*41*2*BENCH CLINIC GROUP*****46*BENCHCLINIC",
                f"TRN*2*B{st_count:08d}",
                f"STC*A1:19*{GS_DATE}*WQ*{money(0)}",
            ]
            hl = 2
            last = min(first + claims_per_transaction, claims)
            for start in range(first, last, claims_per_provider):
                hl += 1
                provider = hl
                rejected_provider = rnd.random() < 0.02
                body += [
                    f"HL*{provider}*2*19*1",
                    f"NM1*85*2*BENCH CLINIC {provider}*****XX*{1_000_000_000 + provider}",
                    f"TRN*1*P{provider:08d}",
                ]
                if rejected_provider:
                    body.append(f"STC*A3:24:85*{GS_DATE}*U")
                for number in range(start, min(start + claims_per_provider, last)):
                    hl += 1
                    charge = rnd.randint(2_000, 90_000)
                    status = "A7:562:85" if rnd.random() < 0.1 else rnd.choice(("A1:20", "A2:20"))
                    body += [
                        f"HL*{hl}*{provider}*PT",
                        f"NM1*QC*1*PATIENT*P{number}****MI*M{number:09d}",
                        f"TRN*2*C{number + 1:09d}",
                        f"STC*{status}*{GS_DATE}*WQ*{money(charge)}",
                        f"REF*1K*PAYER{number:010d}",
                        "DTP*472*D8*20240415",
                    ]
                    if rejected_provider or status.startswith("A7"):
                        totals.claims_rejected += 1
                    else:
                        totals.claims_accepted += 1
            out.write("~".join(body))
            out.write(f"~SE*{len(body) + 1}*{st_count:04d}~")
            written += len(body) + 1
        out.write(f"GE*{st_count}*3~IEA*1*000000003~")
    totals.segments = written + 2
    totals.bytes = Path(path).stat().st_size
    return totals
