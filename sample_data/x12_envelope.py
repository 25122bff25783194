"""X12 005010 envelopes (ISA/GS/ST) and the formatting every generated file shares.

Separators: ``*`` element, ``:`` component, ``^`` repetition, ``~`` segment terminator followed
by a newline (files stay readable; readers must accept both). Money is formatted from integer
cents, never through floats.
"""

from __future__ import annotations

from datetime import datetime

ELEMENT = "*"
COMPONENT = ":"
TERMINATOR = "~\n"


def money(cents: int) -> str:
    """X12 decimal from cents: 12345 -> '123.45', -5 -> '-0.05', 0 -> '0'."""
    if cents == 0:
        return "0"
    if cents < 0:
        return "-" + money(-cents)
    whole, frac = divmod(cents, 100)
    return f"{whole}.{frac:02d}" if frac else str(whole)


def isa(sender: str, receiver: str, at: datetime, control: int, usage: str = "P") -> str:
    return (
        f"ISA*00*          *00*          *ZZ*{sender:<15}*ZZ*{receiver:<15}*"
        f"{at:%y%m%d}*{at:%H%M}*^*00501*{control:09d}*0*{usage}*:"
    )


def gs(functional_id: str, sender: str, receiver: str, at: datetime, control: int,
       version: str) -> str:  # fmt: skip
    return f"GS*{functional_id}*{sender}*{receiver}*{at:%Y%m%d}*{at:%H%M}*{control}*X*{version}"


def trailer(segments_in_set: int, st_control: str) -> str:
    return f"SE*{segments_in_set}*{st_control}"


def close_interchange(groups: int, sets: int, control: int) -> list[str]:
    return [f"GE*{sets}*{control}", f"IEA*{groups}*{control:09d}"]
