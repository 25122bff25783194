"""The rules the checks apply, in plain Python: the reference the SQL and GX forms are tested
against (tests/checks/test_rules.py) and the text the Data quality page shows."""

from __future__ import annotations

import re

# ICD-10-CM: letter (not U, reserved), digit, alphanumeric, then up to 4 more characters; 837s
# carry codes without the dot, people type them with it.
ICD10_CM = r"^[A-TV-Z][0-9][0-9A-Z](?:\.?[0-9A-Z]{1,4})?$"
# CPT category I (5 digits), II (4 digits + F), III (4 digits + T), PLA (4 digits + U);
# HCPCS level II (a letter A-V + 4 digits).
CPT_HCPCS = r"^(?:[0-9]{4}[0-9FTU]|[A-V][0-9]{4})$"
# UB-04 revenue codes: 4 digits (leading zero included, e.g. 0450).
REVENUE_CODE = r"^[0-9]{4}$"
# ICD-10-CM diagnosis qualifiers on 837 HI segments (BK/BF are ICD-9).
ICD10_QUALIFIERS = ("ABK", "ABF", "ABJ", "APR", "ABN")
NPI_PREFIX = "80840"  # the card issuer prefix the NPI's Luhn check digit is computed with


def npi_valid(npi: str | None) -> bool:
    """10 digits whose last is the Luhn check digit of ``80840`` + the first 9."""
    if npi is None or not re.fullmatch(r"[0-9]{10}", npi):
        return False
    total = 0
    for i, ch in enumerate(reversed(NPI_PREFIX + npi[:9])):
        d = int(ch)
        if i % 2 == 0:  # rightmost payload digit is doubled (the check digit is appended after)
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return (total + int(npi[9])) % 10 == 0


def npi_luhn_sql(expr: str) -> str:
    """SQL (both backends) that is true when the 10-digit ``expr`` carries a valid check digit.
    ``80840`` contributes 24 to the Luhn sum; digits 1, 3, 5, 7, 9 are doubled."""

    def digit(i: int) -> str:
        return f"CAST(substr({expr}, {i}, 1) AS INTEGER)"

    terms = ["24"]
    for i in range(1, 10):
        d = digit(i)
        terms.append(f"(2 * {d} - CASE WHEN {d} > 4 THEN 9 ELSE 0 END)" if i % 2 else d)
    terms.append(digit(10))
    return f"(({' + '.join(terms)}) % 10 = 0)"


def matches(pattern: str, value: str | None) -> bool:
    return value is not None and re.match(pattern, value) is not None
