"""Synthea CSV export → the canonical store (``rcmwatch import synthea DIR``).

Reads ``payers.csv``, ``organizations.csv``, ``encounters.csv``, ``claims.csv`` and
``claims_transactions.csv`` (shared/corpus/synthea/SOURCES.md describes them and their quirks):

- facility ← ``organizations.csv`` (a claim's facility is the ``PLACEOFSERVICE`` of its
  transactions, an organization id);
- payer ← ``payers.csv``; a claim's payer is ``claims.PRIMARYPATIENTINSURANCEID``, which holds a
  payer id (not a member id, whatever Synthea's data dictionary says); an empty one stays
  unmapped, an unknown one becomes a payer that needs mapping;
- patient ← a pseudonymous key from Synthea's patient id (the source has no MRN);
- claim ← ``claims.csv`` (patient control number = Synthea's claim id);
- ``claims_transactions.csv`` → ERP rows, walked in ``CHARGEID`` order per claim with the party
  that currently owes each charge: a CHARGE is owed by the primary payer (TRANSFERTYPE 1) or the
  patient (p); a TRANSFEROUT/TRANSFERIN pair moves the open amount to the secondary payer (2) or
  the patient (p); a PAYMENT (amount in PAYMENTS) and an ADJUSTMENT (amount in ADJUSTMENTS) reduce
  what the current owner owes; the payment is the owner's, except METHOD COPAY, which the
  patient pays at the point of service against whoever owes the charge. Charges,
  payments, adjustments and transfers become postings on the claim's insurance or patient
  receivable (signed: + raises the balance); payments also become ``payment`` rows.

Idempotent: every row is keyed by Synthea's own ids (``source = 'synthea'``), so importing the
same folder again changes nothing, and importing a newer export updates amounts in place.

A Synthea store has no 837 submissions or acknowledgments, no 835 remittances (so no denials)
and no posting times (transaction dates are service dates). The import records, in
``app_state['source_gaps']``, the KPIs it cannot feed, each with the input frame that would make
it available and the reason; the KPI engine then answers "not available from this source"
instead of a zero while that input is empty.
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path

from sqlalchemy import select

from rcmwatch.errors import InputError
from rcmwatch.store.engine import Store
from rcmwatch.store.models import (
    AppState,
    Claim,
    Encounter,
    Facility,
    Patient,
    Payer,
    PayerIdentifier,
    Payment,
    Posting,
    Receivable,
)

SOURCE = "synthea"
GAPS_KEY = "source_gaps"
REQUIRED_FILES = (
    "payers.csv",
    "organizations.csv",
    "encounters.csv",
    "claims.csv",
    "claims_transactions.csv",
)
_NO_ACKS = "not available from this source: Synthea CSV has no 837 submissions or acknowledgments"
_NO_REMITS = "not available from this source: Synthea CSV has no 835 remittances (no denials)"
_NO_POSTING = "not available from this source: Synthea CSV has no remittances or posting times"
# KPI → (input frame that would feed it, reason). Applied only while that frame is empty, so a
# store that also holds X12 from another source computes them as usual.
SOURCE_GAPS: dict[str, tuple[str, str]] = {
    **{
        name: ("submission", _NO_ACKS)
        for name in (
            "claims_submitted",
            "first_pass_acceptance_rate",
            "rejection_rate",
            "acks_missing",
            "clean_claim_rate",
            "touchless_claim_rate",
            "timely_filing_at_risk",
            "denial_rework_volume",
        )
    },
    **{
        name: ("claim_payment", _NO_REMITS)
        for name in (
            "claims_adjudicated",
            "initial_denial_rate",
            "initial_denial_rate_dollars",
            "initial_denial_rate_charges",
            "denials_by_category",
            "denial_overturn_rate",
            "denial_dollars_recovered",
            "unmatched_remits",
            "remit_balance_exceptions",
            "underpayments",
            "appeal_deadline_at_risk",
        )
    },
    **{
        name: ("claim_payment", _NO_POSTING)
        for name in (
            "posting_latency",
            "unposted_remits",
            "auto_posting_rate",
            "auto_posting_rate_dollars",
        )
    },
    "final_denial_writeoff_rate": (
        "revenue",
        "not available from this source: Synthea CSV has no denial write-offs or net revenue",
    ),
}

PAYER_CLASSES = {
    "medicare": "medicare",
    "medicaid": "medicaid",
    "dual eligible": "medicare",
    "no_insurance": "self_pay",
}


@dataclass
class ImportSummary:
    facilities: int = 0
    payers: int = 0
    patients: int = 0
    encounters: int = 0
    claims: int = 0
    postings: int = 0
    payments: int = 0
    charges_cents: int = 0
    payments_cents: int = 0
    unknown_payers: list[str] = field(default_factory=list)

    def line(self) -> str:
        return (
            f"imported {self.claims:,} claims, {self.encounters:,} encounters, "
            f"{self.facilities} facilities, {self.payers} payers, {self.postings:,} postings, "
            f"{self.payments:,} payments (charges ${_dollars(self.charges_cents)}, "
            f"payments ${_dollars(self.payments_cents)})"
        )


def _dollars(cents: int) -> str:
    return f"{Decimal(cents) / 100:,.2f}"


def cents(text: str) -> int:
    """Synthea money (``85.55``, empty = 0) as integer cents, exactly."""
    text = (text or "").strip()
    if not text:
        return 0
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise InputError(f"not an amount: {text!r}") from None
    return int((value * 100).to_integral_exact())


def _time(text: str) -> datetime | None:
    text = (text or "").strip()
    if not text:
        return None
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


def _date(text: str) -> date | None:
    at = _time(text)
    return at.date() if at else None


def _rows(folder: Path, name: str) -> Iterator[dict[str, str]]:
    with (folder / name).open(newline="", encoding="utf-8-sig") as fh:
        yield from csv.DictReader(fh)


def _code(prefix: str, source_id: str) -> str:
    return f"{prefix}-{source_id.replace('-', '')[:10].upper()}"


def patient_key(source_patient_id: str) -> str:
    return hashlib.sha256(f"synthea:{source_patient_id}".encode()).hexdigest()


@dataclass
class LedgerRow:
    """One transaction of a claim, attributed to the party that owes or pays it."""

    transaction_id: str
    claim_id: str
    type: str  # CHARGE | PAYMENT | ADJUSTMENT | TRANSFERIN | TRANSFEROUT
    party: str  # whose receivable it moves: primary | secondary | patient
    paid_by: str  # who paid (payments): the party, or the patient for a copay
    amount_cents: int  # positive as in the file
    method: str
    from_at: datetime | None
    to_at: datetime | None
    place_of_service: str


def ledger(transactions: list[dict[str, str]]) -> list[LedgerRow]:
    """A claim's transactions with the party each one concerns (see the module docstring)."""
    out = []
    owner = "primary"
    for t in sorted(transactions, key=lambda r: int(r["CHARGEID"] or 0)):
        kind = t["TYPE"].strip().upper()
        transfer = t["TRANSFERTYPE"].strip().lower()
        method = t["METHOD"].strip().upper()
        if kind == "CHARGE":
            owner = "patient" if transfer == "p" else "primary"
            party, amount = owner, cents(t["AMOUNT"])
        elif kind == "PAYMENT":
            party = owner
            amount = cents(t["PAYMENTS"]) or cents(t["AMOUNT"])
        elif kind == "ADJUSTMENT":
            party, amount = owner, cents(t["ADJUSTMENTS"]) or cents(t["AMOUNT"])
        elif kind == "TRANSFEROUT":
            party, amount = owner, cents(t["TRANSFERS"]) or cents(t["AMOUNT"])
        elif kind == "TRANSFERIN":
            owner = "patient" if transfer == "p" else "secondary" if transfer == "2" else "primary"
            party, amount = owner, cents(t["AMOUNT"]) or cents(t["TRANSFERS"])
        else:
            raise InputError(f"claims_transactions.csv {t['ID']}: unknown TYPE {t['TYPE']!r}")
        out.append(
            LedgerRow(
                t["ID"],
                t["CLAIMID"],
                kind,
                party,
                "patient" if kind == "PAYMENT" and method == "COPAY" else party,
                amount,
                method,
                _time(t["FROMDATE"]),
                _time(t["TODATE"]),
                t["PLACEOFSERVICE"].strip(),
            )
        )
    return out


