"""The synthetic regional health system's reference data: facilities (3 hospitals, 40 clinics, a
central business office and the medical group that bills professional claims), payers by class
with their X12 identifiers, filing and appeal limits and payment habits, the fee schedule
(expected allowed per code), the business-office users, and the automation (rules and models)
whose decisions the workflow system records.

Everything here is derived from the seed alone and is small; the claim generator reads it.
"""

from __future__ import annotations

import csv
import hashlib
import random
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sample_data.code_sets import HOSP, PRO, ChargeItem
from sample_data.npi import npi_from_base

STATE = "IL"  # pyx12 validates state codes: a real state, invented cities and streets.
CITIES = (
    ("LAKEVIEW", "609910001"), ("MILLBROOK", "609920002"), ("CEDAR FALLS", "609930003"),
    ("RIVERBEND", "609940004"), ("OAKHAVEN", "609950005"), ("PRAIRIE CITY", "609960006"),
)  # fmt: skip


@dataclass(frozen=True)
class Facility:
    code: str
    name: str
    kind: str  # hospital | clinic | business_office | other
    npi: str
    tax_id: str
    address: str
    city: str
    zip: str
    parent_code: str  # the hospital whose region a clinic belongs to ("" for hospitals)
    go_live_date: date
    # Clinics owned by a hospital bill some services on the hospital's institutional claims.
    provider_based: bool = False


@dataclass(frozen=True)
class BillingEntity:
    """Who sends claims and is paid: the medical group (837P) or a hospital (837I)."""

    code: str  # PHYS | H01 | H02 | H03
    name: str
    npi: str
    tax_id: str
    claim_type: str  # P | I
    address: str
    city: str
    zip: str


@dataclass(frozen=True)
class Payer:
    code: str
    name: str
    payer_class: str  # medicare | medicaid | commercial | self_pay
    id_837: str  # 2010BB NM109
    id_835: str  # 835 N1*PR N104 (may differ from the 837 id: the reference maps both)
    trn03: str  # 835 TRN03: '1' + the payer's EIN
    filing_indicator: str  # SBR09
    timely_filing_days: int
    appeal_limit_days: int
    allowed_pct: float  # expected allowed as a share of charges (fee schedule level)
    coinsurance_pct: int  # percent of allowed
    copay_cents: int  # office-visit copay
    deductible_share: float  # share of claims hitting the deductible
    pay_weekdays: tuple[int, ...]  # weekdays (0 = Monday) the payer issues payments
    pay_lag_days: tuple[int, int]  # min/max days from receipt to adjudication
    claim_share: float  # share of insured claims
    denial_factor: float  # relative propensity to deny


PAYERS: tuple[Payer, ...] = (
    Payer("MCR", "MEDICARE PART B SYNTHETIC MAC", "medicare", "ZZ001", "ZZ001", "1990000001",
          "MB", 365, 120, 0.34, 20, 0, 0.22, (0, 1, 2, 3, 4), (14, 22), 0.20, 0.8),
    Payer("MCA", "MEDICARE PART A SYNTHETIC MAC", "medicare", "ZZ002", "ZZ002", "1990000002",
          "MA", 365, 120, 0.36, 20, 0, 0.10, (0, 1, 2, 3, 4), (14, 26), 0.0, 0.8),
    Payer("MADV", "HORIZONLINE MEDICARE ADVANTAGE", "medicare", "ZZ101", "ZZ101A", "1990000101",
          "16", 180, 65, 0.38, 0, 3500, 0.10, (1, 3), (14, 28), 0.10, 1.3),
    Payer("MCD", "STATE MEDICAID SYNTHETIC", "medicaid", "ZZ201", "ZZ201", "1990000201",
          "MC", 180, 90, 0.26, 0, 0, 0.0, (2,), (18, 34), 0.08, 1.3),
    Payer("MCDMC", "RIVERSTONE MEDICAID MANAGED CARE", "medicaid", "ZZ202", "ZZ202X", "1990000202",
          "HM", 120, 60, 0.28, 0, 0, 0.0, (0, 3), (16, 31), 0.10, 1.5),
    Payer("BLUE", "BLUEFIN HEALTH PLAN", "commercial", "ZZ301", "ZZ301", "1990000301",
          "BL", 180, 180, 0.52, 20, 3000, 0.20, (0, 2, 4), (11, 23), 0.20, 0.9),
    Payer("CEDAR", "CEDARLINE INSURANCE", "commercial", "ZZ302", "ZZ302-ERA", "1990000302",
          "CI", 90, 180, 0.55, 20, 3500, 0.22, (1, 4), (12, 25), 0.11, 1.0),
    Payer("HARBOR", "HARBORVIEW HEALTH", "commercial", "ZZ303", "ZZ303", "1990000303",
          "CI", 120, 180, 0.50, 10, 2500, 0.18, (0, 3), (13, 27), 0.09, 1.1),
    Payer("SUMMIT", "SUMMIT MUTUAL HEALTH", "commercial", "ZZ304", "ZZ304", "1990000304",
          "CI", 90, 60, 0.58, 30, 4000, 0.25, (2,), (16, 30), 0.07, 1.2),
    Payer("TRICO", "TRICORNE HMO", "commercial", "ZZ305", "ZZ305H", "1990000305",
          "HM", 90, 90, 0.48, 0, 2000, 0.05, (1, 3), (12, 24), 0.05, 1.4),
    Payer("SELF", "SELF-PAY", "self_pay", "", "", "", "", 0, 0, 0.30, 0, 0, 0.0, (), (0, 0),
          0.0, 0.0),
)  # fmt: skip

