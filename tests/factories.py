"""Small hand-made canonical records for tests that need a populated store."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy.orm import Session

from rcmwatch.store.models import (
    Claim,
    ClaimPayment,
    Facility,
    InboundFile,
    Payer,
    RemitTransaction,
    Submission,
)


def populate_small_store(store) -> None:
    """Two facilities, two payers, one 837 with two claims (May 2024) and one 835 paying one."""
    with Session(store.engine) as s:
        north = Facility(code="NORTH", name="North Hospital", kind="hospital")
        clinic = Facility(code="CLIN01", name="Riverside Clinic", kind="clinic")
        medicare = Payer(code="MCR", name="Medicare", payer_class="medicare")
        acme = Payer(code="ACME", name="Acme Health", payer_class="commercial")
        s.add_all([north, clinic, medicare, acme])
        f837 = InboundFile(
            sha256="a" * 64,
            path="inbound/claims_0501.837",
            size_bytes=1200,
            received_at=datetime(2024, 5, 1, 8, tzinfo=UTC),
            status="ingested",
            file_kind="837",
        )
        f835 = InboundFile(
            sha256="b" * 64,
            path="inbound/remit_0510.835",
            size_bytes=900,
            received_at=datetime(2024, 5, 10, 9, tzinfo=UTC),
            status="ingested",
            file_kind="835",
        )
        s.add_all([f837, f835])
        s.flush()
        sub = Submission(
            inbound_file_id=f837.id,
            seq=1,
            interchange_sender="HOSP",
            interchange_receiver="CLEARHOUSE",
            interchange_control="000000001",
            gs_sender="HOSP",
            gs_receiver="CLEARHOUSE",
            gs_control="1",
            st_control="0001",
            submitted_at=datetime(2024, 5, 1, 7, tzinfo=UTC),
            claim_type="P",
            claim_count=2,
        )
        s.add(sub)
        s.flush()
        for pcn, fac in (("A1", north), ("A2", clinic)):
            s.add(
                Claim(
                    pcn=pcn,
                    claim_type="P",
                    facility_id=fac.id,
                    payer_id=medicare.id,
                    first_submission_id=sub.id,
                    first_submitted_at=sub.submitted_at,
                    service_from=date(2024, 4, 28),
                )
            )
        remit = RemitTransaction(
            inbound_file_id=f835.id,
            seq=1,
            payment=Decimal("80.00"),
            payer_id=medicare.id,
            production_date=date(2024, 5, 10),
            received_at=f835.received_at,
        )
        s.add(remit)
        s.flush()
        s.add(
            ClaimPayment(
                remit_transaction_id=remit.id,
                seq=1,
                pcn="A1",
                status_code="1",
                charge=Decimal("100.00"),
                paid=Decimal("80.00"),
                patient_responsibility=Decimal("20.00"),
            )
        )
        s.commit()