# Signed effect of a ledger row on its party's receivable.
_SIGN = {"CHARGE": 1, "TRANSFERIN": 1, "PAYMENT": -1, "ADJUSTMENT": -1, "TRANSFEROUT": -1}
_POSTING_KIND = {
    "CHARGE": "charge",
    "TRANSFERIN": "transfer",
    "TRANSFEROUT": "transfer",
    "PAYMENT": "payment",
    "ADJUSTMENT": "adjustment",
}


def _upsert(conn, model, rows: list[dict], keys: list[str]) -> None:
    """Insert or update ``rows`` by their natural key, in batches (both backends)."""
    if not rows:
        return
    from sqlalchemy.dialects import postgresql, sqlite

    insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    table = model.__table__
    for start in range(0, len(rows), 500):
        batch = rows[start : start + 500]
        stmt = insert(table)
        updates = {c: stmt.excluded[c] for c in batch[0] if c not in keys}
        stmt = stmt.on_conflict_do_update(index_elements=keys, set_=updates)
        conn.execute(stmt, batch)


def _id_map(conn, column, key_column, values) -> dict[str, int]:
    values = list(values)
    out: dict[str, int] = {}
    for start in range(0, len(values), 500):
        chunk = values[start : start + 500]
        for key, id_ in conn.execute(select(key_column, column).where(key_column.in_(chunk))):
            out[key] = id_
    return out


