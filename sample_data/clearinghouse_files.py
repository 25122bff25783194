"""Assemble the clearinghouse folder from the chunks' day buckets.

For every (submission day, billing entity): the 837 file the health system sent (one ST per
837 set of at most ``set_size`` claims), the clearinghouse's 999 answering it the same evening
(sender and receiver swapped, AK1-02 = GS06, AK2-02 = ST02; IK3/IK4 detail for rejected sets, AK9
P for partial acceptance), and its 277CA the next morning for the sets the 999 accepted (TRN*2 at
receiver level = the 837's BHT03, at claim level = the patient control number).

For every (payment day, payer, payee): the payer's 835, one ST (one EFT, one trace number) per
chunk, with BPR02 = ΣCLP04 − ΣPLB.

Buckets are streamed record by record (a worker's spool is in chunk order; the workers' spools
are merged by chunk number), and at most one ST is buffered at a time, so memory stays flat.
"""

from __future__ import annotations

import heapq
import itertools
import os
import resource
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from sample_data.claim_story import era_received_at, era_trace
from sample_data.health_system import (
    CLEARINGHOUSE_ID,
    PAYER_BY_CODE,
    STATE,
    SUBMITTER_ID,
    SYSTEM_NAME,
    HealthSystem,
)
from sample_data.x12_envelope import isa, money

TERM = "~\n"
V837 = {"P": "005010X222A1", "I": "005010X223A2"}
CLEARINGHOUSE_NAME = "ZZ SYNTHETIC CLEARINGHOUSE"


@dataclass(frozen=True)
class WrittenFile:
    """A file of the clearinghouse folder, for the manifest and the engine's message log."""

    path: str  # relative to the output folder
    kind: str  # 837P | 837I | 999 | 277CA | 835
    at: datetime  # sent (outbound) or received (inbound)
    entity: str
    payer: str
    transactions: int
    claims: int


def cents(text: str) -> int:
    neg = text.startswith("-")
    if neg:
        text = text[1:]
    whole, _, frac = text.partition(".")
    value = int(whole or "0") * 100 + int((frac + "00")[:2])
    return -value if neg else value


def _raise_open_file_limit() -> None:
    """The merge keeps one spool per chunk open (hundreds at millions of claims)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = hard if hard != resource.RLIM_INFINITY else 65536
    if soft != resource.RLIM_INFINITY and soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(want, 65536), hard))


def _buckets(folder: Path) -> Iterator[tuple[str, Iterator[str]]]:
    """(bucket, its records in chunk order), buckets in sorted order, streamed from every
    chunk's spool at once (each spool is sorted by bucket; ties keep chunk order)."""
    if not folder.is_dir():
        return
    _raise_open_file_limit()
    streams = [
        open(p, encoding="utf-8", buffering=1 << 16)  # noqa: SIM115
        for p in sorted(folder.glob("*.txt"))
    ]
    try:
        merged = heapq.merge(*streams, key=lambda r: r[: r.index("\t")])
        for bucket, lines in itertools.groupby(merged, key=lambda r: r[: r.index("\t")]):
            cut = len(bucket) + 1
            yield bucket, (line[cut:].rstrip("\n") for line in lines)
    finally:
        for s in streams:
            s.close()


def _d8(d: date) -> str:
    return f"{d:%Y%m%d}"


class _Writer:
    """Counts segments between ST and SE while writing."""

    def __init__(self, fh) -> None:
        self.fh = fh
        self.count = 0

    def seg(self, text: str) -> None:
        self.fh.write(text)
        self.fh.write(TERM)
        self.count += 1

    def segs(self, joined: str) -> None:
        """Write '~'-joined segments."""
        if joined:
            self.fh.write(joined.replace("~", TERM))
            self.fh.write(TERM)
            self.count += joined.count("~") + 1


