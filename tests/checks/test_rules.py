"""The rules as tables of hand-worked cases; the SQL form of the NPI check digit agrees with
the Python one on both backends."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from checks.rules import CPT_HCPCS, ICD10_CM, REVENUE_CODE, matches, npi_luhn_sql, npi_valid


@pytest.mark.parametrize(
    ("npi", "valid"),
    [
        ("1234567893", True),  # CMS's worked example: Luhn(80840 123456789) = 3
        ("1234567890", False),
        ("1245319599", True),
        ("1245319598", False),
        ("123456789", False),  # 9 digits
        ("12345678931", False),
        ("12345A7893", False),
        (None, False),
    ],
)
def test_npi_check_digit(npi, valid):
    assert npi_valid(npi) is valid


@pytest.mark.parametrize(
    ("code", "ok"),
    [
        ("E119", True),
        ("E11.9", True),
        ("S72001A", True),
        ("Z00.00", True),
        ("J45909", True),
        ("U071", False),  # U codes are reserved (no U in this ICD-10-CM format rule)
        ("E1", False),
        ("119E", False),
        ("E11.99999", False),
        ("e119", False),
    ],
)
def test_icd10_cm_format(code, ok):
    assert matches(ICD10_CM, code) is ok


@pytest.mark.parametrize(
    ("code", "ok"),
    [
        ("99213", True),
        ("0001F", True),  # category II
        ("0042T", True),  # category III
        ("0001U", True),  # PLA
        ("J1100", True),  # HCPCS level II
        ("A0428", True),
        ("9921", False),
        ("992133", False),
        ("W1234", False),  # no level II section W
        ("J11000", False),
    ],
)
def test_cpt_hcpcs_format(code, ok):
    assert matches(CPT_HCPCS, code) is ok


@pytest.mark.parametrize(
    ("code", "ok"), [("0450", True), ("0300", True), ("450", False), ("04500", False)]
)
def test_revenue_code_format(code, ok):
    assert matches(REVENUE_CODE, code) is ok


NPIS = ["1234567893", "1234567890", "1245319599", "1245319598", "1999999984", "1999999985"]


def test_npi_sql_agrees_with_python(store):
    with store.read() as conn:
        for npi in NPIS:
            got = conn.execute(
                text(f"SELECT CASE WHEN {npi_luhn_sql(':npi')} THEN 1 ELSE 0 END"), {"npi": npi}
            ).scalar_one()
            assert bool(got) is npi_valid(npi), npi


def test_docs_checks_md_is_generated_from_the_catalogue():
    from checks.catalog import markdown
    from tests.conftest import REPO_ROOT

    assert (REPO_ROOT / "docs" / "CHECKS.md").read_text() == markdown()
