"""The code sets the synthetic health system bills with: ICD-10-CM diagnoses, a chargemaster of
CPT/HCPCS procedures and revenue codes, and the visit templates that combine them into claims.

Codes are real, valid code values (billing with invented codes would teach the readers nothing);
prices are invented. Money is integer cents.
"""

from __future__ import annotations

from dataclasses import dataclass

# ICD-10-CM diagnoses, grouped by the kind of visit they explain (stored without the dot, as in
# X12 HI segments).
DX_PRIMARY_CARE = (
    "I10", "E119", "E785", "J069", "Z0000", "Z0001", "M5450", "R05", "J029", "N390", "K219",
    "F411", "F329", "E039", "J45909", "R51", "M25561", "R1084", "Z23", "E6601", "L309", "H6590",
    "B349", "R0602", "M79601", "G4700", "R42", "Z1231", "E559", "I4891",
)  # fmt: skip
DX_EMERGENCY = (
    "R079", "R1030", "S0990XA", "S93401A", "J189", "N200", "R55", "S6290XA", "T781XXA", "R112",
    "K3580", "I214", "S52501A", "R509", "J441",
)  # fmt: skip
DX_INPATIENT = (
    "J189", "I5023", "A419", "N179", "J441", "I214", "K5720", "E871", "I639", "M1711",
)  # fmt: skip
DX_SECONDARY = ("I10", "E119", "E785", "Z7901", "Z87891", "E669", "N183", "Z794", "F17210")


@dataclass(frozen=True)
class ChargeItem:
    """One chargemaster line: what is billed (CPT/HCPCS and/or revenue code) and its price."""

    code: str  # CPT/HCPCS; "" for revenue-code-only institutional lines
    revenue_code: str  # institutional revenue code ("" on professional lines)
    price_cents: int
    code_system: str  # CPT | HCPCS | REV: the fee schedule key


def _cpt(code: str, price: int) -> ChargeItem:
    return ChargeItem(code, "", price, "HCPCS" if code[0].isalpha() else "CPT")


# Professional chargemaster (prices in cents).
PRO = {
    "99202": _cpt("99202", 14500),
    "99203": _cpt("99203", 21000),
    "99204": _cpt("99204", 32000),
    "99212": _cpt("99212", 11000),
    "99213": _cpt("99213", 17500),
    "99214": _cpt("99214", 25500),
    "99215": _cpt("99215", 34500),
    "99395": _cpt("99395", 26000),
    "99396": _cpt("99396", 28000),
    "G0439": _cpt("G0439", 21000),
    "36415": _cpt("36415", 2500),
    "80053": _cpt("80053", 6800),
    "85025": _cpt("85025", 4200),
    "83036": _cpt("83036", 5200),
    "80061": _cpt("80061", 7400),
    "71046": _cpt("71046", 14500),
    "73030": _cpt("73030", 12500),
    "72100": _cpt("72100", 13500),
    "20610": _cpt("20610", 23500),
    "17110": _cpt("17110", 19000),
    "11102": _cpt("11102", 21500),
    "69210": _cpt("69210", 9500),
    "96372": _cpt("96372", 5500),
    "J1030": _cpt("J1030", 3500),
    "J3420": _cpt("J3420", 2500),
    "90686": _cpt("90686", 4800),
    "90471": _cpt("90471", 3800),
    "99283": _cpt("99283", 31000),
    "99284": _cpt("99284", 46000),
    "99285": _cpt("99285", 68000),
    "99222": _cpt("99222", 38000),
    "99232": _cpt("99232", 19500),
    "99238": _cpt("99238", 17500),
}


def _rev(rev: str, code: str, price: int) -> ChargeItem:
    system = "REV" if not code else ("HCPCS" if code[0].isalpha() else "CPT")
    return ChargeItem(code, rev, price, system)


# Institutional (hospital) chargemaster: revenue code + HCPCS where the line carries one.
HOSP = {
    "ed3": _rev("0450", "99283", 98000),
    "ed4": _rev("0450", "99284", 165000),
    "ed5": _rev("0450", "99285", 265000),
    "cmp": _rev("0301", "80053", 21000),
    "cbc": _rev("0305", "85025", 14500),
    "trop": _rev("0301", "84484", 19500),
    "xr_chest": _rev("0324", "71046", 42000),
    "ct_head": _rev("0350", "70450", 235000),
    "ct_abd": _rev("0350", "74177", 420000),
    "ekg": _rev("0730", "93005", 24000),
    "drug": _rev("0250", "", 8500),
    "drug_inj": _rev("0636", "J1100", 6500),
    "iv": _rev("0260", "96374", 38000),
    "obs": _rev("0762", "G0378", 52000),
    "or": _rev("0360", "29881", 920000),
    "recovery": _rev("0710", "", 185000),
    "room": _rev("0120", "", 310000),
    "pt": _rev("0420", "97110", 18500),
    "supplies": _rev("0270", "", 12000),
}

