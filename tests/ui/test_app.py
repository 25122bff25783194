"""The dashboard under Streamlit's AppTest: empty, populated and schema-less stores, page switching
with the global filters persisting, and the permission gate."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from rcmwatch.identity import User
from rcmwatch.ui.page import USER_KEY
from tests.conftest import REPO_ROOT
from tests.factories import populate_small_store

APP = str(REPO_ROOT / "app.py")


@pytest.fixture
def app(monkeypatch):
    def make(url: str) -> AppTest:
        monkeypatch.setenv("RCMWATCH_DATABASE_URL", url)
        at = AppTest.from_file(APP, default_timeout=60)
        return at

    return make


def _texts(at) -> str:
    parts = [e.value for kind in ("info", "warning", "error", "markdown", "caption")
             for e in getattr(at, kind)]  # fmt: skip
    return "\n".join(str(p) for p in parts)


def test_empty_store_says_what_to_do_next(app, sqlite_url):
    at = app(sqlite_url)
    at.run()
    assert not at.exception
    assert at.title[0].value == "Overview"
    assert "The store is empty" in at.info[0].value
    assert "rcmwatch ingest" in _texts(at)
    assert len(at.metric) == 0


def test_populated_store_shows_what_it_holds(app, sqlite_store, sqlite_url):
    populate_small_store(sqlite_store)
    at = app(sqlite_url)
    at.run()
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Claims"] == "2"
    assert metrics["Files landed"] == "2"
    assert metrics["Claim payments (CLP)"] == "1"
    assert metrics["Facilities"] == "2"
    assert "Files landed" in metrics and "Postings" not in metrics  # zero counts are not tiles
    assert "claims submitted**: 2024-05-01 → 2024-05-01" in _texts(at)
    # The period filter offers the months the store holds and defaults to the latest.
    assert at.sidebar.selectbox(key="w_period").value == "2024-05"
    assert at.sidebar.multiselect(key="w_facility").options == [
        "North Hospital",
        "Riverside Clinic",
    ]


def test_store_without_schema_points_to_init(app, tmp_path):
    at = app(f"sqlite:///{tmp_path / 'never_initialised.db'}")
    at.run()
    assert not at.exception
    assert "rcmwatch init" in at.info[0].value


def test_unreachable_store_is_an_error_not_a_traceback(app):
    at = app("postgresql+psycopg://postgres@127.0.0.1:1/none")
    at.run()
    assert not at.exception
    assert "cannot open the store" in at.error[0].value


def test_filters_persist_across_pages_and_in_the_url(app, sqlite_store, sqlite_url):
    populate_small_store(sqlite_store)
    at = app(sqlite_url)
    at.run()
    at.sidebar.multiselect(key="w_facility").select("NORTH").run()
    at.sidebar.multiselect(key="w_payer").select("MCR").run()
    assert at.query_params["facility"] == "NORTH"
    assert at.query_params["payer"] == "MCR"
    assert "filters NORTH · MCR · 2024-05" in _texts(at)

    at.switch_page("pages/settings.py").run()
    assert not at.exception
    assert at.title[0].value == "Settings"
    assert at.sidebar.multiselect(key="w_facility").value == ["NORTH"]
    assert at.sidebar.multiselect(key="w_payer").value == ["MCR"]

    at.switch_page("app.py").run()
    assert at.sidebar.multiselect(key="w_facility").value == ["NORTH"]
    assert "filters NORTH · MCR · 2024-05" in _texts(at)


def test_settings_page_shows_values_as_they_are_set(app, sqlite_url, monkeypatch):
    monkeypatch.setenv("RCMWATCH_UNDERPAYMENT_TOLERANCE", "2.5")
    at = app(sqlite_url)
    at.run()
    at.switch_page("pages/settings.py").run()
    assert not at.exception
    table = at.dataframe[0].value.set_index("environment variable")
    assert table.loc["RCMWATCH_UNDERPAYMENT_TOLERANCE", "value"] == "2.50"  # dollars, not cents
    assert table.loc["RCMWATCH_UNDERPAYMENT_TOLERANCE", "default"] == "1.00"
    assert table.loc["RCMWATCH_DATABASE_URL", "value"] == "(hidden)"


def test_page_refused_to_a_user_without_its_permission(app, sqlite_url):
    at = app(sqlite_url)
    at.session_state[USER_KEY] = User("cfo", "Chief Financial Officer", frozenset({"executive"}))
    at.run()
    assert not at.exception
    at.switch_page("pages/settings.py").run()
    assert not at.exception
    assert "may not open Settings" in at.warning[0].value
    assert len(at.dataframe) == 0


def test_a_link_with_filters_opens_with_them(app, sqlite_store, sqlite_url):
    populate_small_store(sqlite_store)
    at = app(sqlite_url)
    at.query_params["facility"] = "CLIN01"
    at.query_params["period"] = "all"
    at.run()
    assert not at.exception
    assert at.sidebar.multiselect(key="w_facility").value == ["CLIN01"]
    assert at.sidebar.selectbox(key="w_period").value == "all"


def test_overview_shows_the_live_simulation_and_a_missing_broker(app, sqlite_store, sqlite_url):
    from rcmwatch.simulator.state import SimState, save_state

    populate_small_store(sqlite_store)
    save_state(
        sqlite_store,
        SimState(
            now="2026-12-08T16:57:55+00:00",
            system_dir="/x",
            speed=3600,
            broker="not connected (AMQPConnectionError: unreachable)",
        ),
    )
    at = app(sqlite_url)
    at.run()
    assert not at.exception
    assert (
        "Live simulation · simulated clock 2026-12-08 16:57 UTC (3600× real time, scenario "
        "baseline) · broker not connected (AMQPConnectionError: unreachable)"
    ) in _texts(at)