PAYER_BY_CODE = {p.code: p for p in PAYERS}
INSURED_PAYERS = tuple(p for p in PAYERS if p.claim_share > 0)
CROSSOVER_SECONDARY = "MCD"  # Medicare claims of dual-eligible patients cross over to Medicaid.


@dataclass(frozen=True)
class Decider:
    """A rule or model whose automated decisions the workflow system records."""

    kind: str  # rule | model
    name: str
    version: str
    effective_from: date
    author: str
    approver: str
    description: str

    @property
    def content_hash(self) -> str:
        return hashlib.sha256(f"{self.kind}:{self.name}:{self.version}".encode()).hexdigest()


@dataclass
class HealthSystem:
    name: str
    facilities: list[Facility]
    entities: dict[str, BillingEntity]
    payers: tuple[Payer, ...]
    users: dict[str, list[str]]  # role -> user names
    deciders: list[Decider] = field(default_factory=list)

    @property
    def hospitals(self) -> list[Facility]:
        return [f for f in self.facilities if f.kind == "hospital"]

    @property
    def clinics(self) -> list[Facility]:
        return [f for f in self.facilities if f.kind == "clinic"]

    def facility(self, code: str) -> Facility:
        return self._by_code[code]

    def __post_init__(self) -> None:
        self._by_code = {f.code: f for f in self.facilities}


CLEARINGHOUSE_ID = "ZZCLEARHOUSE"  # ISA/GS id of the clearinghouse
SUBMITTER_ID = "ZZRIVERHS"  # ISA/GS id of the health system (submitter)
SYSTEM_NAME = "RIVERVALE HEALTH (SYNTHETIC)"


def _npi(rng: random.Random, used: set[str]) -> str:
    while True:
        npi = npi_from_base("1" + f"{rng.randrange(10**8):08d}")
        if npi not in used:
            used.add(npi)
            return npi


def build_health_system(seed: int, start: date) -> HealthSystem:
    """The reference data for ``seed``; ``start`` (the first service day) dates the go-lives."""
    rng = random.Random(f"health-system:{seed}")
    used: set[str] = set()
    facilities: list[Facility] = []
    hospital_names = ("RIVERVALE MEDICAL CENTER", "NORTHGATE COMMUNITY HOSPITAL",
                      "WESTBROOK REGIONAL HOSPITAL")  # fmt: skip
    for i, name in enumerate(hospital_names, start=1):
        city, zip_ = CITIES[i - 1]
        facilities.append(
            Facility(f"H{i:02d}", name, "hospital", _npi(rng, used), f"99100000{i}",
                     f"{100 * i} HOSPITAL DRIVE", city, zip_, "", date(2015, 1, 1))
        )  # fmt: skip
    specialties = ("FAMILY MEDICINE", "INTERNAL MEDICINE", "PEDIATRICS", "ORTHOPEDICS",
                   "DERMATOLOGY", "URGENT CARE", "WOMENS HEALTH", "CARDIOLOGY")  # fmt: skip
    for i in range(1, 41):
        city, zip_ = CITIES[(i - 1) % len(CITIES)]
        parent = f"H{(i - 1) % 3 + 1:02d}"
        spec = specialties[(i - 1) % len(specialties)]
        go_live = date(2018, 1, 1) if i <= 36 else start.replace(day=1)
        facilities.append(
            Facility(f"C{i:02d}", f"{city} {spec} CLINIC", "clinic", _npi(rng, used), "",
                     f"{200 + 7 * i} CLINIC WAY", city, zip_, parent, go_live,
                     provider_based=i % 5 == 0)
        )  # fmt: skip
    facilities.append(
        Facility("CBO", "CENTRAL BUSINESS OFFICE", "business_office", _npi(rng, used), "",
                 "1 REVENUE PLAZA", CITIES[0][0], CITIES[0][1], "", date(2015, 1, 1))
    )  # fmt: skip
    phys_npi = _npi(rng, used)
    entities = {
        "PHYS": BillingEntity("PHYS", "RIVERVALE MEDICAL GROUP", phys_npi, "991000009", "P",
                              "1 REVENUE PLAZA", CITIES[0][0], CITIES[0][1]),
    }  # fmt: skip
    facilities.append(
        Facility("MG", "RIVERVALE MEDICAL GROUP (BILLING)", "other", phys_npi, "991000009",
                 "1 REVENUE PLAZA", CITIES[0][0], CITIES[0][1], "", date(2015, 1, 1))
    )  # fmt: skip
    for h in facilities[:3]:
        entities[h.code] = BillingEntity(h.code, h.name, h.npi, h.tax_id, "I", h.address,
                                         h.city, h.zip)  # fmt: skip
    users = {
        "biller": [f"zz.biller{i:02d}" for i in range(1, 13)],
        "coder": [f"zz.coder{i:02d}" for i in range(1, 7)],
        "poster": [f"zz.poster{i:02d}" for i in range(1, 6)],
        "denials": [f"zz.denials{i:02d}" for i in range(1, 9)],
        "integration": [f"zz.intops{i:02d}" for i in range(1, 4)],
        "registrar": [f"zz.registrar{i:02d}" for i in range(1, 7)],
    }
    deciders = [
        Decider("rule", "SCRUB-AUTH", "3", date(2023, 6, 1), "zz.coder01", "zz.denials01",
                "prior authorization present for procedures that need one"),
        Decider("rule", "SCRUB-NCCI", "7", date(2023, 10, 1), "zz.coder02", "zz.denials01",
                "NCCI procedure-to-procedure bundling edits"),
        Decider("rule", "SCRUB-DEMOG", "2", date(2023, 3, 1), "zz.registrar01", "zz.biller01",
                "subscriber demographics complete and consistent"),
        Decider("model", "denial-triage", "2.3", date(2023, 11, 1), "zz.denials02",
                "zz.denials01", "routes a denial to appeal, corrected claim or write-off"),
        Decider("rule", "SMALL-BAL-WO", "1", date(2022, 1, 1), "zz.biller02", "zz.biller01",
                "writes off patient balances under $10 after the final statement"),
    ]  # fmt: skip
    return HealthSystem(SYSTEM_NAME, facilities, entities, PAYERS, users, deciders)


