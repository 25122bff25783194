"""``rcmwatch kpi``'s text: amounts right-aligned in one column, whatever their depth, so a
leader can read a breakdown down the column."""

from __future__ import annotations

from rcmwatch.cli.kpi_text import _lines


def test_values_end_in_one_column_whatever_their_depth():
    lines = (
        _lines("cash_collected", "2015016.88", "money", "")
        + _lines(
            "ar_aging_buckets",
            {"insurance": {"0-30": "4071644.51", "121+": "716645.82"}, "patient": {"0-30": "72.4"}},
            "money",
            "",
        )
        + _lines("rejection_rate", 0.037, "fraction", "")
        + _lines("claims_submitted", 3645, "count", "  ")  # inside a --by group
    )
    values = [
        ("cash_collected", "$2,015,016.88"),
        ("ar_aging_buckets", None),
        ("  insurance", None),
        ("    0-30", "$4,071,644.51"),
        ("    121+", "$716,645.82"),
        ("  patient", None),
        ("    0-30", "$72.40"),
        ("rejection_rate", "3.7%"),
        ("  claims_submitted", "3,645"),
    ]
    assert len(lines) == len(values)
    for line, (name, shown) in zip(lines, values, strict=True):
        if shown is None:
            assert line == name
        else:
            assert line.startswith(name + " ") and line.endswith(" " + shown), line
    assert len({len(line) for line in lines if line.endswith(tuple("0123456789%"))}) == 1
