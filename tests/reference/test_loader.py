"""Reference data loads all or nothing, is idempotent, merges payers that ingest added for unknown
ids, and resolves the facility of claims that were unmapped."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import insert, select, text

from rcmwatch.errors import InputError
from rcmwatch.reference.loader import load_reference, read_reference_folder
from rcmwatch.store.models import (
    Claim,
    ClaimPayment,
    ClaimVersion,
    InboundFile,
    Payer,
    PayerIdentifier,
    RemitTransaction,
    Submission,
)
from tests.cli_runner import run_cli

FACILITIES = """code,name,kind,go_live_date,npis
NORTH,North Hospital,hospital,2023-01-01,1234567893;1245319599
CLIN01,Riverside Clinic,clinic,,1982634710
"""
PAYERS = """code,name,payer_class,timely_filing_days,appeal_limit_days,identifiers
MCR,Medicare Part B,medicare,365,120,payer_id=00431;trn03=1999999999
ACME,Acme Health,commercial,90,60,payer_id=ACM01
"""
FEES = """payer_code,code_system,code,modifier,expected_allowed,effective_from,effective_to
MCR,CPT,99213,,92.47,2024-01-01,
ACME,REV,0450,,1200.00,2024-01-01,2024-12-31
"""


def write_folder(folder: Path, facilities=FACILITIES, payers=PAYERS, fees=FEES) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "facilities.csv").write_text(facilities)
    (folder / "payers.csv").write_text(payers)
    (folder / "fee_schedule.csv").write_text(fees)
    return folder


def _counts(conn) -> dict[str, int]:
    return {
        t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar()
        for t in ("facility", "facility_npi", "payer", "payer_identifier", "fee_schedule_entry")
    }


def test_load_is_idempotent(store, tmp_path):
    data = read_reference_folder(write_folder(tmp_path / "ref"))
    for _ in range(2):
        with store.write() as conn:
            load_reference(conn, data)
    with store.read() as conn:
        assert _counts(conn) == {
            "facility": 2,
            "facility_npi": 3,
            "payer": 2,
            "payer_identifier": 3,
            "fee_schedule_entry": 2,
        }
        allowed = conn.execute(
            text("SELECT expected_allowed_cents FROM fee_schedule_entry WHERE code = '99213'")
        ).scalar()
        limits = conn.execute(
            text("SELECT timely_filing_days, appeal_limit_days FROM payer WHERE code = 'MCR'")
        ).one()
    assert allowed == 9247
    assert tuple(limits) == (365, 120)


@pytest.mark.parametrize(
    ("file", "content", "message"),
    [
        ("facilities.csv", "code,name,kind,npis\nX,X,spaceship,1234567893\n",
         "facilities.csv:2: kind 'spaceship'"),
        ("facilities.csv", "code,name,kind,npis\nX,X,clinic,12345\n",
         "facilities.csv:2: NPI '12345' is not 10 digits"),
        ("payers.csv", "code,name,payer_class,identifiers\nP,P,commercial,payer_id\n",
         "payers.csv:2: identifier 'payer_id' is not kind=value"),
        ("payers.csv", "code,name,payer_class,timely_filing_days,identifiers\nP,P,other,-3,\n",
         "payers.csv:2: '-3' is negative"),
        ("fee_schedule.csv",
         "payer_code,code_system,code,expected_allowed,effective_from\nMCR,CPT,1,12.345,2024-01-01\n",
         "fee_schedule.csv:2: expected_allowed '12.345'"),
        ("fee_schedule.csv",
         "payer_code,code_system,code,expected_allowed,effective_from\nNOPE,CPT,1,1,2024-01-01\n",
         "payer_code 'NOPE' is not a payer"),
        ("payers.csv", "code,name\nP,P\n", "missing columns payer_class, identifiers"),
    ],
)  # fmt: skip
def test_bad_row_names_file_and_line_and_writes_nothing(store, tmp_path, file, content, message):
    folder = write_folder(tmp_path / "ref")
    (folder / file).write_text(content)
    with pytest.raises(InputError, match=message):
        data = read_reference_folder(folder)
        with store.write() as conn:
            load_reference(conn, data)
    with store.read() as conn:
        assert set(_counts(conn).values()) == {0}


def _auto_payer_with_a_remit(conn) -> int:
    """What ingest does for an 835 from an unknown payer id: add a payer flagged for mapping."""
    pid = conn.execute(
        insert(Payer)
        .values(code="AUTO-ACM01", name="ACME HEALTH PLAN", origin="ingest", needs_mapping=True)
        .returning(Payer.id)
    ).scalar_one()
    conn.execute(insert(PayerIdentifier).values(payer_id=pid, kind="payer_id", value="ACM01"))
    fid = conn.execute(
        insert(InboundFile)
        .values(sha256="d" * 64, path="r.835", size_bytes=1, received_at=datetime.now(UTC))
        .returning(InboundFile.id)
    ).scalar_one()
    rid = conn.execute(
        insert(RemitTransaction)
        .values(
            inbound_file_id=fid,
            seq=1,
            payment=Decimal("5.00"),
            payer_id=pid,
            received_at=datetime.now(UTC),
        )
        .returning(RemitTransaction.id)
    ).scalar_one()
    conn.execute(
        insert(ClaimPayment).values(
            remit_transaction_id=rid,
            seq=1,
            pcn="Z1",
            status_code="1",
            payer_id=pid,
            charge=Decimal("5.00"),
            paid=Decimal("5.00"),
        )
    )
    return pid


def test_auto_added_payer_is_merged_into_the_payer_that_claims_its_id(store, tmp_path):
    with store.write() as conn:
        auto = _auto_payer_with_a_remit(conn)
    with store.write() as conn:
        summary = load_reference(conn, read_reference_folder(write_folder(tmp_path / "ref")))
    assert summary.merged_auto_payers == 1
    with store.read() as conn:
        acme = conn.scalar(select(Payer.id).where(Payer.code == "ACME"))
        assert conn.scalar(select(ClaimPayment.payer_id)) == acme
        assert conn.scalar(select(RemitTransaction.payer_id)) == acme
        assert conn.scalar(select(Payer.id).where(Payer.id == auto)) is None


def test_unmapped_claims_get_their_facility_when_npis_arrive(store, tmp_path):
    with store.write() as conn:
        fid = conn.execute(
            insert(InboundFile)
            .values(sha256="e" * 64, path="c.837", size_bytes=1, received_at=datetime.now(UTC))
            .returning(InboundFile.id)
        ).scalar_one()
        sub = conn.execute(
            insert(Submission)
            .values(
                inbound_file_id=fid,
                seq=1,
                interchange_sender="H",
                interchange_receiver="C",
                interchange_control="1",
                gs_sender="H",
                gs_receiver="C",
                gs_control="1",
                st_control="1",
                submitted_at=datetime.now(UTC),
                claim_type="P",
            )
            .returning(Submission.id)
        ).scalar_one()
        npis = [
            ("S1", "1982634710", "1234567893"),
            ("S2", None, "1245319599"),
            ("S3", None, "1111111111"),
        ]
        for pcn, service, billing in npis:
            cid = conn.execute(insert(Claim).values(pcn=pcn).returning(Claim.id)).scalar_one()
            conn.execute(
                insert(ClaimVersion).values(
                    claim_id=cid,
                    submission_id=sub,
                    seq=int(pcn[1]),
                    frequency_code="1",
                    charge=Decimal("1.00"),
                    service_facility_npi=service,
                    billing_npi=billing,
                )
            )
    with store.write() as conn:
        summary = load_reference(conn, read_reference_folder(write_folder(tmp_path / "ref")))
    assert summary.claims_facility_resolved == 2
    with store.read() as conn:
        got = dict(
            conn.execute(
                text(
                    "SELECT c.pcn, f.code FROM claim c LEFT JOIN facility f ON f.id = c.facility_id"
                )
            ).all()
        )
    # Service facility wins over billing NPI; an unknown NPI stays unmapped.
    assert got == {"S1": "CLIN01", "S2": "NORTH", "S3": None}


def test_cli_reference_load(tmp_path, sqlite_url):
    folder = write_folder(tmp_path / "ref")
    result = run_cli("--db", sqlite_url, "reference", "load", str(folder), cwd=tmp_path)
    assert result.code == 0, result.stderr
    assert "facilities: 2" in result.stdout and "payers: 2" in result.stdout
    (folder / "payers.csv").write_text("code,name,payer_class,identifiers\nP,P,alien,\n")
    result = run_cli("--db", sqlite_url, "reference", "load", str(folder), cwd=tmp_path)
    assert result.code == 1
    assert result.stderr_lines == [
        f"rcmwatch: error: {folder}/payers.csv:2: payer_class 'alien' is not one of "
        "('medicare', 'medicaid', 'commercial', 'self_pay', 'other')"
    ]