def expected_allowed(payer: Payer, item: ChargeItem, claim_type: str) -> int:
    """The fee schedule: expected allowed cents for one unit of ``item`` from ``payer``.

    A code-specific spread (stable per code) keeps the schedule from being one flat percentage.
    """
    digest = hashlib.blake2b(f"{payer.code}:{claim_type}:{item.code}:{item.revenue_code}".encode(),
                             digest_size=2).digest()  # fmt: skip
    spread = 0.85 + (int.from_bytes(digest, "big") % 300) / 1000  # 0.85 .. 1.15
    cents = int(item.price_cents * payer.allowed_pct * spread)
    return min(cents, item.price_cents)


def fee_schedule_rows(system: HealthSystem, effective_from: date) -> list[dict[str, str]]:
    rows = []
    for payer in system.payers:
        if payer.payer_class == "self_pay":
            continue
        for claim_type, items in (("P", PRO.values()), ("I", HOSP.values())):
            seen: set[tuple[str, str]] = set()
            for item in items:
                key = (item.code, item.revenue_code)
                if key in seen:
                    continue
                seen.add(key)
                rows.append({
                    "payer_code": payer.code,
                    "claim_type": claim_type,
                    "code_system": item.code_system,
                    "code": item.code or item.revenue_code,
                    "revenue_code": item.revenue_code,
                    "modifier": "",
                    "expected_allowed": f"{expected_allowed(payer, item, claim_type) / 100:.2f}",
                    "charge": f"{item.price_cents / 100:.2f}",
                    "effective_from": effective_from.isoformat(),
                    "effective_to": "",
                })  # fmt: skip
    return rows


def write_reference(system: HealthSystem, out: Path, effective_from: date) -> dict[str, int]:
    """Write ``reference/*.csv`` (what a later import step loads) and return row counts."""
    out.mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}

    def write(name: str, rows: list[dict[str, str]]) -> None:
        with (out / name).open("w", newline="", encoding="utf-8") as fh:
            writer = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
        counts[name] = len(rows)

    facility_rows = []
    for f in system.facilities:
        entity = system.entities.get(f.code)
        facility_rows.append({
            "facility_code": f.code, "name": f.name, "kind": f.kind, "npi": f.npi,
            "tax_id": f.tax_id or (entity.tax_id if entity else ""),
            "parent_facility_code": f.parent_code, "address": f.address, "city": f.city,
            "state": STATE, "zip": f.zip, "go_live_date": f.go_live_date.isoformat(),
            "billing_entity": "PHYS" if f.code == "MG" else (f.code if entity else ""),
            "provider_based": "Y" if f.provider_based else "N",
        })  # fmt: skip
    write("facilities.csv", facility_rows)
    write("payers.csv", [
        {"payer_code": p.code, "name": p.name, "payer_class": p.payer_class,
         "payer_id_837": p.id_837, "payer_id_835": p.id_835, "trn03": p.trn03,
         "claim_filing_indicator": p.filing_indicator,
         "timely_filing_days": str(p.timely_filing_days),
         "appeal_limit_days": str(p.appeal_limit_days)}
        for p in system.payers
    ])  # fmt: skip
    write("fee_schedule.csv", fee_schedule_rows(system, effective_from))
    write("users.csv", [
        {"user_name": u, "display_name": f"ZZTEST {role.upper()} {u[-2:]}", "role": role,
         "facility_code": "CBO"}
        for role, names in system.users.items() for u in names
    ])  # fmt: skip
    return counts
