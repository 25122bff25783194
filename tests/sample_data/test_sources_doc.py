"""SOURCES.md documents every source table and column the generator writes."""

from __future__ import annotations

from pathlib import Path

import sample_data
from sample_data.source_tables import TABLES

DOC = Path(sample_data.__file__).parent / "SOURCES.md"


def test_every_table_and_column_is_documented():
    text = DOC.read_text(encoding="utf-8")
    for table in TABLES:
        assert f"#### `{table.name}`" in text, table.name
        section = text.split(f"#### `{table.name}`", 1)[1].split("####", 1)[0]
        for column in table.columns:
            assert f"| `{column.name}` |" in section, (table.name, column.name)


def test_the_package_exposes_the_python_api():
    assert callable(sample_data.generate)
    assert "payer_outage" in sample_data.SCENARIO_NAMES
