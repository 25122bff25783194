"""The KPI engine against real stores (SQLite and PostgreSQL): frames load the same through every
reader, snapshots refresh only what a late file changed, and ``rcmwatch kpi`` keeps its
contract (keys, types, exit codes) when run as users run it."""

from __future__ import annotations

import json
from datetime import date

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from metrics.frames import TABLES
from metrics.registry import markdown, registry
from rcmwatch.queries.kpi_frames import LoadReport, load_frames
from rcmwatch.store.snapshots import mark_remits, read_snapshots, refresh_snapshots
from tests.cli_runner import run_cli
from tests.conftest import REPO_ROOT
from tests.metrics.test_adjudication import worked_example
from tests.metrics.world import at, day

AS_OF = at("2024-08-15 12:00")


def _sorted(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.sort(frame.columns[0]) if frame.height else frame


@pytest.mark.parametrize("engine", ["auto", "connectorx", "sqlalchemy"])
def test_every_reader_loads_the_same_frames(store, engine):
    world, _ = worked_example()
    world.claim("TEST", at("2024-05-02 00:00"), is_test=True)
    world.ack("A1", "A")
    world.status("A2", "A7")
    world.work_item(at("2024-05-01 00:00"), stage="pre_bill", subject="A3")
    world.write(store)
    report = LoadReport()
    loaded = load_frames(store, engine=engine, report=report)
    expected = world.frames()
    for table in TABLES:
        assert_frame_equal(_sorted(getattr(loaded, table)), _sorted(getattr(expected, table)))
    assert set(report.readers) == set(TABLES)


def test_a_late_835_changes_only_the_affected_snapshot_rows(store):
    world, _ = worked_example(later_payment=False)
    other = world.claim("B1", at("2024-06-03 08:00"), payer=1, facility=1)
    assert other
    world.loop(world.remit(day("2024-06-12"), payer=1), "B1", charge=100, paid=100)
    world.write(store)
    first = refresh_snapshots(store, AS_OF, full=True)
    assert first.written > 0
    before = read_snapshots(store)
    with store.read() as conn:
        ids_before = dict(
            conn.exec_driver_sql(
                "SELECT kpi || '|' || day || '|' || facility_key || '|' || payer_key, id "
                "FROM metric_snapshot"
            ).all()
        )
    # The later full payment of A2 arrives in a July 835, through the bulk path as ingest would.
    late = world.remit(day("2024-07-01"), payer=1)
    cp = world.loop(late, "A2", charge=30_000, paid=30_000)
    from rcmwatch.store import bulk
    from rcmwatch.store.models import ClaimPayment, InboundFile, RemitTransaction

    with store.write() as conn:
        for table, model in (
            ("inbound_file", InboundFile),
            ("remit_transaction", RemitTransaction),
            ("claim_payment", ClaimPayment),
        ):
            rows = world.table(table).tail(1)
            bulk.insert_frame(conn, model.__table__, rows)
        assert mark_remits(conn, [cp]) >= 2
    second = refresh_snapshots(store, AS_OF)
    after = read_snapshots(store)
    # The new July adjudication is no new pair (A2's initial was in May): July adds only the
    # cash and posting cells of the new payment.
    added = after.join(
        before, on=["kpi", "day", "facility_key", "payer_key", "payer_sequence"], how="anti"
    )
    assert set(added["day"].to_list()) <= {date(2024, 7, 1)}
    changed = after.join(before, on=list(after.columns), how="anti", nulls_equal=True)
    changed = changed.join(added, on=list(after.columns), how="anti", nulls_equal=True)
    assert sorted(changed["kpi"].unique().to_list()) == [
        "denial_dollars_recovered",
        "denial_overturn_rate",
    ]
    assert changed["day"].unique().to_list() == [date(2024, 5, 10)]
    with store.read() as conn:
        ids_after = dict(
            conn.exec_driver_sql(
                "SELECT kpi || '|' || day || '|' || facility_key || '|' || payer_key, id "
                "FROM metric_snapshot"
            ).all()
        )
    untouched = {k for k, v in ids_before.items() if ids_after.get(k) == v}
    assert len(untouched) == len(ids_before) - len(changed)
    assert second.written == len(changed) + len(added)
    with store.read() as conn:
        assert conn.exec_driver_sql("SELECT COUNT(*) FROM metric_invalidation").scalar() == 0


def _cli_env(url: str) -> dict[str, str]:
    return {"RCMWATCH_DATABASE_URL": url, "RCMWATCH_AS_OF": "2024-08-15T12:00:00"}


def test_kpi_json_contract(store_url, store, tmp_path):
    world, _ = worked_example()
    world.write(store)
    result = run_cli("kpi", "--json", "--period", "2024-05", env=_cli_env(store_url), cwd=tmp_path)
    assert result.code == 0, result.stderr
    out = json.loads(result.stdout)
    assert list(out) == ["as_of", "period", "carc_map_version", "kpis", "notes", "flags"]
    assert out["as_of"] == "2024-08-15T12:00:00Z" and out["period"] == "2024-05"
    assert out["carc_map_version"] == 1
    k = out["kpis"]
    assert list(k) == list(registry())
    assert k["claims_adjudicated"] == 3 and isinstance(k["claims_adjudicated"], int)
    assert k["initial_denial_rate"] == 2 / 3
    assert k["initial_denial_rate_dollars"] == 500 / 900
    assert k["denials_by_category"]["authorization"] == {"count": 1, "dollars": "300.00"}
    assert k["denial_overturn_rate"] == 0.5 and k["denial_dollars_recovered"] == "300.00"
    assert k["posting_latency"] == {"median_h": None, "p90_h": None, "n": 0}
    assert k["first_pass_acceptance_rate"] is None
    assert out["notes"]["first_pass_acceptance_rate"].startswith("denominator is 0")
    assert out["flags"]["denial_overturn_rate"] == ["immature"]
    assert out["flags"]["cash_collected"] == ["source:derived"]
    for name, defn in registry().items():
        value = k[name]
        if defn.shape == "count":
            assert isinstance(value, int), name
        elif defn.shape == "money":
            assert isinstance(value, str) and value.count(".") == 1, name
        elif defn.shape in ("rate", "rate_money", "days"):
            assert value is None or isinstance(value, float), name
            if value is None:
                assert name in out["notes"], name
        else:
            assert isinstance(value, dict), name


@pytest.mark.slow
def test_kpi_json_by_facility_and_month(store_url, store, tmp_path):
    world, _ = worked_example()
    world.claim("U1", at("2024-05-05 08:00"))
    world.write(store)
    env = _cli_env(store_url)
    by_fac = json.loads(
        run_cli(
            "kpi", "--json", "--period", "2024-05", "--by", "facility", env=env, cwd=tmp_path
        ).stdout
    )
    assert list(by_fac)[:5] == ["as_of", "period", "carc_map_version", "by", "groups"]
    assert by_fac["by"] == "facility"
    keys = [g["facility"] for g in by_fac["groups"]]
    assert keys == ["NORTH", "unmapped"]
    assert by_fac["groups"][0]["kpis"]["claims_submitted"] == 3
    assert "remit_balance_exceptions" in by_fac["notes"]
    by_month = json.loads(
        run_cli("kpi", "--json", "--period", "all", "--by", "month", env=env, cwd=tmp_path).stdout
    )
    months = [g["month"] for g in by_month["groups"]]
    assert months[0] == "2024-05" and months[-1] == "2024-08"


@pytest.mark.slow
def test_kpi_human_output_and_errors(store_url, store, tmp_path):
    world, _ = worked_example()
    world.write(store)
    env = _cli_env(store_url)
    text = run_cli("kpi", "--period", "2024-05", env=env, cwd=tmp_path)
    assert text.code == 0, text.stderr
    assert "initial_denial_rate" in text.stdout and "66.7%" in text.stdout
    bad = run_cli("kpi", "--json", "--period", "2024-13", env=env, cwd=tmp_path)
    assert bad.code == 2 and len(bad.stderr_lines) == 1 and "Traceback" not in bad.stderr
    unknown = run_cli("kpi", "--json", "--facility", "NOPE", env=env, cwd=tmp_path)
    assert unknown.code == 2 and "NOPE" in unknown.stderr
    refresh = run_cli("kpi", "--refresh-snapshots", "--full", env=env, cwd=tmp_path)
    assert refresh.code == 0 and "cell(s) written" in refresh.stdout


def test_kpi_help_shows_every_definition(tmp_path):
    result = run_cli("kpi", "--help", cwd=tmp_path)
    assert result.code == 0
    for name in registry():
        assert f"{name}: " in result.stdout
    assert "Date basis: initial adjudication date" in result.stdout


def test_docs_kpis_md_is_the_registry():
    assert (REPO_ROOT / "docs" / "KPIS.md").read_text() == markdown()
