"""Hand-built X12 for ingest tests: small, readable, with the segment counts right."""

from __future__ import annotations


def _isa(sender: str, receiver: str, control: str, usage: str, date="240510", time="1200") -> str:
    return (
        f"ISA*00*          *00*          *ZZ*{sender:<15}*ZZ*{receiver:<15}*{date}*{time}*^*00501*"
        f"{control}*0*{usage}*:~"
    )


def remit_835(
    claims: list[list[str]],
    *,
    payment: str,
    trace: str = "TRACE1",
    production: str = "20240510",
    payer_id: str = "ACME01",
    payer_name: str = "ACME HEALTH",
    control: str = "000000101",
    usage: str = "P",
    plb: list[str] | None = None,
) -> bytes:
    """One interchange with one 835; ``claims`` are CLP loops (lists of segments without ~)."""
    body = [
        "ST*835*0001",
        f"BPR*I*{payment}*C*ACH*CCP*01*999999999*DA*123456*1512345678**01*999988880*DA*98765*"
        f"{production}",
        f"TRN*1*{trace}*1512345678",
        f"DTM*405*{production}",
        f"N1*PR*{payer_name}*XV*{payer_id}",
        "N1*PE*ZZTEST CLINIC*XX*1234567893",
        "LX*1",
    ]
    for clp in claims:
        body.extend(clp)
    body.extend(plb or [])
    body.append(f"SE*{len(body) + 1}*0001")
    segments = [
        _isa("PAYER", "HOSPITAL", control, usage),
        f"GS*HP*PAYER*HOSPITAL*{production}*1200*{int(control)}*X*005010X221A1",
        *body,
        f"GE*1*{int(control)}",
        f"IEA*1*{control}",
    ]
    return "~\n".join(s.rstrip("~") for s in segments).encode() + b"~\n"


# KPI.md's worked example (May 2024).
WORKED_EXAMPLE = [
    ["CLP*A1*1*100*80*20*12*X1*11*1", "CAS*PR*2*20"],
    ["CLP*A2*1*300*0*0*12*X2*11*1", "CAS*CO*197*300"],
    [
        "CLP*A3*1*500*300*0*12*X3*11*1",
        "SVC*HC:99213*200*0**1",
        "CAS*CO*50*200",
        "SVC*HC:80053*300*300**1",
    ],
]
