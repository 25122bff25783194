"""A small hand-made store where every check passes, and the one-row changes that make exactly
one check fail (each named after the check it breaks)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import insert, update
from sqlalchemy.orm import Session

from rcmwatch.store.models import (
    AckLink,
    AckSet,
    Adjustment,
    Claim,
    ClaimLine,
    ClaimPayment,
    ClaimVersion,
    Diagnosis,
    Facility,
    InboundFile,
    Interchange,
    Patient,
    PatientPhi,
    Payer,
    Receivable,
    RemitTransaction,
    ServiceLinePayment,
    Submission,
    WorkItem,
)

AS_OF = datetime(2024, 6, 15, 12, tzinfo=UTC)
GOOD_NPI = "1234567893"  # the CMS example NPI: Luhn over 80840123456789 gives 3
FILE_837 = "c" * 64
FILE_835 = "d" * 64
REMIT_KEY = f"{'d' * 16}:1"  # first 16 hex digits of the 835's SHA-256 : transaction seq
CLP_KEY = f"{REMIT_KEY}:1"
SVC_KEY = f"{CLP_KEY}:1"
CLAIM_VERSION_KEY = f"{'c' * 16}:1:1"


def build_good_world(store) -> dict[str, int]:
    """One facility, one payer, one patient, one 837 (claim P1 with one line and one diagnosis,
    acknowledged by a 999), one balanced 835 paying it, one receivable, one assigned work item."""
    ids: dict[str, int] = {}
    with Session(store.engine) as s:
        fac = Facility(code="NORTH", name="North Hospital", kind="hospital")
        payer = Payer(code="ACME", name="Acme Health", payer_class="commercial")
        patient = Patient(patient_key="mrn:1001", key_kind="mrn", source="ehr")
        s.add_all([fac, payer, patient])
        f837 = InboundFile(
            sha256=FILE_837,
            path="in/claims.837",
            size_bytes=100,
            received_at=datetime(2024, 6, 1, 8, tzinfo=UTC),
            status="ingested",
        )
        f835 = InboundFile(
            sha256=FILE_835,
            path="in/remit.835",
            size_bytes=100,
            received_at=datetime(2024, 6, 10, 8, tzinfo=UTC),
            status="ingested",
            source="edi",
        )
        s.add_all([f837, f835])
        s.flush()
        s.add(
            PatientPhi(
                patient_id=patient.id,
                last_name="Rivera",
                first_name="Ana",
                birth_date=date(1980, 3, 4),
                mrn="1001",
            )
        )
        for f, control in ((f837, "000000101"), (f835, "000000202")):
            s.add(
                Interchange(
                    inbound_file_id=f.id,
                    seq=1,
                    sender_qualifier="ZZ",
                    sender_id="HOSP",
                    receiver_qualifier="ZZ",
                    receiver_id="CLEARHOUSE",
                    control_number=control,
                    usage="P",
                    version="00501",
                )
            )
        sub = Submission(
            inbound_file_id=f837.id,
            seq=1,
            interchange_sender="HOSP",
            interchange_receiver="CLEARHOUSE",
            interchange_control="000000101",
            gs_sender="HOSP",
            gs_receiver="CLEARHOUSE",
            gs_control="101",
            st_control="0001",
            submitted_at=datetime(2024, 6, 1, 7, tzinfo=UTC),
            claim_type="P",
            claim_count=1,
        )
        s.add(sub)
        s.flush()
        claim = Claim(
            pcn="P1",
            claim_type="P",
            patient_id=patient.id,
            facility_id=fac.id,
            payer_id=payer.id,
            first_submission_id=sub.id,
            first_submitted_at=sub.submitted_at,
            service_from=date(2024, 5, 30),
        )
        s.add(claim)
        s.flush()
        version = ClaimVersion(
            claim_id=claim.id,
            submission_id=sub.id,
            seq=1,
            frequency_code="1",
            charge=Decimal("100.00"),
            billing_npi=GOOD_NPI,
            facility_id=fac.id,
            payer_id=payer.id,
            patient_id=patient.id,
            service_from=date(2024, 5, 30),
            service_to=date(2024, 5, 30),
        )
        s.add(version)
        s.flush()
        line = ClaimLine(
            claim_version_id=version.id,
            line_number=1,
            procedure_qualifier="HC",
            procedure_code="99213",
            charge=Decimal("100.00"),
        )
        s.add(line)
        s.add(Diagnosis(claim_version_id=version.id, seq=1, qualifier="ABK", code="E119"))
        ack = AckSet(
            inbound_file_id=f837.id,
            seq=9,
            interchange_sender="CLEARHOUSE",
            interchange_receiver="HOSP",
            ik5_code="A",
            link_status="linked",
        )
        s.add(ack)
        s.flush()
        s.add(AckLink(ack_set_id=ack.id, submission_id=sub.id))
        remit = RemitTransaction(
            inbound_file_id=f835.id,
            seq=1,
            payment=Decimal("80.00"),
            payer_id=payer.id,
            production_date=date(2024, 6, 10),
            received_at=f835.received_at,
        )
        s.add(remit)
        s.flush()
        cp = ClaimPayment(
            remit_transaction_id=remit.id,
            seq=1,
            pcn="P1",
            claim_id=claim.id,
            payer_id=payer.id,
            status_code="1",
            charge=Decimal("100.00"),
            paid=Decimal("80.00"),
            patient_responsibility=Decimal("0.00"),
            service_from=date(2024, 5, 30),
        )
        s.add(cp)
        s.flush()
        svc = ServiceLinePayment(
            claim_payment_id=cp.id,
            seq=1,
            procedure_code="99213",
            charge=Decimal("100.00"),
            paid=Decimal("80.00"),
        )
        s.add(svc)
        s.flush()
        s.add(
            Adjustment(
                claim_payment_id=cp.id,
                service_line_payment_id=svc.id,
                seq=1,
                level="line",
                group_code="CO",
                carc="45",
                amount=Decimal("20.00"),
            )
        )
        s.add(
            Receivable(
                source="erp",
                source_key="R1",
                pcn="P1",
                claim_id=claim.id,
                facility_id=fac.id,
                payer_id=payer.id,
                kind="insurance",
                balance=Decimal("0.00"),
                last_activity_at=datetime(2024, 6, 10, tzinfo=UTC),
            )
        )
        s.add(
            WorkItem(
                source="workflow",
                source_key="W1",
                type="denial",
                stage="denial",
                subject_type="claim",
                subject_key="P1",
                facility_id=fac.id,
                opened_at=datetime(2024, 6, 1, tzinfo=UTC),
                due_at=datetime(2024, 6, 5, tzinfo=UTC),
                assignee="jdoe",
                status="open",
            )
        )
        s.commit()
        ids.update(
            facility=fac.id,
            payer=payer.id,
            patient=patient.id,
            submission=sub.id,
            claim=claim.id,
            version=version.id,
            line=line.id,
            remit=remit.id,
            claim_payment=cp.id,
            svc=svc.id,
            f837=f837.id,
            f835=f835.id,
        )
    return ids


# --- one bad row each: (check id, the failing row's key, how to make it) -------------------


def _exec(store, stmt, params=None):
    with store.write() as conn:
        conn.execute(stmt, params) if params is not None else conn.execute(stmt)


def break_transaction_balance(store, ids):
    # BPR02 says 85.00 but the claim paid 80.00 and there is no PLB: off by 5.00.
    _exec(
        store,
        update(RemitTransaction)
        .where(RemitTransaction.id == ids["remit"])
        .values(payment=Decimal("85.00")),
    )
    return REMIT_KEY


def break_claim_balance(store, ids):
    # CLP03 100 − CLP04 80 = 20, but the (line) CAS now only explains 15.
    _exec(
        store,
        update(Adjustment)
        .where(Adjustment.claim_payment_id == ids["claim_payment"])
        .values(amount=Decimal("15.00")),
    )
    # keep the line itself balanced: SVC02 100 − SVC03 85 = 15
    _exec(
        store,
        update(ServiceLinePayment)
        .where(ServiceLinePayment.id == ids["svc"])
        .values(paid=Decimal("85.00")),
    )
    return CLP_KEY


def break_line_balance(store, ids):
    # The line paid 70 of 100 with 20 of CAS: 10 unexplained, while the claim still balances
    # (a second, claim-level CAS of 10 covers it).
    _exec(
        store,
        update(ServiceLinePayment)
        .where(ServiceLinePayment.id == ids["svc"])
        .values(paid=Decimal("70.00")),
    )
    _exec(
        store,
        insert(Adjustment).values(
            claim_payment_id=ids["claim_payment"],
            seq=2,
            level="claim",
            group_code="CO",
            carc="45",
            amount=Decimal("0.00"),
        ),
    )
    return SVC_KEY


def add_unmatched_remit(store, ids):
    # A second CLP for a claim no 837 ever carried; the transaction stays balanced (paid 0).
    _exec(
        store,
        insert(ClaimPayment).values(
            remit_transaction_id=ids["remit"],
            seq=2,
            pcn="NO837",
            payer_id=ids["payer"],
            status_code="4",
            charge=Decimal("50.00"),
            paid=Decimal("0.00"),
            patient_responsibility=Decimal("0.00"),
            service_from=date(2024, 5, 1),
        ),
    )
    _exec(
        store,
        insert(Adjustment).values(
            claim_payment_id=_id_of(store, "claim_payment", "pcn = 'NO837'"),
            seq=1,
            level="claim",
            group_code="CO",
            carc="16",
            amount=Decimal("50.00"),
        ),
    )
    return f"{REMIT_KEY}:2"


def remove_ack(store, ids):
    from sqlalchemy import delete

    _exec(store, delete(AckLink))
    return "P1"


def bad_npi(store, ids):
    _exec(
        store,
        update(ClaimVersion)
        .where(ClaimVersion.id == ids["version"])
        .values(billing_npi="1234567890"),  # check digit should be 3
    )
    return CLAIM_VERSION_KEY


def bad_icd(store, ids):
    _exec(store, update(Diagnosis).values(code="U071X"))  # U is reserved, not ICD-10-CM here
    return f"{CLAIM_VERSION_KEY}:dx1"


def bad_cpt(store, ids):
    _exec(store, update(ClaimLine).values(procedure_code="9921"))
    return f"{CLAIM_VERSION_KEY}:1"


def bad_revenue_code(store, ids):
    _exec(store, update(ClaimLine).values(revenue_code="45"))
    return f"{CLAIM_VERSION_KEY}:1"


def duplicate_pcn_in_submission(store, ids):
    _exec(
        store,
        insert(ClaimVersion).values(
            claim_id=ids["claim"],
            submission_id=ids["submission"],
            seq=2,
            frequency_code="1",
            charge=Decimal("100.00"),
            billing_npi=GOOD_NPI,
            service_from=date(2024, 5, 30),
        ),
    )
    return CLAIM_VERSION_KEY


def future_service(store, ids):
    _exec(
        store,
        update(ClaimVersion)
        .where(ClaimVersion.id == ids["version"])
        .values(service_from=date(2024, 7, 1), service_to=date(2024, 7, 1)),
    )
    return CLAIM_VERSION_KEY


def service_before_birth(store, ids):
    _exec(
        store,
        update(PatientPhi).values(birth_date=date(2024, 6, 1)),  # born after a 2024-05-30 visit
    )
    return CLAIM_VERSION_KEY


def duplicate_patient(store, ids):
    # The same person registered again under a member id instead of the MRN.
    with Session(store.engine) as s:
        p = Patient(patient_key="member:ACME:X77", key_kind="member_id", source="payer")
        s.add(p)
        s.flush()
        s.add(
            PatientPhi(
                patient_id=p.id, last_name="RIVERA", first_name="ana", birth_date=date(1980, 3, 4)
            )
        )
        s.commit()
    return "mrn:1001"


def old_credit_balance(store, ids):
    _exec(
        store,
        update(Receivable).values(
            balance=Decimal("-25.00"), last_activity_at=AS_OF - timedelta(days=45)
        ),
    )
    return "erp:R1"


def unmapped_payer(store, ids):
    _exec(
        store,
        insert(Payer).values(
            code="ZZ999", name="Unknown payer ZZ999", origin="ingest", needs_mapping=True
        ),
    )
    return "ZZ999"


def overdue_unassigned(store, ids):
    _exec(store, update(WorkItem).values(assignee=None))
    return "workflow:W1"


def duplicate_interchange(store, ids):
    # The 835's interchange reuses the 837's sender, receiver and control number.
    _exec(
        store,
        update(Interchange)
        .where(Interchange.inbound_file_id == ids["f835"])
        .values(control_number="000000101"),
    )
    return f"{'c' * 16}:1"


def _id_of(store, table: str, where: str) -> int:
    from sqlalchemy import text

    with store.read() as conn:
        return conn.execute(text(f"SELECT id FROM {table} WHERE {where}")).scalar_one()


BREAKERS = {
    "remit_transaction_balanced": break_transaction_balance,
    "remit_claim_balanced": break_claim_balance,
    "remit_line_balanced": break_line_balance,
    "remit_without_claim": add_unmatched_remit,
    "claim_without_ack": remove_ack,
    "npi_check_digit": bad_npi,
    "icd10_format": bad_icd,
    "cpt_hcpcs_format": bad_cpt,
    "revenue_code_format": bad_revenue_code,
    "pcn_unique_per_submission": duplicate_pcn_in_submission,
    "service_date_future": future_service,
    "service_before_birth": service_before_birth,
    "duplicate_patient": duplicate_patient,
    "negative_ar": old_credit_balance,
    "payer_not_in_table": unmapped_payer,
    "work_item_overdue_unassigned": overdue_unassigned,
    "duplicate_control_number": duplicate_interchange,
}
