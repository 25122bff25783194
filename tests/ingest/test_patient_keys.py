"""Patient keys are computed in columns for speed; they must be exactly the documented rule
(:func:`rcmwatch.ingest.claims.patient_key`), or a patient seen again would get a second row."""

from datetime import date

import polars as pl

from rcmwatch.ingest.claims import _patients, patient_key


def _claims(rows: list[dict]) -> pl.DataFrame:
    schema = {
        "claim_index": pl.Int64, "payer_ref": pl.Int64, "patient_control_number": pl.String,
        "subscriber_member_id": pl.String, "patient_is_subscriber": pl.Boolean,
        "subscriber_last_name": pl.String, "subscriber_first_name": pl.String,
        "subscriber_birth_date": pl.Date, "subscriber_sex": pl.String,
        "patient_last_name": pl.String, "patient_first_name": pl.String,
        "patient_birth_date": pl.Date, "patient_sex": pl.String,
        "patient_relationship": pl.String,
    }  # fmt: skip
    return pl.DataFrame(rows, schema=schema)


def test_column_keys_follow_the_member_rule_for_subscribers_dependants_and_no_member_id():
    claims = _claims(
        [
            # the subscriber is the patient (no 2000C)
            {"claim_index": 0, "payer_ref": 1, "patient_control_number": "A1",
             "subscriber_member_id": "M100", "patient_is_subscriber": None,
             "subscriber_last_name": "Doe", "subscriber_first_name": "Pat",
             "subscriber_birth_date": date(1970, 1, 2), "subscriber_sex": "F"},
            # a dependant: relationship, birth date and upper-cased first name join the key
            {"claim_index": 1, "payer_ref": 1, "patient_control_number": "A2",
             "subscriber_member_id": "M100", "patient_is_subscriber": False,
             "patient_last_name": "Doe", "patient_first_name": "kim",
             "patient_birth_date": date(2010, 5, 6), "patient_sex": "",
             "patient_relationship": "19"},
            # no member id: the claim's control number keeps the patient apart; unknown payer
            {"claim_index": 2, "payer_ref": None, "patient_control_number": "A3",
             "subscriber_member_id": "", "patient_is_subscriber": True, "subscriber_sex": "Male"},
        ]
    )  # fmt: skip
    out = _patients(claims, {1: "BCBS"})
    assert out["patient_key"].to_list() == [
        patient_key("BCBS", "M100"),
        patient_key("BCBS", "M100", "19|2010-05-06|KIM"),
        patient_key("", "pcn:A3"),
    ]
    assert out["key_kind"].to_list() == ["member_id", "member_id", "source_id"]
    # names, birth date and sex come from the patient's own loop for a dependant
    assert out["first_name"].to_list() == ["Pat", "kim", None]
    assert out["birth_date"].to_list() == [date(1970, 1, 2), date(2010, 5, 6), None]
    assert out["sex"].to_list() == ["F", None, "M"]
    # the subscriber and the dependant share a member id and are still two patients
    assert out["patient_key"].n_unique() == 3
