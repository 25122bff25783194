"""X12 fragments of one claim: its 837 loops (2000B subscriber, 2000C patient, 2300 claim) and
its 835 CLP loops. Envelopes and hierarchical numbering are added when the day's files are
assembled (``clearinghouse_files``), so a fragment is independent of its neighbours.
"""

from __future__ import annotations

from datetime import date

from sample_data.health_system import STATE
from sample_data.x12_envelope import money

_D8: dict[date, str] = {}


def d8(d: date) -> str:
    """CCYYMMDD (memoised: a generation uses a few hundred distinct dates, millions of times)."""
    text = _D8.get(d)
    if text is None:
        text = _D8[d] = f"{d.year:04d}{d.month:02d}{d.day:02d}"
    return text


def subscriber_segments(claim, sequence: str = "P") -> list[str]:
    p = claim.patient
    payer = claim.payer
    sub = p.subscriber or p.person
    rel = "18" if p.subscriber is None else ""
    segs = [
        f"SBR*{sequence}*{rel}*{p.group_number}******{payer.filing_indicator}",
        f"NM1*IL*1*{sub.last}*{sub.first}****MI*{p.member_id}",
        f"N3*{p.address}",
        f"N4*{p.city}*{STATE}*{p.zip}",
        f"DMG*D8*{d8(sub.birth_date)}*{sub.sex}",
        f"NM1*PR*2*{payer.name}*****PI*{payer.id_837}",
    ]
    return segs


def patient_segments(claim) -> list[str]:
    p = claim.patient
    if p.subscriber is None:
        return []
    return [
        f"PAT*{p.relationship}",
        f"NM1*QC*1*{p.person.last}*{p.person.first}",
        f"N3*{p.address}",
        f"N4*{p.city}*{STATE}*{p.zip}",
        f"DMG*D8*{d8(p.person.birth_date)}*{p.person.sex}",
    ]


def claim_segments(claim, frequency: str, payer_claim_number: str) -> list[str]:
    if claim.claim_type == "P":
        return _professional(claim, frequency, payer_claim_number)
    return _institutional(claim, frequency, payer_claim_number)


def _refs(claim, payer_claim_number: str) -> list[str]:
    segs = []
    if claim.auth_number:
        segs.append(f"REF*G1*{claim.auth_number}")
    if payer_claim_number:
        segs.append(f"REF*F8*{payer_claim_number}")
    segs.append(f"REF*EA*{claim.patient.mrn}")
    return segs


def _professional(claim, frequency: str, payer_claim_number: str) -> list[str]:
    segs = [f"CLM*{claim.pcn}*{money(claim.charge)}***{claim.pos}:B:{frequency}*Y*A*Y*Y"]
    segs += _refs(claim, payer_claim_number)
    dx = claim.diagnoses
    segs.append("HI*ABK:" + dx[0] + "".join(f"*ABF:{c}" for c in dx[1:]))
    r = claim.provider
    segs.append(f"NM1*82*1*{r[0]}*{r[1]}****XX*{r[2]}")
    f = claim.service_facility
    segs += [f"NM1*77*2*{f.name}*****XX*{f.npi}", f"N3*{f.address}", f"N4*{f.city}*{STATE}*{f.zip}"]
    pointers = ":".join(str(i + 1) for i in range(min(4, len(dx))))
    for n, line in enumerate(claim.lines, start=1):
        code = line.code + (":" + line.modifier if line.modifier else "")
        segs += [
            f"LX*{n}",
            f"SV1*HC:{code}*{money(line.charge)}*UN*{line.units}***{pointers}",
            f"DTP*472*D8*{d8(line.service_date)}",
            f"REF*6R*{claim.pcn}L{n}",
        ]
    return segs


