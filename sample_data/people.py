"""Synthetic patients and subscribers, obviously not real people.

Rules (tested): every last name starts with ``ZZTEST``; MRNs start with ``ZZM``; member ids
start with ``ZZ``; streets are invented. A patient is derived from its index alone (a keyed hash,
nothing held in memory), so the same patient looks the same in every chunk that bills them.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, timedelta

from sample_data.health_system import CITIES, INSURED_PAYERS, Payer

SURNAME_PREFIX = "ZZTEST"
MRN_PREFIX = "ZZM"
MEMBER_PREFIX = "ZZ"

_SURNAMES = (
    "ALDER",
    "BIRCH",
    "CEDAR",
    "DUNE",
    "ELM",
    "FERN",
    "GROVE",
    "HAZEL",
    "IRIS",
    "JUNIPER",
    "KESTREL",
    "LARCH",
    "MAPLE",
    "NUTMEG",
    "OAK",
    "PINE",
    "QUARRY",
    "REED",
    "SPRUCE",
    "THISTLE",
    "UMBER",
    "VALE",
    "WILLOW",
    "YARROW",
    "ASPEN",
    "BRACKEN",
    "CLOVER",
    "DELL",
    "EMBER",
    "FINCH",
)
_FIRST_F = (
    "ANNA",
    "BETH",
    "CARLA",
    "DANA",
    "ELLA",
    "FAYE",
    "GINA",
    "HOPE",
    "IVY",
    "JUNE",
    "KAYLA",
    "LENA",
    "MIA",
    "NORA",
    "OLIVE",
    "PAULA",
    "ROSA",
    "SARA",
    "TESSA",
    "VERA",
)
_FIRST_M = (
    "ADAM",
    "BRUNO",
    "CARL",
    "DEAN",
    "ELI",
    "FRED",
    "GUS",
    "HANK",
    "IAN",
    "JOEL",
    "KARL",
    "LEO",
    "MILO",
    "NED",
    "OTTO",
    "PETE",
    "ROY",
    "SETH",
    "TODD",
    "WADE",
)
_STREETS = ("SYNTHETIC", "SAMPLE", "EXAMPLE", "TESTING", "MOCKINGBIRD", "PLACEHOLDER")


@dataclass(frozen=True)
class Person:
    last: str
    first: str
    birth_date: date
    sex: str


@dataclass(frozen=True)
class Patient:
    index: int
    mrn: str
    person: Person
    address: str
    city: str
    zip: str
    payer: Payer  # primary coverage
    member_id: str
    group_number: str
    subscriber: Person | None  # None: the patient is the subscriber
    relationship: str  # 18 self, 01 spouse, 19 child
    dual_eligible: bool  # Medicare primary with Medicaid secondary (crossover)


def _h(seed: int, index: int) -> bytes:
    return hashlib.blake2b(f"{seed}:{index}".encode(), digest_size=32).digest()


def _person(b: bytes, off: int, min_age: int, max_age: int, ref: date) -> Person:
    sex = "F" if b[off] % 2 else "M"
    first = (_FIRST_F if sex == "F" else _FIRST_M)[b[off + 1] % 20]
    last = SURNAME_PREFIX + _SURNAMES[b[off + 2] % len(_SURNAMES)]
    age_days = min_age * 365 + int.from_bytes(b[off + 3 : off + 6], "big") % (
        (max_age - min_age) * 365 + 1
    )
    return Person(last, first, ref - timedelta(days=age_days), sex)


_PAYER_CUM: list[tuple[float, Payer]] = []
_acc = 0.0
for _p in INSURED_PAYERS:
    _acc += _p.claim_share
    _PAYER_CUM.append((_acc, _p))


def patient(seed: int, index: int, ref: date) -> Patient:
    """Patient number ``index`` of the system built with ``seed`` (ages relative to ``ref``)."""
    b = _h(seed, index)
    u = int.from_bytes(b[0:4], "big") / 2**32
    payer = _PAYER_CUM[-1][1]
    for cum, p in _PAYER_CUM:
        if u < cum:
            payer = p
            break
    if payer.payer_class == "medicare":
        person = _person(b, 4, 65, 95, ref)
    elif payer.payer_class == "medicaid":
        person = _person(b, 4, 0, 60, ref)
    else:
        person = _person(b, 4, 0, 64, ref)
    subscriber = None
    relationship = "18"
    if payer.payer_class == "commercial":
        age = (ref - person.birth_date).days // 365
        if age < 19:
            subscriber, relationship = _person(b, 12, 26, 60, ref), "19"
        elif b[10] % 5 == 0:
            subscriber, relationship = _person(b, 12, 20, 64, ref), "01"
        if subscriber is not None:
            subscriber = Person(
                person.last, subscriber.first, subscriber.birth_date, subscriber.sex
            )
    city, zip_ = CITIES[b[18] % len(CITIES)]
    street = f"{10 + int.from_bytes(b[19:21], 'big') % 9000} {_STREETS[b[21] % len(_STREETS)]} ST"
    member = f"{MEMBER_PREFIX}{int.from_bytes(b[22:27], 'big') % 10**9:09d}"
    group = "" if payer.payer_class != "commercial" else f"G{b[27] % 90 + 10:02d}{b[28]:03d}"
    dual = payer.code == "MCR" and b[29] % 100 < 6
    return Patient(
        index,
        f"{MRN_PREFIX}{index:09d}",
        person,
        street,
        city,
        zip_,
        payer,
        member,
        group,
        subscriber,
        relationship,
        dual,
    )