def assemble_claim_files(
    out: Path,
    work: Path,
    system: HealthSystem,
    seed: int,
    cutoff: datetime,
    control_base: int = 0,
) -> list[WrittenFile]:
    """``control_base`` offsets every interchange/group control number (the simulator assembles
    each planned day apart and must not reuse the generated system's numbers)."""
    outbound = out / "clearinghouse" / "outbound"
    inbound = out / "clearinghouse" / "inbound"
    outbound.mkdir(parents=True, exist_ok=True)
    inbound.mkdir(parents=True, exist_ok=True)
    written: list[WrittenFile] = []
    ack_control = control_base
    for control, (bucket, records) in enumerate(
        _buckets(work / "spool" / "837"), start=control_base + 1
    ):
        day_s, entity_code = bucket.split("_")
        day = datetime.strptime(day_s, "%Y%m%d").date()
        entity = system.entities[entity_code]
        version = V837[entity.claim_type]
        sent = datetime(day.year, day.month, day.day, 20, 0)
        name = f"{sent:%Y%m%d-%H%M%S}_837{entity.claim_type}_{entity_code}.837"
        sets: list[tuple[str, str, int, list[list[str]], int]] = []
        # (st02, bht03, segment count, claims [(outcome, status, pcn, charge, ...)], nm1 position)
        with open(outbound / name, "w", encoding="ascii", newline="") as fh:
            w = _Writer(fh)
            fh.write(isa(SUBMITTER_ID, CLEARINGHOUSE_ID, sent, control) + TERM)
            fh.write(
                f"GS*HC*{SUBMITTER_ID}*{CLEARINGHOUSE_ID}*{_d8(day)}*2000*{control}*X*"
                f"{version}{TERM}"
            )
            current = None
            bht = ""
            first_nm1 = 0
            claims_in_set: list[list[str]] = []
            hl = 0
            st_n = 0
            total_claims = 0
            for rec in records:
                f = rec.split("\t")
                key = (f[0], f[1])
                if key != current:
                    if current is not None:
                        w.seg(f"SE*{w.count + 1}*{st_n:04d}")
                        sets.append((f"{st_n:04d}", bht, w.count, claims_in_set, first_nm1))
                    current = key
                    st_n += 1
                    claims_in_set = []
                    bht = f"{entity_code}{day:%y%m%d}{f[0]}{f[1]}"
                    w.count = 0
                    w.seg(f"ST*837*{st_n:04d}*{version}")
                    w.seg(f"BHT*0019*00*{bht}*{_d8(day)}*2000*CH")
                    w.seg(f"NM1*41*2*{SYSTEM_NAME}*****46*{SUBMITTER_ID}")
                    w.seg("PER*IC*ZZTEST EDI DESK*TE*5555550100")
                    w.seg(f"NM1*40*2*{CLEARINGHOUSE_NAME}*****46*{CLEARINGHOUSE_ID}")
                    w.seg("HL*1**20*1")
                    w.seg(f"NM1*85*2*{entity.name}*****XX*{entity.npi}")
                    w.seg(f"N3*{entity.address}")
                    w.seg(f"N4*{entity.city}*{STATE}*{entity.zip}")
                    w.seg(f"REF*EI*{entity.tax_id}")
                    hl = 1
                    first_nm1 = w.count + 3  # the first subscriber's NM1*IL (after HL and SBR)
                has_patient = bool(f[14])
                hl += 1
                w.seg(f"HL*{hl}*1*22*{1 if has_patient else 0}")
                w.segs(f[13])
                if has_patient:
                    hl += 1
                    w.seg(f"HL*{hl}*{hl - 1}*23*0")
                    w.segs(f[14])
                w.segs(f[15])
                claims_in_set.append(f[2:13])
                total_claims += 1
            if current is not None:
                w.seg(f"SE*{w.count + 1}*{st_n:04d}")
                sets.append((f"{st_n:04d}", bht, w.count, claims_in_set, first_nm1))
            fh.write(f"GE*{st_n}*{control}{TERM}IEA*1*{control:09d}{TERM}")
        written.append(
            WrittenFile(
                f"clearinghouse/outbound/{name}",
                "837" + entity.claim_type,
                sent,
                entity_code,
                "",
                st_n,
                total_claims,
            )
        )
        ack_control += 1
        written.append(_write_999(inbound, sets, day, entity_code, control, version, ack_control))
        answered = datetime(
            day.year, day.month, day.day, 6, 10 * (1 + list(system.entities).index(entity_code))
        ) + timedelta(days=1)
        if answered < cutoff and any(s[3][0][0] not in ("rej999", "lost") for s in sets):
            ack_control += 1
            written.append(_write_277(inbound, sets, day, answered, entity, ack_control))
    return written


