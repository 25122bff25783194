"""Hand-built X12 for tests: write segments with any separators and a correct envelope."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path


def isa(
    *,
    element: str = "*",
    component: str = ":",
    repetition: str = "^",
    usage: str = "P",
    version: str = "00501",
    control: str = "000000001",
) -> str:
    """A standard 105-character ISA (its terminator is added by the caller)."""
    e = element
    fields = [
        "ISA", "00", " " * 10, "00", " " * 10, "ZZ", "SENDER".ljust(15), "ZZ",
        "RECEIVER".ljust(15), "240510", "1200", repetition, version, control, "0", usage,
        component,
    ]  # fmt: skip
    return e.join(fields)


def interchange(
    transactions: Sequence[Sequence[str]],
    *,
    element: str = "*",
    component: str = ":",
    repetition: str = "^",
    terminator: str = "~",
    after: str = "",
    usage: str = "P",
    version: str = "00501",
    gs_version: str = "005010X221A1",
    control: str = "000000001",
    set_id: str = "835",
) -> str:
    """ISA/GS/ST..SE*/GE/IEA around the given transaction bodies, with correct counts.

    Segments in the bodies are written with ``*`` and translated to ``element``; ``after`` follows
    every terminator (``"\\n"``, ``"\\r\\n"``, indentation...).
    """
    out = [isa(element="*", component=component, repetition=repetition, usage=usage,
               version=version, control=control)]  # fmt: skip
    out.append(f"GS*HP*SENDER*RECEIVER*20240510*1200*1*X*{gs_version}")
    for n, body in enumerate(transactions, start=1):
        out.append(f"ST*{set_id}*{n:04d}")
        out.extend(body)
        out.append(f"SE*{len(body) + 2}*{n:04d}")
    out.append(f"GE*{len(transactions)}*1")
    out.append(f"IEA*1*{control}")
    text = "".join(seg + terminator + after for seg in out)
    return text.replace("*", element) if element != "*" else text


def bare(segments: Sequence[str], *, terminator: str = "~") -> str:
    """Segments as given (no envelope added)."""
    return "".join(seg + terminator for seg in segments)


def write(tmp_path: Path, text: str | bytes, name: str = "file.835") -> Path:
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode("latin-1"))
    return path


HEADER = [
    "BPR*I*{paid}*C*ACH*CCP*01*999999999*DA*123456*1512345678**01*999988880*DA*98765*20240510",
    "TRN*1*CHECK0001*1512345678",
    "DTM*405*20240510",
    "N1*PR*ACME HEALTH PLAN*XV*87726",
    "REF*2U*PAYER2U",
    "N1*PE*GENERAL HOSPITAL*XX*1234567893",
    "REF*TJ*991234567",
    "LX*1",
]


def remittance(paid: str, claims: Sequence[str], trailer: Sequence[str] = ()) -> list[str]:
    """One 835 transaction body: the standard header with BPR02 = ``paid``, then the claims."""
    return [HEADER[0].format(paid=paid), *HEADER[1:], *claims, *trailer]