# Visit templates: (weight, procedure keys with (units, modifiers), diagnosis pool).
# Professional visits (837P), billed by the physician group.
PRO_VISITS: tuple[tuple[int, tuple[tuple[str, int, str], ...], tuple[str, ...]], ...] = (
    (30, (("99213", 1, ""),), DX_PRIMARY_CARE),
    (18, (("99214", 1, ""), ("36415", 1, ""), ("80053", 1, "")), DX_PRIMARY_CARE),
    (8, (("99212", 1, ""),), DX_PRIMARY_CARE),
    (6, (("99215", 1, ""), ("83036", 1, "")), DX_PRIMARY_CARE),
    (5, (("99203", 1, ""),), DX_PRIMARY_CARE),
    (3, (("99204", 1, ""), ("71046", 1, "")), DX_PRIMARY_CARE),
    (2, (("99202", 1, ""),), DX_PRIMARY_CARE),
    (6, (("99396", 1, ""), ("80061", 1, ""), ("36415", 1, "")), ("Z0000", "Z0001")),
    (3, (("99395", 1, ""), ("85025", 1, "")), ("Z0000", "Z0001")),
    (3, (("G0439", 1, ""),), ("Z0000",)),
    (4, (("99213", 1, "25"), ("20610", 1, "RT")), ("M25561", "M1711")),
    (2, (("99214", 1, "25"), ("17110", 1, "")), ("L309",)),
    (2, (("11102", 1, ""),), ("L309",)),
    (2, (("99213", 1, ""), ("73030", 1, "LT")), ("M79601", "M25561")),
    (2, (("72100", 1, ""),), ("M5450",)),
    (2, (("69210", 1, "RT"),), ("H6590",)),
    (3, (("96372", 1, ""), ("J1030", 1, "")), ("M5450", "J45909")),
    (4, (("90686", 1, ""), ("90471", 1, "")), ("Z23",)),
    (2, (("99213", 1, "95"),), ("F411", "F329")),
    (3, (("99284", 1, ""),), DX_EMERGENCY),
    (2, (("99285", 1, ""),), DX_EMERGENCY),
    (2, (("99283", 1, ""),), DX_EMERGENCY),
    (2, (("99222", 1, ""), ("99232", 2, ""), ("99238", 1, "")), DX_INPATIENT),
)

# Institutional visits (837I), billed by a hospital: (weight, kind, lines, dx pool, bill type).
HOSP_VISITS: tuple[tuple[int, str, tuple[tuple[str, int], ...], tuple[str, ...], str], ...] = (
    (20, "ed", (("ed4", 1), ("cmp", 1), ("cbc", 1), ("drug", 2)), DX_EMERGENCY, "131"),
    (12, "ed", (("ed3", 1), ("xr_chest", 1)), DX_EMERGENCY, "131"),
    (8, "ed", (("ed5", 1), ("ct_head", 1), ("trop", 1), ("ekg", 1), ("iv", 1)), DX_EMERGENCY,
     "131"),
    (6, "ed", (("ed4", 1), ("ct_abd", 1), ("cmp", 1), ("drug_inj", 2)), DX_EMERGENCY, "131"),
    (12, "outpatient", (("cmp", 1), ("cbc", 1)), DX_PRIMARY_CARE, "131"),
    (8, "outpatient", (("xr_chest", 1),), DX_PRIMARY_CARE, "131"),
    (6, "outpatient", (("pt", 3),), ("M5450", "M25561", "M1711"), "131"),
    (4, "observation", (("obs", 18), ("ekg", 1), ("trop", 2), ("drug", 3)), DX_EMERGENCY, "131"),
    (6, "surgery", (("or", 1), ("recovery", 1), ("supplies", 4), ("drug", 2)), ("M1711",), "131"),
    (8, "inpatient", (("room", 3), ("cmp", 2), ("cbc", 2), ("drug", 6), ("supplies", 3)),
     DX_INPATIENT, "111"),
)  # fmt: skip

# Place of service per facility kind on professional claims.
POS_CLINIC = "11"
POS_HOSPITAL_OUTPATIENT = "22"
POS_ED = "23"
POS_INPATIENT = "21"
POS_TELEHEALTH = "10"