def check_folder(folder: Path) -> None:
    if not folder.is_dir():
        raise InputError(f"not a folder: {folder}")
    missing = [n for n in REQUIRED_FILES if not (folder / n).is_file()]
    if missing:
        raise InputError(
            f"{folder} is not a Synthea CSV export: missing {', '.join(missing)}",
        )


def import_synthea(store: Store, folder: str | Path, *, now: datetime) -> ImportSummary:
    """Import the Synthea CSV export in ``folder`` into ``store`` (idempotent)."""
    from sqlalchemy.dialects import postgresql, sqlite

    folder = Path(folder)
    check_folder(folder)
    summary = ImportSummary()
    payers_csv = list(_rows(folder, "payers.csv"))
    orgs_csv = list(_rows(folder, "organizations.csv"))
    encounters_csv = list(_rows(folder, "encounters.csv"))
    claims_csv = list(_rows(folder, "claims.csv"))
    by_claim: dict[str, list[dict[str, str]]] = {}
    for t in _rows(folder, "claims_transactions.csv"):
        by_claim.setdefault(t["CLAIMID"], []).append(t)

    known_payers = {p["Id"] for p in payers_csv}
    unknown = sorted(
        {
            pid
            for c in claims_csv
            for pid in (
                c["PRIMARYPATIENTINSURANCEID"].strip(),
                c["SECONDARYPATIENTINSURANCEID"].strip(),
            )
            if pid and pid not in known_payers
        }
    )
    summary.unknown_payers = unknown
    with store.write() as conn:
        # Reference: facilities and payers.
        facility_rows = [
            {
                "code": _code("SYN", o["Id"]),
                "name": o["NAME"].strip() or o["Id"],
                "kind": "hospital" if "HOSPITAL" in o["NAME"].upper() else "clinic",
            }
            for o in orgs_csv
        ]
        _upsert(conn, Facility, facility_rows, ["code"])
        fac_ids = _id_map(conn, Facility.id, Facility.code, [r["code"] for r in facility_rows])
        facility_of = {o["Id"]: fac_ids[_code("SYN", o["Id"])] for o in orgs_csv}
        payer_rows = [
            {
                "code": _code("SYN", p["Id"]),
                "name": p["NAME"].strip() or p["Id"],
                "payer_class": PAYER_CLASSES.get(p["NAME"].strip().lower(), "commercial"),
                "origin": "import",
                "needs_mapping": False,
            }
            for p in payers_csv
        ] + [
            {
                "code": _code("SYN", pid),
                "name": f"Synthea payer {pid}",
                "payer_class": "other",
                "origin": "import",
                "needs_mapping": True,
            }
            for pid in unknown
        ]
        _upsert(conn, Payer, payer_rows, ["code"])
        payer_ids = _id_map(conn, Payer.id, Payer.code, [r["code"] for r in payer_rows])
        payer_of = {pid: payer_ids[_code("SYN", pid)] for pid in [*known_payers, *unknown]}
        _upsert(
            conn,
            PayerIdentifier,
            [{"payer_id": payer_of[pid], "kind": "synthea", "value": pid} for pid in payer_of],
            ["kind", "value"],
        )
        summary.facilities, summary.payers = len(facility_rows), len(payer_rows)

        # Patients (pseudonymous key from the source's id) and encounters.
        patient_ids = sorted(
            {c["PATIENTID"] for c in claims_csv} | {e["PATIENT"] for e in encounters_csv}
        )
        keys = {pid: patient_key(pid) for pid in patient_ids}
        _upsert(
            conn,
            Patient,
            [{"patient_key": k, "key_kind": "source_id", "source": SOURCE} for k in keys.values()],
            ["patient_key"],
        )
        by_key = _id_map(conn, Patient.id, Patient.patient_key, keys.values())
        patient_of = {pid: by_key[k] for pid, k in keys.items()}
        summary.patients = len(patient_of)
        billed = {c["APPOINTMENTID"] for c in claims_csv}
        _upsert(
            conn,
            Encounter,
            [
                {
                    "source": SOURCE,
                    "source_key": e["Id"],
                    "patient_id": patient_of.get(e["PATIENT"]),
                    "facility_id": facility_of.get(e["ORGANIZATION"]),
                    "encounter_class": e["ENCOUNTERCLASS"] or None,
                    "started_at": _time(e["START"]),
                    "ended_at": _time(e["STOP"]),
                    "billed": e["Id"] in billed,
                }
                for e in encounters_csv
            ],
            ["source", "source_key"],
        )
        encounter_of = {
            k: i
            for k, i in conn.execute(
                select(Encounter.source_key, Encounter.id).where(Encounter.source == SOURCE)
            )
        }
        summary.encounters = len(encounters_csv)

        # Claims: facility from PLACEOFSERVICE, payer from PRIMARYPATIENTINSURANCEID.
        ledgers = {c["Id"]: ledger(by_claim.get(c["Id"], [])) for c in claims_csv}
        claim_rows = []
        for c in claims_csv:
            places = {r.place_of_service for r in ledgers[c["Id"]] if r.place_of_service}
            place = min(places) if places else ""
            primary = c["PRIMARYPATIENTINSURANCEID"].strip()
            claim_rows.append(
                {
                    "pcn": c["Id"],
                    "claim_type": None,
                    "patient_id": patient_of.get(c["PATIENTID"]),
                    "encounter_id": encounter_of.get(c["APPOINTMENTID"]),
                    "facility_id": facility_of.get(place),
                    "payer_id": payer_of.get(primary) if primary else None,
                    "service_from": _date(c["SERVICEDATE"]),
                    "is_test": False,
                }
            )
        _upsert(conn, Claim, claim_rows, ["pcn"])
        claim_of = _id_map(conn, Claim.id, Claim.pcn, [r["pcn"] for r in claim_rows])
        summary.claims = len(claim_rows)

        # ERP: receivables (insurance and patient per claim), postings and payments.
        receivables, postings, payments = [], [], []
        for c, row in zip(claims_csv, claim_rows, strict=True):
            claim_key = c["Id"]
            secondary = c["SECONDARYPATIENTINSURANCEID"].strip()
            party_payer = {
                "primary": row["payer_id"],
                "secondary": payer_of.get(secondary) if secondary else None,
                "patient": None,
            }
            balance = {"insurance": 0, "patient": 0}
            last: dict[str, datetime | None] = {"insurance": None, "patient": None}
            for r in ledgers[claim_key]:
                kind = "patient" if r.party == "patient" else "insurance"
                signed = _SIGN[r.type] * r.amount_cents
                balance[kind] += signed
                at = r.to_at or r.from_at or now
                last[kind] = max(last[kind], at) if last[kind] else at
                postings.append(
                    {
                        "source": SOURCE,
                        "source_key": r.transaction_id,
                        "pcn": claim_key,
                        "claim_id": claim_of[claim_key],
                        "payer_id": party_payer[r.party],
                        "facility_id": row["facility_id"],
                        "kind": _POSTING_KIND[r.type],
                        "amount": Decimal(signed) / 100,
                        "posted_at": at,
                        "is_manual": False,
                        "posted_by": "SYNTHEA",
                        "_receivable": f"{claim_key}-{kind[0].upper()}",
                    }
                )
                if r.type == "CHARGE":
                    summary.charges_cents += r.amount_cents
                if r.type == "PAYMENT":
                    summary.payments_cents += r.amount_cents
                    payments.append(
                        {
                            "source": SOURCE,
                            "source_key": r.transaction_id,
                            "pcn": claim_key,
                            "claim_id": claim_of[claim_key],
                            "facility_id": row["facility_id"],
                            "payer_id": party_payer[r.paid_by],
                            "payer_type": "patient" if r.paid_by == "patient" else "payer",
                            "method": r.method or None,
                            "amount": Decimal(r.amount_cents) / 100,
                            "received_on": (r.from_at or at).date(),
                            "posted_at": at,
                        }
                    )
            for kind in ("insurance", "patient"):
                if last[kind] is None:
                    continue
                receivables.append(
                    {
                        "source": SOURCE,
                        "source_key": f"{claim_key}-{kind[0].upper()}",
                        "pcn": claim_key,
                        "claim_id": claim_of[claim_key],
                        "facility_id": row["facility_id"],
                        "payer_id": row["payer_id"] if kind == "insurance" else None,
                        "patient_id": row["patient_id"],
                        "kind": kind,
                        "service_date": row["service_from"],
                        "opened_on": row["service_from"],
                        "balance": Decimal(balance[kind]) / 100,
                        "last_activity_at": last[kind],
                    }
                )
        _upsert(conn, Receivable, receivables, ["source", "source_key"])
        for p in postings:
            p.pop("_receivable")
        _upsert(conn, Posting, postings, ["source", "source_key"])
        _upsert(conn, Payment, payments, ["source", "source_key"])
        summary.postings, summary.payments = len(postings), len(payments)

        # What this source cannot feed (read by the KPI engine through app_state).
        insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
        value = {
            "sources": [SOURCE],
            "kpis": {k: {"requires": f, "reason": r} for k, (f, r) in SOURCE_GAPS.items()},
            "folder": str(folder.resolve()),
            "imported_at": now.isoformat(timespec="seconds"),
        }
        stmt = insert(AppState).values(key=GAPS_KEY, value=value, updated_at=now)
        conn.execute(
            stmt.on_conflict_do_update(
                index_elements=["key"], set_={"value": value, "updated_at": now}
            )
        )
    return summary


def read_source_gaps(store: Store) -> dict[str, tuple[str, str]]:
    """KPI → (input frame, reason) recorded by source imports that cannot feed it."""
    with store.read() as conn:
        value = conn.scalar(select(AppState.value).where(AppState.key == GAPS_KEY))
    if not value:
        return {}
    return {k: (v["requires"], v["reason"]) for k, v in (value.get("kpis") or {}).items()}
