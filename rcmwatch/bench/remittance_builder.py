"""A small seeded writer of balanced 835 files for ``rcmwatch bench edi``.

Deliberately independent of the parser (it formats cents itself and computes the totals the parse
must report), so the benchmark doubles as an end-to-end check on a large file. The sample-data
generator issue replaces it with the full synthetic health system; until then this is its only
caller.

Claim mix per ST loop (seeded): paid with cost sharing, full denials (CO with a denial CARC),
partial denials (two lines, one denied), zero pay that is not a denial (all to the deductible), Part
A style claims without SVC, predeterminations (CLP02 = 25), and reversal/correction pairs (CLP02 =
22 with negative amounts, then the corrected claim). Every transaction has a PLB: interest (L6,
negative) and sometimes a take-back (WO, positive). Everything balances to the cent.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path

DENIAL_CARCS = ("197", "50", "16", "29", "18", "27", "96", "204")


def money(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    whole, part = divmod(abs(cents), 100)
    return f"{sign}{whole}.{part:02d}"


@dataclass
class BuiltTotals:
    """What a correct parse of the written file must report (the era block, in cents)."""

    bytes: int = 0
    transactions: int = 0
    claims: int = 0
    charge: int = 0
    paid: int = 0
    patient_responsibility: int = 0
    provider_adjustments: int = 0
    payment: int = 0
    denied_claims: int = 0
    partially_denied_claims: int = 0
    reversals: int = 0
    segments: int = 0
    extra: dict[str, int] = field(default_factory=dict)


class _Transaction:
    def __init__(self, rnd: random.Random, totals: BuiltTotals) -> None:
        self.rnd = rnd
        self.totals = totals
        self.body: list[str] = []
        self.paid = 0

    def claim(self, number: int) -> None:
        rnd, t = self.rnd, self.totals
        kind = rnd.random()
        pcn = f"P{number:08d}"
        icn = f"X{number:09d}"
        if kind < 0.70:
            self._paid(pcn, icn)
        elif kind < 0.80:
            self._denied(pcn, icn)
        elif kind < 0.88:
            self._partial(pcn, icn)
        elif kind < 0.91:
            self._deductible(pcn, icn)
        elif kind < 0.94:
            self._part_a(pcn, icn)
        elif kind < 0.96:
            self._predetermination(pcn, icn)
        else:
            self._reversal_pair(pcn, icn)
        t.claims += 1

    def _clp(self, pcn: str, status: str, charge: int, paid: int, pr: int, icn: str) -> None:
        self.body.append(
            f"CLP*{pcn}*{status}*{money(charge)}*{money(paid)}*{money(pr)}*12*{icn}*11*1"
        )
        self.body.append(f"NM1*QC*1*DOE*JANE****MI*M{pcn[1:]}")
        self.paid += paid
        t = self.totals
        t.charge += charge
        t.paid += paid
        t.patient_responsibility += pr

    def _line(self, charge: int, paid: int, cas: str | None, code: str = "99213") -> None:
        self.body.append(f"SVC*HC:{code}*{money(charge)}*{money(paid)}**1")
        self.body.append("DTM*472*20240501")
        if cas:
            self.body.append(cas)

    def _paid(self, pcn: str, icn: str) -> None:
        charge = self.rnd.randint(5_000, 60_000)
        pr = self.rnd.randint(0, charge // 5)
        co = self.rnd.randint(0, (charge - pr) // 2)
        paid = charge - pr - co
        self._clp(pcn, "1", charge, paid, pr, icn)
        parts = []
        if pr:
            parts.append(f"CAS*PR*2*{money(pr)}")
        if co:
            parts.append(f"CAS*CO*45*{money(co)}")
        self._line(charge, paid, parts[0] if parts else None)
        self.body.extend(parts[1:])

    def _denied(self, pcn: str, icn: str) -> None:
        charge = self.rnd.randint(5_000, 90_000)
        carc = self.rnd.choice(DENIAL_CARCS)
        self._clp(pcn, "1", charge, 0, 0, icn)
        self._line(charge, 0, f"CAS*CO*{carc}*{money(charge)}")
        self.totals.denied_claims += 1

    def _partial(self, pcn: str, icn: str) -> None:
        first = self.rnd.randint(5_000, 30_000)
        second = self.rnd.randint(5_000, 30_000)
        co = self.rnd.randint(0, first // 3)
        self._clp(pcn, "1", first + second, first - co, 0, icn)
        self._line(first, first - co, f"CAS*CO*45*{money(co)}" if co else None)
        self._line(second, 0, f"CAS*CO*50*{money(second)}", code="80053")
        self.totals.partially_denied_claims += 1

    def _deductible(self, pcn: str, icn: str) -> None:
        charge = self.rnd.randint(5_000, 20_000)
        self._clp(pcn, "1", charge, 0, charge, icn)
        self._line(charge, 0, f"CAS*PR*1*{money(charge)}")

    def _part_a(self, pcn: str, icn: str) -> None:
        charge = self.rnd.randint(100_000, 900_000)
        co = self.rnd.randint(0, charge // 2)
        self._clp(pcn, "1", charge, charge - co, 0, icn)
        self.body.insert(len(self.body) - 1, f"CAS*CO*45*{money(co)}")

    def _predetermination(self, pcn: str, icn: str) -> None:
        charge = self.rnd.randint(5_000, 50_000)
        self._clp(pcn, "25", charge, 0, 0, icn)
        self._line(charge, 0, f"CAS*OA*101*{money(charge)}")

    def _reversal_pair(self, pcn: str, icn: str) -> None:
        charge = self.rnd.randint(5_000, 50_000)
        co = self.rnd.randint(0, charge // 3)
        paid = charge - co
        self._clp(pcn, "22", -charge, -paid, 0, icn)
        self._line(-charge, -paid, f"CAS*CO*45*{money(-co)}" if co else None)
        self.totals.reversals += 1
        self.totals.claims += 1
        self._clp(pcn, "1", charge, paid, 0, icn + "C")
        self._line(charge, paid, f"CAS*CO*45*{money(co)}" if co else None)

    def provider_adjustments(self) -> int:
        interest = self.rnd.randint(1, 5_000)
        line = f"PLB*1234567893*20241231*L6:INT*{money(-interest)}"
        total = -interest
        if self.rnd.random() < 0.3:
            takeback = self.rnd.randint(1, 20_000)
            line += f"*WO:X{self.rnd.randint(0, 10**8):09d}*{money(takeback)}"
            total += takeback
        self.body.append(line)
        return total


def write_remittance(
    path: str | Path,
    *,
    claims: int = 500_000,
    claims_per_transaction: int = 1_000,
    seed: int = 835,
) -> BuiltTotals:
    """Write a balanced 835 (one ISA/GS, ST loops of ``claims_per_transaction``) and its totals.

    ``claims`` counts the claims that are not reversals; each reversal pair adds one CLP loop more.
    """
    rnd = random.Random(seed)
    totals = BuiltTotals()
    isa = (
        "ISA*00*          *00*          *ZZ*BENCHPAYER     *ZZ*BENCHPROVIDER  *240510*1200*^*00501"
        "*000000001*0*P*:~"
    )
    with open(path, "w", encoding="ascii", newline="") as out:
        out.write(isa)
        out.write("GS*HP*BENCHPAYER*BENCHPROVIDER*20240510*1200*1*X*005010X221A1~")
        written = 2
        st_count = 0
        for start in range(0, claims, claims_per_transaction):
            st_count += 1
            txn = _Transaction(rnd, totals)
            for number in range(start, min(start + claims_per_transaction, claims)):
                txn.claim(number)
            plb = txn.provider_adjustments()
            payment = txn.paid - plb
            totals.provider_adjustments += plb
            totals.payment += payment
            header = [
                f"ST*835*{st_count:04d}",
                f"BPR*I*{money(payment)}*C*ACH*CCP*01*999999999*DA*123456*1512345678**01*"
                "999988880*DA*98765*20240510",
                f"TRN*1*{st_count:010d}*1512345678",
                "DTM*405*20240510",
                "N1*PR*BENCH HEALTH PLAN",
                "REF*2U*87726",
                "N1*PE*BENCH GENERAL HOSPITAL*XX*1234567893",
                "LX*1",
            ]
            segments = header + txn.body
            out.write("~".join(segments))
            out.write(f"~SE*{len(segments) + 1}*{st_count:04d}~")
            written += len(segments) + 1
        out.write(f"GE*{st_count}*1~IEA*1*000000001~")
        written += 2
    totals.transactions = st_count
    totals.segments = written
    totals.bytes = Path(path).stat().st_size
    return totals