_IK = (  # (segment id, loop, element position, element reference, IK4 code)
    ("NM1", "2010", "9", "67", "6"),
    ("N4", "2010", "2", "156", "7"),
    ("DMG", "2010", "2", "1251", "8"),
)


def _write_999(
    inbound: Path, sets, day: date, entity: str, gs06: int, version: str, control: int
) -> WrittenFile:
    at = datetime(day.year, day.month, day.day, 20, 45)
    name = f"{at:%Y%m%d-%H%M%S}_999_{entity}.999"
    segs = [f"AK1*HC*{gs06}*{version}"]
    answered = accepted = 0
    for st02, _bht, _n, claims, nm1_pos in sets:
        outcome = claims[0][0]
        if outcome == "lost":
            continue  # deliberate: the clearinghouse never answered this set
        answered += 1
        segs.append(f"AK2*837*{st02}*{version}")
        if outcome == "rej999":
            seg_id, loop, pos, ref, code = _IK[int(st02) % len(_IK)]
            offset = {"NM1": 0, "N4": 2, "DMG": 3}[seg_id]
            segs.append(f"IK3*{seg_id}*{nm1_pos + offset}*{loop}*8")
            segs.append(f"IK4*{pos}*{ref}*{code}")
            segs.append("IK5*R*5")
        else:
            accepted += 1
            segs.append("IK5*A")
    n_sets = len(sets)
    ak9 = "A" if accepted == n_sets else ("R" if accepted == 0 else "P")
    segs.append(f"AK9*{ak9}*{n_sets}*{n_sets}*{accepted}")
    with open(inbound / name, "w", encoding="ascii", newline="") as fh:
        fh.write(isa(CLEARINGHOUSE_ID, SUBMITTER_ID, at, control) + TERM)
        fh.write(
            f"GS*FA*{CLEARINGHOUSE_ID}*{SUBMITTER_ID}*{_d8(day)}*2045*{control}*X*"
            f"005010X231A1{TERM}"
        )
        fh.write(f"ST*999*0001*005010X231A1{TERM}")
        for s in segs:
            fh.write(s + TERM)
        fh.write(f"SE*{len(segs) + 2}*0001{TERM}GE*1*{control}{TERM}IEA*1*{control:09d}{TERM}")
    return WrittenFile(
        f"clearinghouse/inbound/{name}", "999", at, entity, "", 1, sum(len(s[3]) for s in sets)
    )


