"""Reference data: facilities with valid NPIs, payers with limits and ids, a fee schedule."""

from __future__ import annotations

import csv

import pytest

from sample_data.npi import is_valid_npi, luhn_check_digit, npi_from_base


@pytest.mark.parametrize(
    ("npi", "valid"),
    [
        ("1234567893", True),
        ("1234567890", False),
        ("1215954003", True),
        ("123456789", False),
        ("3234567893", False),
        ("12345678a3", False),
    ],
)
def test_npi_check_digit_with_the_80840_prefix(npi, valid):
    assert is_valid_npi(npi) is valid


def test_npi_from_base_appends_the_luhn_digit():
    assert npi_from_base("123456789") == "1234567893"
    assert luhn_check_digit("80840123456789") == 3
    with pytest.raises(ValueError):
        npi_from_base("923456789")


def _rows(folder, name):
    with open(folder / "reference" / name, newline="") as fh:
        return list(csv.DictReader(fh))


def test_a_regional_health_system(baseline):
    facilities = _rows(baseline, "facilities.csv")
    kinds = [f["kind"] for f in facilities]
    assert kinds.count("hospital") == 3 and kinds.count("clinic") == 40
    assert kinds.count("business_office") == 1
    assert all(is_valid_npi(f["npi"]) for f in facilities)
    assert len({f["npi"] for f in facilities}) == len(facilities)


def test_payers_by_class_with_limits_and_ids(baseline):
    payers = _rows(baseline, "payers.csv")
    classes = {p["payer_class"] for p in payers}
    assert classes == {"medicare", "medicaid", "commercial", "self_pay"}
    assert sum(p["payer_class"] == "commercial" for p in payers) >= 3
    for p in payers:
        if p["payer_class"] != "self_pay":
            assert int(p["timely_filing_days"]) > 0 and int(p["appeal_limit_days"]) > 0
            assert p["payer_id_837"] and p["payer_id_835"]
    assert any(p["payer_id_837"] != p["payer_id_835"] for p in payers)  # the table maps both


def test_fee_schedule_covers_codes_and_revenue_codes(baseline):
    fees = _rows(baseline, "fee_schedule.csv")
    systems = {f["code_system"] for f in fees}
    assert {"CPT", "HCPCS", "REV"} <= systems
    for f in fees:
        assert 0 < float(f["expected_allowed"]) <= float(f["charge"])
