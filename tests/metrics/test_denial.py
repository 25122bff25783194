"""Denial classification (KPI.md §2): a table of hand-worked claims, and the worked example."""

from __future__ import annotations

import polars as pl
import pytest

from metrics.denial import classify_denials
from rcmwatch.reference.carc_map import builtin_carc_map, map_from_rows


def classify(status: str, charge: int, paid: int, adjustments: list[tuple]) -> dict:
    """One claim; adjustments are (group, CARC, amount in cents)."""
    claims = pl.DataFrame(
        {
            "claim_index": [0],
            "claim_status_code": [status],
            "charge_cents": [charge],
            "paid_cents": [paid],
        }
    )
    adj = pl.DataFrame(
        {
            "claim_index": [0] * len(adjustments),
            "group_code": [a[0] for a in adjustments],
            "reason_code": [a[1] for a in adjustments],
            "amount_cents": [a[2] for a in adjustments],
            "segment_number": list(range(len(adjustments))),
            "triplet_number": [1] * len(adjustments),
        },
        schema={
            "claim_index": pl.Int64,
            "group_code": pl.String,
            "reason_code": pl.String,
            "amount_cents": pl.Int64,
            "segment_number": pl.Int64,
            "triplet_number": pl.Int64,
        },
    )
    return classify_denials(claims, adj).row(0, named=True)


CASES = [
    # (description, status, charge, paid, adjustments, status, denied, category)
    ("coinsurance only", "1", 10000, 8000, [("PR", "2", 2000)], "none", 0, None),
    ("contractual only", "1", 10000, 6000, [("CO", "45", 4000)], "none", 0, None),
    ("auth denial, nothing paid", "1", 30000, 0, [("CO", "197", 30000)], "full", 30000,
     "authorization"),
    ("line denied, rest paid", "1", 50000, 30000, [("CO", "50", 20000)], "partial", 20000,
     "medical_necessity"),
    ("deductible and a denial, paid 0", "1", 10000, 0, [("PR", "1", 4000), ("CO", "16", 6000)],
     "partial", 6000, "missing_information"),
    ("all to the deductible", "1", 10000, 0, [("PR", "1", 10000)], "zero_pay_not_denial", 0,
     None),
    ("paid 0, no adjustments at all", "1", 0, 0, [], "zero_pay_not_denial", 0, None),
    ("pending 133 is not final", "1", 10000, 0, [("CO", "133", 10000)], "none", 0, None),
    ("negative denial CARC is a correction", "1", 0, 0, [("CO", "50", -500), ("CO", "50", 500)],
     "full", 500, "medical_necessity"),
    ("zero-amount denial triplet says nothing", "1", 10000, 10000, [("CO", "50", 0)], "none", 0,
     None),
    ("leading zeros normalised", "1", 10000, 0, [("CO", "045", 10000)],
     "zero_pay_not_denial", 0, None),
    ("CLP02 4 with a denial adjustment", "4", 10000, 0, [("CO", "29", 10000)], "full", 10000,
     "timely_filing"),
    ("CLP02 4 without: charge − paid − PR", "4", 10000, 1000, [("PR", "1", 2500)], "full", 6500,
     "other"),
    ("largest wins", "1", 10000, 0, [("CO", "197", 3000), ("CO", "18", 7000)], "full", 10000,
     "duplicate"),
    ("ties: first in file wins", "1", 10000, 0, [("CO", "18", 5000), ("CO", "197", 5000)],
     "full", 10000, "duplicate"),
    ("unknown CARC is other", "1", 10000, 0, [("CO", "B99", 10000)], "full", 10000, "other"),
    ("PR-group denial CARC counts as patient responsibility (letter of KPI.md)", "1", 379000, 0,
     [("PR", "32", 379000)], "partial", 379000, "eligibility"),
    ("missing reason code is a denial, category other", "1", 10000, 0, [("CO", None, 10000)],
     "full", 10000, "other"),
    ("reversal is not an adjudication", "22", -10000, -10000, [("CO", "50", 500)], "none", 0,
     None),
    ("predetermination is not an adjudication", "25", 10000, 0, [("OA", "101", 10000)], "none",
     0, None),
]  # fmt: skip


@pytest.mark.parametrize(
    ("status", "charge", "paid", "adjustments", "expected", "denied", "category"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_classification(
    status: str,
    charge: int,
    paid: int,
    adjustments: list[tuple],
    expected: str,
    denied: int,
    category: str | None,
) -> None:
    row = classify(status, charge, paid, adjustments)
    assert (row["denial_status"], row["denied_cents"], row["denial_category"]) == (
        expected,
        denied,
        category,
    )
    assert row["is_adjudication"] == (status not in ("22", "25"))


def test_kpi_worked_example() -> None:
    """KPI.md's worked example: 3 claims, 2 denials, 500 denied, by category."""
    claims = pl.DataFrame(
        {
            "claim_index": [0, 1, 2],
            "claim_status_code": ["1", "1", "1"],
            "charge_cents": [10000, 30000, 50000],
            "paid_cents": [8000, 0, 30000],
        }
    )
    adjustments = pl.DataFrame(
        {
            "claim_index": [0, 1, 2],
            "group_code": ["PR", "CO", "CO"],
            "reason_code": ["2", "197", "50"],
            "amount_cents": [2000, 30000, 20000],
            "segment_number": [12, 14, 17],
            "triplet_number": [1, 1, 1],
        }
    )
    out = classify_denials(claims, adjustments)
    assert out.rows() == [
        (0, True, "none", 0, None, None),
        (1, True, "full", 30000, "authorization", "197"),
        (2, True, "partial", 20000, "medical_necessity", "50"),
    ]
    denials = out.filter(pl.col("denial_status").is_in(["full", "partial"]))
    assert denials.height / out.height == 2 / 3
    assert denials["denied_cents"].sum() == 50000
    by_category = denials.group_by("denial_category").agg(pl.len(), pl.col("denied_cents").sum())
    assert sorted(by_category.rows()) == [
        ("authorization", 1, 30000),
        ("medical_necessity", 1, 20000),
    ]


def test_other_keys_and_map_versions() -> None:
    claims = pl.LazyFrame(
        {"payment_id": ["p1"], "claim_status_code": ["1"], "charge_cents": [100], "paid_cents": [0]}
    )
    adjustments = pl.LazyFrame(
        {
            "payment_id": ["p1"],
            "group_code": ["CO"],
            "reason_code": ["50"],
            "amount_cents": [100],
            "seq": [1],
        }
    )
    v2 = map_from_rows(2, [("50", "coding")])
    out = classify_denials(claims, adjustments, key="payment_id", order=("seq",), carc_map=v2)
    assert out.row(0, named=True)["denial_category"] == "coding"
    default = classify_denials(claims, adjustments, key="payment_id", order=("seq",))
    assert default.row(0, named=True)["denial_category"] == "medical_necessity"
    assert builtin_carc_map().version == 1


def test_order_and_empty_inputs() -> None:
    claims = pl.DataFrame(
        {
            "claim_index": [5, 3],
            "claim_status_code": ["1", "1"],
            "charge_cents": [1, 2],
            "paid_cents": [1, 2],
        }
    )
    empty = pl.DataFrame(
        schema={"claim_index": pl.Int64, "group_code": pl.String, "reason_code": pl.String,
                "amount_cents": pl.Int64, "segment_number": pl.Int64, "triplet_number": pl.Int64}
    )  # fmt: skip
    out = classify_denials(claims, empty)
    assert out["claim_index"].to_list() == [5, 3]
    assert out["denial_status"].to_list() == ["none", "none"]