def _write_277(inbound: Path, sets, day: date, at: datetime, entity, control: int) -> WrittenFile:
    name = f"{at:%Y%m%d-%H%M%S}_277CA_{entity.code}.277"
    n_st = 0
    n_claims = 0
    with open(inbound / name, "w", encoding="ascii", newline="") as fh:
        fh.write(isa(CLEARINGHOUSE_ID, SUBMITTER_ID, at, control) + TERM)
        fh.write(
            f"GS*HN*{CLEARINGHOUSE_ID}*{SUBMITTER_ID}*{at:%Y%m%d}*{at:%H%M}*{control}*X*"
            f"005010X214{TERM}"
        )
        for _st02, bht, _n, claims, _pos in sets:
            outcome = claims[0][0]
            if outcome in ("rej999", "lost"):
                continue
            n_st += 1
            total = sum(int(c[3]) for c in claims)
            st = f"{n_st:04d}"
            provider_rejected = outcome == "prov277"
            segs = [
                f"ST*277*{st}*005010X214",
                f"BHT*0085*08*{bht}A*{at:%Y%m%d}*{at:%H%M}*TH",
                "HL*1**20*1",
                f"NM1*PR*2*{CLEARINGHOUSE_NAME}*****46*{CLEARINGHOUSE_ID}",
                f"TRN*1*{control}{n_st:04d}",
                f"DTP*050*D8*{_d8(day)}",
                f"DTP*009*D8*{at:%Y%m%d}",
                "HL*2*1*21*1",
                f"NM1*41*2*{SYSTEM_NAME}*****46*{SUBMITTER_ID}",
                f"TRN*2*{bht}",
                f"STC*A1:19*{at:%Y%m%d}*WQ*{money(total)}",
                "HL*3*2*19*1",
                f"NM1*85*2*{entity.name}*****XX*{entity.npi}",
                f"TRN*1*{entity.code}{bht[-10:]}",
                f"STC*A3:562:85**U*{money(total)}"
                if provider_rejected
                else f"STC*A1:19:85**WQ*{money(total)}",
            ]
            hl = 3
            for c in claims:
                # c = [outcome, status, pcn, charge, last, first, member, from, to, bill, entity]
                hl += 1
                action = "WQ" if c[1].startswith(("A1", "A2")) else "U"
                segs += [
                    f"HL*{hl}*3*PT",
                    f"NM1*QC*1*{c[4]}*{c[5]}****MI*{c[6]}",
                    f"TRN*2*{c[2]}",
                    f"STC*{c[1]}*{at:%Y%m%d}*{action}*{money(int(c[3]))}",
                    f"REF*D9*{control}{hl:06d}",
                ]
                if c[9]:
                    segs.append(f"REF*BLT*{c[9]}")
                segs.append(f"DTP*472*RD8*{c[7]}-{c[8]}")
                n_claims += 1
            segs.append(f"SE*{len(segs) + 1}*{st}")
            fh.write(TERM.join(segs) + TERM)
        fh.write(f"GE*{n_st}*{control}{TERM}IEA*1*{control:09d}{TERM}")
    return WrittenFile(
        f"clearinghouse/inbound/{name}", "277CA", at, entity.code, "", n_st, n_claims
    )


def assemble_remit_files(
    out: Path, work: Path, system: HealthSystem, seed: int, control_base: int = 0
) -> list[WrittenFile]:
    inbound = out / "clearinghouse" / "inbound"
    inbound.mkdir(parents=True, exist_ok=True)
    written: list[WrittenFile] = []
    controls: dict[str, int] = {}
    for bucket, records in _buckets(work / "spool" / "835"):
        day_s, payer_code, entity_code = bucket.split("_")
        day = datetime.strptime(day_s, "%Y%m%d").date()
        payer = PAYER_BY_CODE[payer_code]
        entity = system.entities[entity_code]
        at = era_received_at(seed, payer_code, day)
        control = controls[payer_code] = controls.get(payer_code, control_base) + 1
        name = f"{at:%Y%m%d-%H%M%S}_835_{payer_code}_{entity_code}.835"
        sender = payer.id_835.replace("-", "")
        n_st = 0
        n_claims = 0
        with open(inbound / name, "w", encoding="ascii", newline="") as fh:
            fh.write(isa(sender, SUBMITTER_ID, at, control) + TERM)
            fh.write(
                f"GS*HP*{sender}*{SUBMITTER_ID}*{_d8(day)}*{at:%H%M}*{control}*X*005010X221A1{TERM}"
            )
            group: list[list[str]] = []
            current = None
            for rec in records:
                f = rec.split("\t", 2)
                if f[0] != current and group:
                    n_st += 1
                    n_claims += _write_835_st(fh, group, n_st, payer, entity, day, current)
                    group = []
                current = f[0]
                group.append(f)
            if group:
                n_st += 1
                n_claims += _write_835_st(fh, group, n_st, payer, entity, day, current)
            fh.write(f"GE*{n_st}*{control}{TERM}IEA*1*{control:09d}{TERM}")
        written.append(
            WrittenFile(
                f"clearinghouse/inbound/{name}", "835", at, entity_code, payer_code, n_st, n_claims
            )
        )
    return written


