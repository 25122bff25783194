"""Loading reference data — facilities and their NPIs, payers and their identifiers, fee
schedules — from a folder of CSV files in rcmwatch's reference format:

``facilities.csv``  code, name, kind, go_live_date, npis
    ``kind`` one of hospital | clinic | business_office | other; ``npis`` separated by ``;``.
``payers.csv``      code, name, payer_class, timely_filing_days, appeal_limit_days, identifiers
    ``payer_class`` one of medicare | medicaid | commercial | self_pay | other; ``identifiers``
    as ``kind=value`` separated by ``;`` — kinds: ``payer_id`` (837 2010BB NM109 and 835 N1*PR04
    / REF*2U), ``trn03`` (835 TRN03), ``erp_code``, ``synthea``.
``fee_schedule.csv`` payer_code, claim_type, code_system, code, modifier, expected_allowed,
    effective_from, effective_to
    ``claim_type`` P (professional) | I (institutional) | blank (any); ``code_system`` CPT | HCPCS
    | REV; ``expected_allowed`` a decimal amount.

The bundled generator's reference export (``sample_data``: ``facility_code``, ``payer_id_837``...)
is read too, through :mod:`rcmwatch.reference.generated_format`.

Every file is optional. A malformed row is reported (file, line, reason) and nothing of the load is
written: reference data is all or nothing. Existing codes are updated, new ones inserted. A payer
that ingest added automatically for an unknown id (``needs_mapping``) is merged into the payer
that now claims that id, so records land on the right payer retroactively. Claims whose facility
was unmapped are resolved again.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

from sqlalchemy import Connection, and_, delete, insert, select, update

from rcmwatch.errors import InputError
from rcmwatch.money import to_cents
from rcmwatch.store.models import (
    Facility,
    FacilityNpi,
    FeeScheduleEntry,
    Payer,
    PayerIdentifier,
)
from rcmwatch.store.models.reference import FACILITY_KINDS, PAYER_CLASSES

IDENTIFIER_KINDS = ("payer_id", "trn03", "erp_code", "synthea")
CODE_SYSTEMS = ("CPT", "HCPCS", "REV")

# Tables whose payer_id an auto-added payer may already be referenced from.
_PAYER_REFERENCING = (
    "claim",
    "claim_version",
    "remit_transaction",
    "claim_payment",
    "receivable",
    "posting",
    "write_off",
    "payment",
    "work_item",
    "fee_schedule_entry",
    "patient_phi",
)


@dataclass
class ReferenceData:
    facilities: list[dict] = field(default_factory=list)
    payers: list[dict] = field(default_factory=list)
    fees: list[dict] = field(default_factory=list)


@dataclass
class LoadSummary:
    facilities: int = 0
    npis: int = 0
    payers: int = 0
    identifiers: int = 0
    fee_entries: int = 0
    merged_auto_payers: int = 0
    claims_facility_resolved: int = 0

    def as_dict(self) -> dict[str, int]:
        return dict(self.__dict__)


def _rows(path: Path, required: tuple[str, ...]) -> list[tuple[int, dict]]:
    if not path.is_file():
        return []
    try:
        with path.open(newline="", encoding="utf-8-sig") as fh:
            reader = csv.DictReader(fh)
            missing = [c for c in required if c not in (reader.fieldnames or [])]
            if missing:
                raise InputError(f"{path}: missing columns {', '.join(missing)}")
            return [(i + 2, {k: (v or "").strip() for k, v in row.items()}) for i, row in
                    enumerate(reader)]  # fmt: skip
    except UnicodeDecodeError:
        raise InputError(f"{path}: not a UTF-8 CSV file") from None


def _date(value: str, where: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InputError(f"{where}: {value!r} is not a date (YYYY-MM-DD)") from None


def _int(value: str, where: str) -> int | None:
    if not value:
        return None
    try:
        number = int(value)
    except ValueError:
        raise InputError(f"{where}: {value!r} is not a whole number") from None
    if number < 0:
        raise InputError(f"{where}: {value!r} is negative")
    return number


def read_reference_folder(folder: Path) -> ReferenceData:
    """Parse and validate the folder; raises :class:`InputError` naming file, line and reason."""
    if not folder.is_dir():
        raise InputError(f"{folder}: not a folder")
    from rcmwatch.reference import generated_format

    if generated_format.recognises(folder):
        return generated_format.read(folder)
    data = ReferenceData()
    fpath = folder / "facilities.csv"
    seen_npis: dict[str, str] = {}
    for line, row in _rows(fpath, ("code", "name", "kind", "npis")):
        where = f"{fpath}:{line}"
        if not row["code"] or not row["name"]:
            raise InputError(f"{where}: code and name are required")
        if row["kind"] not in FACILITY_KINDS:
            raise InputError(f"{where}: kind {row['kind']!r} is not one of {FACILITY_KINDS}")
        npis = [n for n in row["npis"].split(";") if n.strip()]
        for npi in npis:
            if not (len(npi) == 10 and npi.isdigit()):
                raise InputError(f"{where}: NPI {npi!r} is not 10 digits")
            if npi in seen_npis and seen_npis[npi] != row["code"]:
                raise InputError(f"{where}: NPI {npi} already belongs to {seen_npis[npi]}")
            seen_npis[npi] = row["code"]
        data.facilities.append(
            {
                "code": row["code"],
                "name": row["name"],
                "kind": row["kind"],
                "go_live_date": _date(row.get("go_live_date", ""), where),
                "npis": npis,
            }
        )
    ppath = folder / "payers.csv"
    seen_ids: dict[tuple[str, str], str] = {}
    for line, row in _rows(ppath, ("code", "name", "payer_class", "identifiers")):
        where = f"{ppath}:{line}"
        if not row["code"] or not row["name"]:
            raise InputError(f"{where}: code and name are required")
        if row["payer_class"] not in PAYER_CLASSES:
            raise InputError(f"{where}: payer_class {row['payer_class']!r} is not one of "
                             f"{PAYER_CLASSES}")  # fmt: skip
        idents = []
        for part in (p for p in row["identifiers"].split(";") if p.strip()):
            kind, sep, value = part.partition("=")
            kind, value = kind.strip(), value.strip()
            if not sep or kind not in IDENTIFIER_KINDS or not value:
                raise InputError(f"{where}: identifier {part!r} is not kind=value with kind in "
                                 f"{IDENTIFIER_KINDS}")  # fmt: skip
            if (kind, value) in seen_ids and seen_ids[(kind, value)] != row["code"]:
                raise InputError(f"{where}: {kind}={value} already belongs to "
                                 f"{seen_ids[(kind, value)]}")  # fmt: skip
            seen_ids[(kind, value)] = row["code"]
            idents.append((kind, value))
        data.payers.append(
            {
                "code": row["code"],
                "name": row["name"],
                "payer_class": row["payer_class"],
                "timely_filing_days": _int(row.get("timely_filing_days", ""), where),
                "appeal_limit_days": _int(row.get("appeal_limit_days", ""), where),
                "identifiers": idents,
            }
        )
    spath = folder / "fee_schedule.csv"
    required = ("payer_code", "code_system", "code", "expected_allowed", "effective_from")
    for line, row in _rows(spath, required):
        where = f"{spath}:{line}"
        if row["code_system"] not in CODE_SYSTEMS:
            raise InputError(f"{where}: code_system {row['code_system']!r} is not one of "
                             f"{CODE_SYSTEMS}")  # fmt: skip
        try:
            allowed = Decimal(row["expected_allowed"])
            to_cents(allowed)
        except (ArithmeticError, ValueError):
            raise InputError(f"{where}: expected_allowed {row['expected_allowed']!r} is not an "
                             "amount in dollars and cents") from None  # fmt: skip
        claim_type = row.get("claim_type", "")
        if claim_type not in ("", "P", "I"):
            raise InputError(f"{where}: claim_type {claim_type!r} is not P, I or blank")
        data.fees.append(
            {
                "payer_code": row["payer_code"],
                "claim_type": claim_type,
                "code_system": row["code_system"],
                "code": row["code"],
                "modifier": row.get("modifier", ""),
                "expected_allowed": allowed,
                "effective_from": _date(row["effective_from"], where),
                "effective_to": _date(row.get("effective_to", ""), where),
                "_where": where,
            }
        )
    return data


def load_reference(conn: Connection, data: ReferenceData) -> LoadSummary:
    """Write ``data`` in the caller's transaction (all or nothing)."""
    summary = LoadSummary()
    _load_facilities(conn, data, summary)
    _load_payers(conn, data, summary)
    _load_fees(conn, data, summary)
    summary.claims_facility_resolved = resolve_claim_facilities(conn)
    return summary


