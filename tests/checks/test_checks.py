"""Each check passes on good rows and fails on one hand-made bad row, naming that row's key —
on SQLite and PostgreSQL; and only the broken check fails."""

from __future__ import annotations

import pytest

from checks.catalog import catalog
from checks.runner import run_checks
from tests.checks.world import AS_OF, BREAKERS, build_good_world


def _by_id(outcomes):
    return {o.check.id: o for o in outcomes}


def test_every_catalogued_check_has_a_bad_row_case():
    assert set(BREAKERS) == set(catalog())


def test_design_check_ids_are_all_there():
    design_ids = {
        "remit_transaction_balanced", "remit_claim_balanced", "remit_line_balanced",
        "remit_without_claim", "claim_without_ack", "npi_check_digit", "icd10_format",
        "cpt_hcpcs_format", "revenue_code_format", "pcn_unique_per_submission",
        "duplicate_patient", "negative_ar", "service_date_future", "service_before_birth",
        "payer_not_in_table", "work_item_overdue_unassigned", "duplicate_control_number",
    }  # fmt: skip
    assert design_ids <= set(catalog())


def test_good_world_passes_every_check(store):
    build_good_world(store)
    outcomes = run_checks(store, AS_OF)
    failed = {
        o.check.id: (o.error, [r.row_key for r in o.failing]) for o in outcomes if not o.success
    }
    assert failed == {}
    assert all(not o.errored for o in outcomes)


@pytest.mark.parametrize("check_id", sorted(BREAKERS))
def test_bad_row_fails_its_check_with_its_key(store, check_id):
    ids = build_good_world(store)
    key = BREAKERS[check_id](store, ids)
    outcomes = _by_id(run_checks(store, AS_OF))
    outcome = outcomes[check_id]
    assert not outcome.errored, outcome.error
    assert outcome.success is False
    assert key in [r.row_key for r in outcome.failing]
    assert outcome.unexpected_count == len(outcome.failing)
    # The bad row trips its own check only (a duplicated claim version is one more row, not a
    # second kind of failure).
    others = sorted(c for c, o in outcomes.items() if not o.success and c != check_id)
    assert others == []


def test_one_member_id_at_two_payers_is_one_person_not_a_duplicate(store):
    """Medicare Part A and Part B bill one beneficiary under one MBI: the store keys patients by
    member id per payer (DESIGN.md), so that person has two patient keys — not a second
    registration. A third record with another member id is."""
    from datetime import date

    from sqlalchemy.orm import Session

    from rcmwatch.store.models import Patient, PatientPhi

    build_good_world(store)

    def register(key: str, member_id: str) -> None:
        with Session(store.engine) as s:
            p = Patient(patient_key=key, key_kind="member_id", source="837")
            s.add(p)
            s.flush()
            s.add(
                PatientPhi(
                    patient_id=p.id,
                    member_id=member_id,
                    last_name="ZZTESTOAK",
                    first_name="ELI",
                    birth_date=date(1950, 6, 21),
                )
            )
            s.commit()

    register("member:MCR:ZZ123456789", "ZZ123456789")
    register("member:MCA:ZZ123456789", "zz123456789 ")  # same MBI, other payer, other spelling
    outcome = _by_id(run_checks(store, AS_OF, check_ids=["duplicate_patient"]))["duplicate_patient"]
    assert outcome.success is True and outcome.failing == []

    register("member:MCD:ZZ987654321", "ZZ987654321")  # the same person again, another id
    outcome = _by_id(run_checks(store, AS_OF, check_ids=["duplicate_patient"]))["duplicate_patient"]
    assert outcome.success is False
    assert sorted(r.row_key for r in outcome.failing) == [
        "member:MCA:ZZ123456789", "member:MCD:ZZ987654321", "member:MCR:ZZ123456789",
    ]  # fmt: skip