def _write_835_st(fh, group: list[list[str]], n: int, payer, entity, day: date, chunk: str) -> int:
    """One 835 transaction (one EFT) for one chunk's claims; returns its CLP count."""
    paid = 0
    clps = 0
    plb: list[tuple[str, str, int]] = []
    for f in group:
        body = f[2]
        if body:
            for seg in body.split("~"):
                if seg.startswith("CLP*"):
                    paid += cents(seg.split("*", 5)[4])
                    clps += 1
        if f[1]:
            for item in f[1].split(";"):
                code, ref, amount = item.split(":")
                plb.append((code, ref, int(amount)))
    if len(plb) > 6:
        # A PLB segment holds six adjustments and the guide allows one: beyond that, interest
        # (then take-backs) is reported as one amount per transaction, referenced by the trace.
        trace = era_trace(payer.code, entity.code, day, int(chunk))
        for code in ("L6", "WO"):
            if len(plb) > 6:
                same = [p for p in plb if p[0] == code]
                plb = [p for p in plb if p[0] != code]
                if same:
                    plb.append((code, trace, sum(a for *_, a in same)))
    total = paid - sum(a for *_, a in plb)
    if total < 0:
        # The payer took back more than it paid: the rest is carried as a forward balance.
        plb.append(("FB", f"{payer.code}{day:%y%m%d}", total))
        total = 0
    st = f"{n:04d}"
    trace = era_trace(payer.code, entity.code, day, int(chunk))
    if total > 0:
        bpr = (
            f"BPR*I*{money(total)}*C*ACH*CCP*01*999999992*DA*{payer.trn03[1:]}*{payer.trn03}"
            f"**01*999988880*DA*{entity.tax_id}*{_d8(day)}"
        )
    else:
        bpr = f"BPR*H*0*C*NON************{_d8(day)}"
    head = [
        f"ST*835*{st}",
        bpr,
        f"TRN*1*{trace}*{payer.trn03}",
        f"DTM*405*{_d8(day)}",
        f"N1*PR*{payer.name}*XV*{payer.id_835}",
        "N3*PO BOX 4000",
        f"N4*LAKEVIEW*{STATE}*60991",
        "PER*BL*ZZTEST PROVIDER SERVICES*TE*8005550199",
        f"N1*PE*{entity.name}*XX*{entity.npi}",
        f"N3*{entity.address}",
        f"N4*{entity.city}*{STATE}*{entity.zip}",
        f"REF*TJ*{entity.tax_id}",
    ]
    count = len(head)
    fh.write(TERM.join(head) + TERM)
    if clps:
        fh.write("LX*1" + TERM)
        count += 1
        for f in group:
            if f[2]:
                fh.write(f[2].replace("~", TERM) + TERM)
                count += f[2].count("~") + 1
    for i in range(0, len(plb), 6):
        part = plb[i : i + 6]
        fh.write(
            f"PLB*{entity.npi}*{day.year}1231*"
            + "*".join(f"{code}:{ref}*{money(a)}" for code, ref, a in part)
            + TERM
        )
        count += 1
    fh.write(f"SE*{count + 1}*{st}{TERM}")
    return clps


def set_file_times(out: Path, files: list[WrittenFile]) -> None:
    """File modification time = when it was sent or arrived (arrival order for collectors)."""
    for f in files:
        t = f.at.timestamp() if f.at.tzinfo else (f.at - datetime(1970, 1, 1)).total_seconds()
        os.utime(out / f.path, (t, t))


def write_transfer_log(out: Path, files: list[WrittenFile]) -> None:
    """``clearinghouse/transfer_log.csv``: the SFTP log — every file, its direction and the time
    it was sent or arrived (what ingest should record as ``received_at``)."""
    rows = sorted(files, key=lambda f: (f.at, f.path))
    with open(out / "clearinghouse" / "transfer_log.csv", "w", encoding="ascii") as fh:
        fh.write("file,direction,kind,transferred_at,entity,payer,transactions,claims\n")
        for f in rows:
            direction = "outbound" if "/outbound/" in f.path else "inbound"
            fh.write(
                f"{f.path},{direction},{f.kind},{f.at.isoformat()},{f.entity},{f.payer},"
                f"{f.transactions},{f.claims}\n"
            )