def _load_facilities(conn: Connection, data: ReferenceData, summary: LoadSummary) -> None:
    for fac in data.facilities:
        values = {k: fac[k] for k in ("name", "kind", "go_live_date")}
        fid = conn.scalar(select(Facility.id).where(Facility.code == fac["code"]))
        if fid is None:
            fid = conn.execute(
                insert(Facility).values(code=fac["code"], **values).returning(Facility.id)
            ).scalar_one()
        else:
            conn.execute(update(Facility).where(Facility.id == fid).values(**values))
        summary.facilities += 1
        for npi in fac["npis"]:
            owner = conn.scalar(select(FacilityNpi.facility_id).where(FacilityNpi.npi == npi))
            if owner is None:
                conn.execute(insert(FacilityNpi).values(npi=npi, facility_id=fid))
            elif owner != fid:
                conn.execute(
                    update(FacilityNpi).where(FacilityNpi.npi == npi).values(facility_id=fid)
                )
            summary.npis += 1


def _load_payers(conn: Connection, data: ReferenceData, summary: LoadSummary) -> None:
    for payer in data.payers:
        values = {
            k: payer[k] for k in ("name", "payer_class", "timely_filing_days", "appeal_limit_days")
        }
        pid = conn.scalar(select(Payer.id).where(Payer.code == payer["code"]))
        if pid is None:
            pid = conn.execute(
                insert(Payer)
                .values(code=payer["code"], origin="reference", needs_mapping=False, **values)
                .returning(Payer.id)
            ).scalar_one()
        else:
            conn.execute(update(Payer).where(Payer.id == pid).values(needs_mapping=False, **values))
        summary.payers += 1
        for kind, value in payer["identifiers"]:
            owner = conn.scalar(
                select(PayerIdentifier.payer_id).where(
                    and_(PayerIdentifier.kind == kind, PayerIdentifier.value == value)
                )
            )
            if owner is None:
                conn.execute(insert(PayerIdentifier).values(payer_id=pid, kind=kind, value=value))
            elif owner != pid:
                auto = conn.scalar(select(Payer.needs_mapping).where(Payer.id == owner))
                conn.execute(
                    update(PayerIdentifier)
                    .where(and_(PayerIdentifier.kind == kind, PayerIdentifier.value == value))
                    .values(payer_id=pid)
                )
                if auto:
                    _merge_auto_payer(conn, owner, pid)
                    summary.merged_auto_payers += 1
            summary.identifiers += 1


