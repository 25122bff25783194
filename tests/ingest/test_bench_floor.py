"""The floors of ``rcmwatch bench ingest`` load exactly the rows an ingest wrote — every table,
every cent — or the ceiling they print would be about some other workload."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from rcmwatch.bench.ingest import _batched, render
from rcmwatch.bench.ingest_floor import copy_into, parse_only, postgres_load, sqlite_load
from rcmwatch.ingest.run import ingest_paths
from rcmwatch.store.engine import open_store_url
from rcmwatch.store.models import Base
from tests.ingest.natural import totals_and_counts

MONEY = (
    "SELECT (SELECT sum(charge_cents) FROM claim_version),"
    " (SELECT sum(paid_cents) FROM claim_payment), (SELECT sum(amount_cents) FROM adjustment)"
)


def _snapshot(url: str):
    money, counts = totals_and_counts(url, MONEY)
    return counts, money


@pytest.fixture(scope="module")
def batched_set(tmp_path_factory) -> Path:
    return _batched(tmp_path_factory.mktemp("bench"), 1000, lambda _line: None)


def _ingest(url: str, folder: Path, clock) -> None:
    store = open_store_url(url)
    outcomes = list(ingest_paths(store, [folder], clock=clock))
    store.dispose()
    assert [o.status for o in outcomes] == ["ingested"] * 4


def test_sqlite_floor_loads_every_row_the_ingest_wrote(batched_set, sqlite_url, tmp_path, clock):
    _ingest(sqlite_url, batched_set, clock)
    source = Path(sqlite_url.removeprefix("sqlite:///"))
    result = sqlite_load(source, tmp_path)

    counts, money = _snapshot(sqlite_url)
    assert counts["claim_version"] == 1000
    assert money[0] > 0 and money[1] > 0
    for name in ("floor_driver", "floor_engine"):
        assert _snapshot(f"sqlite:///{tmp_path / name}.db") == (counts, money), name
    assert result["rows"] == {t: counts[t] for t in result["rows"]}
    assert {"claim", "claim_line", "claim_status", "claim_payment", "adjustment"} <= set(
        result["rows"]
    )
    assert result["python_driver_s"] > 0 and result["engine_s"] > 0


def test_postgres_floor_copies_every_row_checked_and_unchecked(batched_set, pg_server, clock):
    source = pg_server.fresh_database()
    checked, unchecked = pg_server.fresh_database(), pg_server.fresh_database()
    _ingest(source, batched_set, clock)
    result = postgres_load(source, checked, unchecked)

    counts, money = _snapshot(source)
    assert counts["claim_payment"] > 1000  # reversals and second payers on top of one each
    assert _snapshot(checked) == (counts, money)
    assert _snapshot(unchecked) == (counts, money)
    assert result["rows"]["claim_version"] == 1000
    assert result["copy_s"] > 0
    assert result["copy_without_fk_checks_s"] is not None  # the test server's user is superuser


def test_parse_only_parses_the_four_files(batched_set):
    result = parse_only([batched_set])
    assert result["files"] == 4
    assert result["wall_s"] > 0 and result["cpu_s"] > 0


def test_the_report_shows_each_floor_and_the_ceiling_it_sets():
    report = {
        "claims": 100_000,
        "generated_files": 0,
        "runs": {},
        "floor": {
            "parse": {"wall_s": 3.14, "cpu_s": 5.2},
            "sqlite": {
                "rows": 1_360_000,
                "python_driver_s": 5.0,
                "engine_s": 2.3,
                "ceiling_claims_per_s": 20_000,
            },
            "postgresql": {
                "rows": 1_360_000,
                "copy_s": 12.5,
                "copy_without_fk_checks_s": None,
                "ceiling_claims_per_s": 8_000,
            },
        },
    }
    lines = render(report).splitlines()
    assert any(
        ln.startswith("parse only") and "3.1 s wall" in ln and "5.2 s CPU" in ln for ln in lines
    )
    driver = next(ln for ln in lines if "SQLite, Python's driver (1,360,000 rows)" in ln)
    assert "5.0 s" in driver and "ceiling 20,000 claims/s" in driver
    copy = next(ln for ln in lines if "PostgreSQL binary COPY (1,360,000 rows)" in ln)
    assert "12.5 s" in copy and "ceiling 8,000 claims/s" in copy
    unchecked = next(ln for ln in lines if "FK checks off" in ln)
    assert "n/a" in unchecked  # not measured (not superuser) is said, not shown as 0


def test_unchecked_copy_is_not_measured_for_a_user_who_may_not_turn_checks_off(pg_server):
    """Not a superuser: the what-if floor says n/a (None) and writes nothing, never a number."""
    url = pg_server.fresh_database()
    role = f"rcmwatch_floor_{uuid.uuid4().hex[:8]}"
    with pg_server.admin.connect() as conn:
        conn.execute(text(f'CREATE ROLE "{role}" LOGIN'))
    try:
        conninfo = (
            make_url(url)
            .set(drivername="postgresql", username=role)
            .render_as_string(hide_password=False)
        )
        patient = Base.metadata.tables["patient"]
        assert copy_into(conninfo, [patient], {"patient": b""}, checks=False) is None
        engine = create_engine(url)
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM patient")).scalar() == 0
        engine.dispose()
    finally:
        with pg_server.admin.connect() as conn:
            conn.execute(text(f'DROP ROLE IF EXISTS "{role}"'))
