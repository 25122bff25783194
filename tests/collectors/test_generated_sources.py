"""The shipped generator mappings on a freshly generated system: every source row of the engine,
workflow and ERP tables lands once, with counts and money totals equal to the source's — through
the SQL databases and, for the ERP, through the CSV exports too."""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import text

from collectors.config import load_sources
from collectors.generated import generated_sources_toml
from collectors.service import collect_source
from rcmwatch.clock import FixedClock

NOW = datetime(2024, 7, 1, 6, tzinfo=UTC)
CHECKS = [  # (system, source table, canonical table, money column or None)
    ("engine", "message_log", "interface_message", None),
    ("workflow", "automated_decision", "automated_decision", None),
    ("workflow", "override", "override", None),
    ("workflow", "work_item", "work_item", "amount_cents"),
    ("erp", "receivable", "receivable", "balance_cents"),
    ("erp", "posting", "posting", "amount_cents"),
    ("erp", "write_off", "write_off", "amount_cents"),
    ("erp", "payment", "payment", "amount_cents"),
    ("erp", "revenue", "revenue", "net_revenue_cents"),
]


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    from sample_data import generate

    out = tmp_path_factory.mktemp("generated")
    generate(out, seed=7, claims=800, months=2, as_of=date(2024, 7, 1), scenario="baseline")
    return out  # 800 claims: enough that every source table has rows (400 drew no override)


def _source_totals(out, system, table, money):
    db = sqlite3.connect(out / "sources" / f"{system}.sqlite")
    try:
        money_sql = f"COALESCE(SUM({money}), 0)" if money else "0"
        return tuple(db.execute(f"SELECT COUNT(*), {money_sql} FROM {table}").fetchone())
    finally:
        db.close()


def _store_totals(store, table, money, source):
    money_sql = f"COALESCE(SUM({money}), 0)" if money else "0"
    with store.read() as conn:
        return tuple(
            conn.execute(
                text(f"SELECT COUNT(*), {money_sql} FROM {table} WHERE source = :s"),
                {"s": source},
            ).one()
        )


@pytest.mark.slow
def test_generated_sources_land_exactly_through_sql_and_csv(generated, store, tmp_path):
    path = tmp_path / "sources.toml"
    text_ = generated_sources_toml(generated).replace(
        'kind = "csv"\nenabled = false', 'kind = "csv"\nenabled = true'
    )
    path.write_text(text_)
    sources = load_sources(path)
    wanted = {"engine", "workflow", "erp", "erp_exports"}
    for cfg in sources.enabled():
        if cfg.name in wanted:
            result = collect_source(store, cfg, clock=FixedClock(NOW))
            assert result.ok, result.line()
            assert result.stats.rows_quarantined == 0, result.line()
    for system, table, canonical, money in CHECKS:
        expected = _source_totals(generated, system, table, money)
        assert expected[0] > 0, table
        assert _store_totals(store, canonical, money, system) == expected, table
        if system == "erp":
            assert _store_totals(store, canonical, money, "erp_exports") == expected, table
    with store.read() as conn:
        people = conn.execute(
            text("SELECT COUNT(*) FROM work_item WHERE resolved_by_person")
        ).scalar()
    assert people > 0
