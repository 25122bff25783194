"""The CARC → denial category table (KPI.md §2) as versioned data, and the fixed code sets.

Version 1 is ``carc_categories_v1.csv`` next to this module, exactly KPI.md's table; ``rcmwatch
init`` seeds it into the store, and later versions exist only in the store (changed through an
approved request, audited). Every KPI output names the version it used, so a map carries its
version and a content hash over its sorted rows.

The *non-denial set* and the *pending* code are part of the definition of "denial adjustment"
(KPI.md), not of the category table, so they are constants here rather than data.
"""

from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

# Contractual and cost-sharing CARCs: an adjustment with one of these is never a denial.
NON_DENIAL_CARCS: frozenset[str] = frozenset(
    {"1", "2", "3", "23", "24", "42", "45", "59", "66", "94", "100", "104", "131", "144", "187",
     "237", "253", "A2"}
)  # fmt: skip
# 133: "claim pending further review" is not final, hence not a denial.
PENDING_CARCS: frozenset[str] = frozenset({"133"})

CATEGORIES: tuple[str, ...] = (
    "eligibility",
    "authorization",
    "medical_necessity",
    "coding",
    "missing_information",
    "timely_filing",
    "duplicate",
    "non_covered",
    "network",
    "coordination_of_benefits",
    "provider_enrollment",
    "other",
)
OTHER = "other"

_HERE = Path(__file__).parent


@dataclass(frozen=True)
class CarcMap:
    version: int
    content_hash: str
    category_of: dict[str, str]

    def category(self, carc: str) -> str:
        return self.category_of.get(normalise_carc(carc), OTHER)


def normalise_carc(carc: str) -> str:
    """Payers send '045' and '45' for the same code; alphanumeric codes are upper case."""
    carc = carc.strip().upper()
    if carc.isdigit():
        return carc.lstrip("0") or "0"
    return carc


def content_hash(rows: list[tuple[str, str]]) -> str:
    digest = hashlib.sha256()
    for carc, category in sorted(rows):
        digest.update(f"{carc},{category}\n".encode())
    return digest.hexdigest()


def map_from_rows(version: int, rows: list[tuple[str, str]]) -> CarcMap:
    unknown = {cat for _, cat in rows} - set(CATEGORIES)
    if unknown:
        raise ValueError(f"unknown denial categories: {sorted(unknown)}")
    normalised = [(normalise_carc(c), cat) for c, cat in rows]
    return CarcMap(version, content_hash(normalised), dict(normalised))


@cache
def builtin_carc_map(version: int = 1) -> CarcMap:
    """The map shipped with the code (only version 1 ships; later ones live in the store)."""
    path = _HERE / f"carc_categories_v{version}.csv"
    with path.open(newline="") as fh:
        rows = [(r["carc"], r["category"]) for r in csv.DictReader(fh)]
    return map_from_rows(version, rows)
