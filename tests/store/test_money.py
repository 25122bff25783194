"""Money is exact: integer cents in the store on both backends, Decimal at the edges."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy import func, insert, select, text

from rcmwatch.money import format_cents, format_dollars, from_cents, to_cents
from rcmwatch.store.models import Posting
from rcmwatch.store.types import Money


@pytest.mark.parametrize(
    ("amount", "cents"),
    [
        (Decimal("0.07"), 7),
        ("0.10", 10),
        ("-1234.5", -123450),
        (Decimal("1E+2"), 10000),
        (5, 500),
        ("0", 0),
    ],
)
def test_to_cents_is_exact(amount, cents):
    assert to_cents(amount) == cents


@pytest.mark.parametrize("bad", ["0.005", "abc", "NaN", "Infinity"])
def test_to_cents_refuses_fractions_of_a_cent_and_non_numbers(bad):
    with pytest.raises(ValueError):
        to_cents(bad)


def test_floats_are_refused_everywhere():
    with pytest.raises(TypeError):
        to_cents(0.07)
    with pytest.raises(TypeError):
        Money().process_bind_param(0.07, None)
    with pytest.raises(TypeError, match="Decimal"):
        Money().process_bind_param(7, None)  # dollars or cents? refused, not guessed


def test_formatting():
    assert from_cents(-5) == Decimal("-0.05")
    assert format_cents(123456) == "1234.56"
    assert format_cents(-5) == "-0.05"
    assert format_cents(None) is None
    assert format_dollars(123456789) == "$1,234,567.89"
    assert format_dollars(-500) == "-$5.00"


def test_hundred_thousand_amounts_sum_exactly_in_sql(store):
    """100,000 postings cycling 0.01, 0.07, 0.10: 33,334×1 + 33,333×7 + 33,333×10 cents
    = 599,995 cents = 5,999.95 exactly. (Summed as binary floats it would not be.)"""
    amounts = [Decimal("0.01"), Decimal("0.07"), Decimal("0.10")]
    at = datetime(2024, 5, 1, tzinfo=UTC)
    rows = [
        {
            "source": "t",
            "source_key": str(i),
            "kind": "payment",
            "amount": amounts[i % 3],
            "posted_at": at,
        }
        for i in range(100_000)
    ]
    with store.write() as conn:
        conn.execute(insert(Posting), rows)
    with store.read() as conn:
        total_cents = conn.execute(text("SELECT SUM(amount_cents) FROM posting")).scalar()
        typed = conn.execute(select(func.sum(Posting.amount))).scalar()
        column_type = conn.execute(
            text("SELECT amount_cents FROM posting ORDER BY id LIMIT 1")
        ).scalar()
    assert total_cents == 599_995
    assert typed == Decimal("5999.95")
    assert isinstance(column_type, int)
    assert sum(float(a) for a in amounts * 33_333) + 0.01 != 5999.95  # why we never use floats
