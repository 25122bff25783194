"""National Provider Identifiers: the Luhn check digit computed with the 80840 prefix (CMS)."""

from __future__ import annotations

NPI_PREFIX = "80840"


def luhn_check_digit(payload: str) -> int:
    """The digit that makes ``payload + digit`` pass the Luhn test."""
    total = 0
    # Walk from the right: the digit next to the (future) check digit is doubled.
    for i, ch in enumerate(reversed(payload)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return (10 - total % 10) % 10


def npi_from_base(base9: str) -> str:
    """A 10-digit NPI from its first nine digits (which must start with 1 or 2)."""
    if len(base9) != 9 or not base9.isdigit() or base9[0] not in "12":
        raise ValueError(f"NPI base must be 9 digits starting with 1 or 2: {base9!r}")
    return base9 + str(luhn_check_digit(NPI_PREFIX + base9))


def is_valid_npi(npi: str) -> bool:
    if len(npi) != 10 or not npi.isdigit() or npi[0] not in "12":
        return False
    return luhn_check_digit(NPI_PREFIX + npi[:9]) == int(npi[9])