def _institutional(claim, frequency: str, payer_claim_number: str) -> list[str]:
    bill = claim.bill_type
    segs = [
        f"CLM*{claim.pcn}*{money(claim.charge)}***{bill[:2]}:A:{frequency}**A*Y*Y",
        f"DTP*434*RD8*{d8(claim.service_from)}-{d8(claim.service_to)}",
    ]
    inpatient = bill.startswith("11")
    if inpatient:
        segs.append(f"DTP*435*D8*{d8(claim.service_from)}")
        segs.append("CL1*1*7*01")
    else:
        segs.append("CL1*1**01" if claim.kind == "ed" else "CL1*3**01")
    segs += _refs(claim, payer_claim_number)
    dx = claim.diagnoses
    segs.append(f"HI*ABK:{dx[0]}")
    if inpatient:
        segs.append(f"HI*ABJ:{dx[0]}")
    if len(dx) > 1:
        segs.append("HI*" + "*".join(f"ABF:{c}" for c in dx[1:]))
    r = claim.provider
    segs.append(f"NM1*71*1*{r[0]}*{r[1]}****XX*{r[2]}")
    if claim.service_facility_loop:
        f = claim.service_facility
        segs += [
            f"NM1*77*2*{f.name}*****XX*{f.npi}",
            f"N3*{f.address}",
            f"N4*{f.city}*{STATE}*{f.zip}",
        ]
    for n, line in enumerate(claim.lines, start=1):
        proc = f"HC:{line.code}" if line.code else ""
        segs += [
            f"LX*{n}",
            f"SV2*{line.revenue_code}*{proc}*{money(line.charge)}*UN*{line.units}",
            f"DTP*472*D8*{d8(line.service_date)}",
            f"REF*6R*{claim.pcn}L{n}",
        ]
    return segs


def _cas(group: str, triplets: list[tuple[str, int]]) -> list[str]:
    """CAS segments of one group: at most 6 (reason, amount) triplets per segment."""
    segs = []
    for i in range(0, len(triplets), 6):
        chunk = triplets[i : i + 6]
        segs.append(f"CAS*{group}*" + "*".join(f"{r}*{money(a)}*" for r, a in chunk).rstrip("*"))
    return segs


def cas_segments(adjustments: list[tuple[str, str, int]]) -> list[str]:
    """Group (group, carc, amount) adjustments by CAS group, in a stable group order."""
    by_group: dict[str, list[tuple[str, int]]] = {}
    for group, carc, amount in adjustments:
        if amount:
            by_group.setdefault(group, []).append((carc, amount))
    segs = []
    for group in ("CO", "OA", "PI", "PR"):
        if group in by_group:
            segs += _cas(group, by_group[group])
    return segs


def clp_segments(claim, adj) -> list[str]:
    """One CLP loop (2100) with its service lines (2110) from an ``Adjudication``."""
    pr = money(adj.patient_resp) if adj.patient_resp else ""
    segs = [
        f"CLP*{claim.pcn}*{adj.status}*{money(adj.charge)}*{money(adj.paid)}*{pr}*"
        f"{adj.filing_code}*{adj.payer_claim_number}*{claim.facility_type_code}*1"
    ]
    segs += cas_segments(adj.claim_adjustments)
    p = claim.patient
    segs.append(f"NM1*QC*1*{p.person.last}*{p.person.first}****MI*{p.member_id}")
    if p.subscriber is not None:
        segs.append(f"NM1*IL*1*{p.subscriber.last}*{p.subscriber.first}****MI*{p.member_id}")
    if adj.claim_remarks:
        segs.append("MOA***" + "*".join(adj.claim_remarks))
    segs.append(f"DTM*232*{d8(claim.service_from)}")
    segs.append(f"DTM*233*{d8(claim.service_to)}")
    for ln in adj.lines:
        line = ln.line
        if line.code:
            code = "HC:" + line.code + (":" + line.modifier if line.modifier else "")
        else:
            code = "NU:" + line.revenue_code
        rev = line.revenue_code if (line.revenue_code and line.code) else ""
        segs.append(f"SVC*{code}*{money(ln.charge)}*{money(ln.paid)}*{rev}*{line.units}")
        segs.append(f"DTM*472*{d8(line.service_date)}")
        segs += cas_segments(ln.adjustments)
        segs.append(f"REF*6R*{claim.pcn}L{line.number}")
        if ln.allowed is not None:
            segs.append(f"AMT*B6*{money(ln.allowed)}")
        for remark in ln.remarks:
            segs.append(f"LQ*HE*{remark}")
    return segs