def _merge_auto_payer(conn: Connection, auto_id: int, into_id: int) -> None:
    """Repoint everything that referenced an automatically added payer, then drop it if it has
    no identifiers left."""
    from sqlalchemy import text

    for table in _PAYER_REFERENCING:
        column = "member_payer_id" if table == "patient_phi" else "payer_id"
        conn.execute(
            text(f'UPDATE "{table}" SET {column} = :into WHERE {column} = :auto'),
            {"into": into_id, "auto": auto_id},
        )
    remaining = conn.scalar(
        select(PayerIdentifier.id).where(PayerIdentifier.payer_id == auto_id).limit(1)
    )
    if remaining is None:
        conn.execute(delete(Payer).where(Payer.id == auto_id))


def _load_fees(conn: Connection, data: ReferenceData, summary: LoadSummary) -> None:
    ids = dict(conn.execute(select(Payer.code, Payer.id)).all())
    for fee in data.fees:
        pid = ids.get(fee["payer_code"])
        if pid is None:
            raise InputError(f"{fee['_where']}: payer_code {fee['payer_code']!r} is not a payer")
        key = and_(
            FeeScheduleEntry.payer_id == pid,
            FeeScheduleEntry.claim_type == fee["claim_type"],
            FeeScheduleEntry.code_system == fee["code_system"],
            FeeScheduleEntry.code == fee["code"],
            FeeScheduleEntry.modifier == fee["modifier"],
            FeeScheduleEntry.effective_from == fee["effective_from"],
        )
        values = {"expected_allowed": fee["expected_allowed"], "effective_to": fee["effective_to"]}
        if conn.scalar(select(FeeScheduleEntry.id).where(key)) is None:
            conn.execute(
                insert(FeeScheduleEntry).values(
                    payer_id=pid,
                    claim_type=fee["claim_type"],
                    code_system=fee["code_system"],
                    code=fee["code"],
                    modifier=fee["modifier"],
                    effective_from=fee["effective_from"],
                    **values,
                )
            )
        else:
            conn.execute(update(FeeScheduleEntry).where(key).values(**values))
        summary.fee_entries += 1


def resolve_claim_facilities(conn: Connection) -> int:
    """Give claims (and their versions) without a facility the one their NPIs now map to:
    service facility NPI first, else billing NPI (KPI.md). Returns how many claims changed."""
    from sqlalchemy import text

    conn.execute(
        text(
            """
            UPDATE claim_version SET facility_id = COALESCE(
                (SELECT f.facility_id FROM facility_npi f
                  WHERE f.npi = claim_version.service_facility_npi),
                (SELECT f.facility_id FROM facility_npi f
                  WHERE f.npi = claim_version.billing_npi))
            WHERE facility_id IS NULL
            """
        )
    )
    result = conn.execute(
        text(
            """
            UPDATE claim SET facility_id = (
                SELECT v.facility_id FROM claim_version v
                 WHERE v.claim_id = claim.id AND v.facility_id IS NOT NULL
                 ORDER BY v.id LIMIT 1)
            WHERE facility_id IS NULL AND EXISTS (
                SELECT 1 FROM claim_version v
                 WHERE v.claim_id = claim.id AND v.facility_id IS NOT NULL)
            """
        )
    )
    return result.rowcount or 0
