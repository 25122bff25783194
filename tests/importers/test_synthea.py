"""``rcmwatch import synthea``: the real Synthea sample (shared/corpus/synthea) into the store.

Totals are checked against sums computed here directly from the CSV files (csv + Decimal, no
importer code), per payer (the claim's PRIMARYPATIENTINSURANCEID) and per organization (the
transactions' PLACEOFSERVICE); the grand total against SOURCES.md ($1,219,867.22 of charges and
as much in payments); one claim is worked by hand.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from rcmwatch.importers.synthea import import_synthea, read_source_gaps
from rcmwatch.store.models import (
    Claim,
    Facility,
    Payer,
    PayerIdentifier,
    Payment,
    Posting,
    Receivable,
)
from tests.cli_runner import run_cli
from tests.conftest import SHARED

SYNTHEA = SHARED / "corpus" / "synthea"
NOW = datetime(2024, 6, 15, 12, tzinfo=UTC)
# claim 34adf0cb…: CHARGE 85.55 (Medicaid), COPAY 50.00, TRANSFEROUT 35.55 → patient, CHECK 35.55.
HAND_CLAIM = "34adf0cb-891e-1278-1687-a85bc7fa1633"

pytestmark = pytest.mark.skipif(not SYNTHEA.is_dir(), reason="shared/corpus/synthea not present")


def _csv(name):
    with (SYNTHEA / name).open(newline="") as fh:
        return list(csv.DictReader(fh))


def _direct_sums():
    """(charges, payments) per payer id and per organization id, straight from the CSVs."""
    payer_of = {c["Id"]: c["PRIMARYPATIENTINSURANCEID"] for c in _csv("claims.csv")}
    by_payer = defaultdict(lambda: [Decimal(0), Decimal(0)])
    by_org = defaultdict(lambda: [Decimal(0), Decimal(0)])
    for t in _csv("claims_transactions.csv"):
        if t["TYPE"] == "CHARGE":
            i, amount = 0, Decimal(t["AMOUNT"])
        elif t["TYPE"] == "PAYMENT":
            i, amount = 1, Decimal(t["PAYMENTS"])
        else:
            continue
        by_payer[payer_of[t["CLAIMID"]]][i] += amount
        by_org[t["PLACEOFSERVICE"]][i] += amount
    return dict(by_payer), dict(by_org)


def _store_sums(conn):
    payer_key = {
        pid: value
        for pid, value in conn.execute(
            select(PayerIdentifier.payer_id, PayerIdentifier.value).where(
                PayerIdentifier.kind == "synthea"
            )
        )
    }
    org_key = {
        code: None for (code,) in conn.execute(select(Facility.code))
    }  # facility codes are SYN-<first 10 hex of the organization id>
    by_payer = defaultdict(lambda: [Decimal(0), Decimal(0)])
    by_fac = defaultdict(lambda: [Decimal(0), Decimal(0)])
    charges = conn.execute(
        select(Claim.payer_id, Facility.code, func.sum(Posting.amount))
        .join(Claim, Claim.id == Posting.claim_id)
        .join(Facility, Facility.id == Claim.facility_id)
        .where(Posting.kind == "charge", Posting.source == "synthea")
        .group_by(Claim.payer_id, Facility.code)
    )
    for payer_id, code, total in charges:
        by_payer[payer_key.get(payer_id, "")][0] += Decimal(total)
        by_fac[code][0] += Decimal(total)
    paid = conn.execute(
        select(Claim.payer_id, Facility.code, func.sum(Payment.amount))
        .join(Claim, Claim.id == Payment.claim_id)
        .join(Facility, Facility.id == Claim.facility_id)
        .where(Payment.source == "synthea")
        .group_by(Claim.payer_id, Facility.code)
    )
    for payer_id, code, total in paid:
        by_payer[payer_key.get(payer_id, "")][1] += Decimal(total)
        by_fac[code][1] += Decimal(total)
    assert set(by_fac) <= set(org_key)
    return dict(by_payer), dict(by_fac)


def _counts(conn):
    return tuple(
        conn.scalar(select(func.count()).select_from(m))
        for m in (Claim, Posting, Payment, Receivable, Facility, Payer)
    )


def test_totals_per_payer_and_organization_equal_the_csv_sums(store):
    summary = import_synthea(store, SYNTHEA, now=NOW)
    assert summary.charges_cents == summary.payments_cents == 121_986_722  # SOURCES.md
    assert (summary.claims, summary.encounters, summary.facilities) == (561, 388, 47)
    direct_payer, direct_org = _direct_sums()
    with store.read() as conn:
        got_payer, got_fac = _store_sums(conn)
    # Unmapped claims (empty PRIMARYPATIENTINSURANCEID) group under "" on both sides.
    assert {k: tuple(v) for k, v in got_payer.items()} == {
        k: tuple(v) for k, v in direct_payer.items()
    }
    expected_fac = {f"SYN-{org.replace('-', '')[:10].upper()}": v for org, v in direct_org.items()}
    assert {k: tuple(v) for k, v in got_fac.items()} == {
        k: tuple(v) for k, v in expected_fac.items()
    }
    assert sum(v[0] for v in got_payer.values()) == Decimal("1219867.22")
    # By hand: 451,581.20 + 306,821.09 + 261,605.00 + 199,349.62 + 510.31 (3 claims without a
    # payer) = 1,219,867.22; every payer's claims are paid in full (charges = payments).
    with store.read() as conn:
        names = dict(conn.execute(select(Payer.id, Payer.name)).all())
        ids = dict(conn.execute(select(PayerIdentifier.value, PayerIdentifier.payer_id)).all())
    by_name = {names[ids[k]] if k else "": v for k, v in got_payer.items()}
    assert {k: v[0] for k, v in by_name.items()} == {
        "Medicare": Decimal("451581.20"),
        "UnitedHealthcare": Decimal("306821.09"),
        "Humana": Decimal("261605.00"),
        "Medicaid": Decimal("199349.62"),
        "": Decimal("510.31"),
    }
    assert all(charges == paid for charges, paid in by_name.values())


def test_hand_worked_claim_splits_payer_and_patient(store):
    import_synthea(store, SYNTHEA, now=NOW)
    with store.read() as conn:
        claim = conn.execute(
            select(Claim.payer_id, Claim.service_from).where(Claim.pcn == HAND_CLAIM)
        ).one()
        payer = conn.scalar(select(Payer.name).where(Payer.id == claim.payer_id))
        payments = conn.execute(
            select(Payment.payer_type, Payment.method, Payment.amount)
            .where(Payment.pcn == HAND_CLAIM)
            .order_by(Payment.source_key)
        ).all()
        balances = dict(
            conn.execute(
                select(Receivable.kind, Receivable.balance).where(Receivable.pcn == HAND_CLAIM)
            ).all()
        )
        postings = conn.execute(
            select(Posting.kind, Posting.amount).where(Posting.pcn == HAND_CLAIM)
        ).all()
    assert payer == "Medicaid"
    assert claim.service_from.isoformat() == "2014-05-06"
    # COPAY 50.00 and CHECK 35.55 after the transfer: both the patient's.
    assert sorted((t, m, a) for t, m, a in payments) == [
        ("patient", "CHECK", Decimal("35.55")),
        ("patient", "COPAY", Decimal("50.00")),
    ]
    # The copay is the patient's money but pays down the charge Medicaid owes: insurance
    # +85.55 − 50.00 − 35.55 transferred out = 0; patient +35.55 in − 35.55 by check = 0.
    assert sorted(postings) == sorted(
        [
            ("charge", Decimal("85.55")),
            ("payment", Decimal("-50.00")),
            ("transfer", Decimal("-35.55")),
            ("transfer", Decimal("35.55")),
            ("payment", Decimal("-35.55")),
        ]
    )
    assert balances == {"insurance": Decimal("0.00"), "patient": Decimal("0.00")}


def test_import_is_idempotent_and_records_kpi_gaps(sqlite_store):
    import_synthea(sqlite_store, SYNTHEA, now=NOW)
    with sqlite_store.read() as conn:
        first = _counts(conn)
    import_synthea(sqlite_store, SYNTHEA, now=NOW)
    with sqlite_store.read() as conn:
        assert _counts(conn) == first
    # 561 claims, 5,567 transactions → postings, 2,086 PAYMENT rows, 47 organizations, 10 payers.
    assert first[:3] == (561, 5567, 2086)
    assert first[4:] == (47, 10)
    gaps = read_source_gaps(sqlite_store)
    assert gaps["first_pass_acceptance_rate"][0] == "submission"
    assert gaps["initial_denial_rate"][1].startswith("not available from this source")


def test_cli_import_then_kpis_say_not_available(sqlite_url):
    result = run_cli("--db", sqlite_url, "import", "synthea", str(SYNTHEA))
    assert result.code == 0, result.stderr
    assert "561 claims" in result.stdout
    assert "charges $1,219,867.22, payments $1,219,867.22" in result.stdout
    import json

    kpi = run_cli("--db", sqlite_url, "kpi", "--json", "--period", "all")
    assert kpi.code == 0, kpi.stderr
    out = json.loads(kpi.stdout)
    assert out["kpis"]["claims_submitted"] == 0  # keeps its type; the note says why
    assert out["notes"]["claims_submitted"].startswith("not available from this source")
    assert out["notes"]["posting_latency"].startswith("not available from this source")
    assert out["kpis"]["cash_collected"] == "1219867.22"


def test_cli_import_refuses_a_folder_that_is_not_synthea(sqlite_url, tmp_path):
    result = run_cli("--db", sqlite_url, "import", "synthea", str(tmp_path))
    assert result.code == 1
    assert len(result.stderr_lines) == 1
    assert "not a Synthea CSV export: missing payers.csv" in result.stderr
