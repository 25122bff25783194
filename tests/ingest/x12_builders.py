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


def _envelope(
    body: list[str],
    *,
    sender: str,
    receiver: str,
    control: str,
    gs_code: str,
    version: str,
    date: str,
    time: str = "1200",
    usage: str = "P",
) -> bytes:
    segments = [
        _isa(sender, receiver, control, usage, date=date[2:], time=time),
        f"GS*{gs_code}*{sender}*{receiver}*{date}*{time}*{int(control)}*X*{version}",
        *body,
        f"GE*1*{int(control)}",
        f"IEA*1*{control}",
    ]
    return "~\n".join(segments).encode() + b"~\n"


def claims_837(
    claims: list[dict],
    *,
    control: str = "000000501",
    st: str = "0001",
    bht: str = "BATCH1",
    date: str = "20240501",
    payer_id: str = "ACME01",
    usage: str = "P",
) -> bytes:
    """One 837P with one billing provider, one subscriber per claim. Each claim dict: pcn,
    charge (dollars, str), optional freq (1/7/8), f8 (REF*F8), member, service (CCYYMMDD)."""
    body = [
        f"ST*837*{st}*005010X222A1",
        f"BHT*0019*00*{bht}*{date}*1200*CH",
        "NM1*41*2*ZZTEST CLINIC*****46*CLINIC01",
        "PER*IC*BILLING*TE*5555550100",
        "NM1*40*2*CLEARING HOUSE*****46*CLEARHOUSE",
        "HL*1**20*1",
        "NM1*85*2*ZZTEST CLINIC*****XX*1234567893",
        "N3*1 MAIN ST",
        "N4*LAKEVIEW*IL*609910001",
        "REF*EI*991000001",
    ]
    hl = 1
    for c in claims:
        hl += 1
        freq = c.get("freq", "1")
        body += [
            f"HL*{hl}*1*22*0",
            "SBR*P*18*******CI",
            f"NM1*IL*1*ZZTEST*PAT{hl}****MI*{c.get('member', f'ZZM{hl:04d}')}",
            "DMG*D8*19800101*F",
            f"NM1*PR*2*ACME HEALTH*****PI*{payer_id}",
            f"CLM*{c['pcn']}*{c['charge']}***11:B:{freq}*Y*A*Y*Y",
        ]
        if c.get("f8"):
            body.append(f"REF*F8*{c['f8']}")
        body += [
            "HI*ABK:J209",
            "LX*1",
            f"SV1*HC:99213*{c['charge']}*UN*1***1",
            f"DTP*472*D8*{c.get('service', '20240428')}",
        ]
    body.append(f"SE*{len(body) + 1}*{st}")
    return _envelope(body, sender="HOSPITAL", receiver="CLEARHOUSE", control=control,
                     gs_code="HC", version="005010X222A1", date=date, usage=usage)  # fmt: skip


def ack_999(
    *,
    group: str,
    sets: list[tuple[str, str]] | None,
    ak9: str,
    control: str = "000000601",
    date: str = "20240501",
    time: str = "1300",
) -> bytes:
    """A 999 answering the 837 group ``group`` (its GS06): ``sets`` [(ST02, IK5 code)], or None
    for a group-level answer (AK9 only)."""
    body = ["ST*999*0001*005010X231A1", f"AK1*HC*{group}*005010X222A1"]
    for st, code in sets or []:
        body += [f"AK2*837*{st}*005010X222A1"]
        if code in ("R", "E"):
            body += ["IK3*NM1*8*2010BA*8", "IK4*9**7*ZZM0002"]
        body.append(f"IK5*{code}")
    n = len(sets or [])
    accepted = sum(1 for _, c in sets or [] if c in ("A", "E"))
    body.append(f"AK9*{ak9}*{n or 1}*{n or 1}*{accepted if sets else (1 if ak9 == 'A' else 0)}")
    body.append(f"SE*{len(body) + 1}*0001")
    return _envelope(body, sender="CLEARHOUSE", receiver="HOSPITAL", control=control,
                     gs_code="FA", version="005010X231A1", date=date, time=time)  # fmt: skip


def status_277ca(
    claims: list[tuple[str, str]],
    *,
    batch: str = "BATCH1",
    provider_category: str = "A1",
    control: str = "000000701",
    date: str = "20240502",
) -> bytes:
    """A 277CA for one provider: claims [(pcn, STC01-1 category)] under a provider-level
    status ``provider_category`` (A3 rejects every claim beneath)."""
    body = [
        "ST*277*0001*005010X214",
        f"BHT*0085*08*277CA{control}*{date}*1300*TH",
        "HL*1**20*1",
        "NM1*PR*2*ACME HEALTH*****PI*ACME01",
        f"TRN*1*{control}",
        f"DTP*050*D8*{date}",
        f"DTP*009*D8*{date}",
        "HL*2*1*21*1",
        "NM1*41*2*ZZTEST CLINIC*****46*CLINIC01",
        f"TRN*2*{batch}",
        f"STC*A1:19:PR*{date}*WQ*100",
        "HL*3*2*19*1",
        "NM1*85*2*ZZTEST CLINIC*****XX*1234567893",
        f"TRN*1*{batch}-P",
        f"STC*{provider_category}:19:85*{date}*WQ*100",
    ]
    hl = 3
    for pcn, category in claims:
        hl += 1
        body += [
            f"HL*{hl}*3*PT",
            "NM1*QC*1*ZZTEST*PATIENT****MI*ZZM0001",
            f"TRN*2*{pcn}",
            f"STC*{category}:20:PR*{date}*WQ*100",
            "DTP*472*D8*20240428",
        ]
    body.append(f"SE*{len(body) + 1}*0001")
    return _envelope(body, sender="CLEARHOUSE", receiver="HOSPITAL", control=control,
                     gs_code="HN", version="005010X214", date=date)  # fmt: skip
