"""The Data quality page under AppTest: no run yet, then the latest results, the KPIs marked,
the failing rows (PHI masked for a role without view_phi) and the work items raised; and the
dashboard never imports Great Expectations."""

from __future__ import annotations

import subprocess
import sys

import pytest
from streamlit.testing.v1 import AppTest

from checks.run import run_and_record
from rcmwatch.identity import User
from rcmwatch.ui.page import USER_KEY
from tests.checks.world import AS_OF, CLAIM_VERSION_KEY, bad_npi, build_good_world
from tests.checks.world import duplicate_patient as add_duplicate_patient
from tests.conftest import REPO_ROOT

APP = str(REPO_ROOT / "app.py")


@pytest.fixture
def page(monkeypatch):
    def open_(url: str, user: User | None = None) -> AppTest:
        monkeypatch.setenv("RCMWATCH_DATABASE_URL", url)
        monkeypatch.setenv("RCMWATCH_AS_OF", AS_OF.isoformat())
        at = AppTest.from_file(APP, default_timeout=60)
        if user is not None:
            at.session_state[USER_KEY] = user
        at.run()
        at.switch_page("pages/data_quality.py").run()
        return at

    return open_


def _table(at, column: str):
    """The dataframe showing ``column`` (AppTest does not expose dataframe keys)."""
    return next(d.value for d in at.dataframe if column in d.value.columns)


def test_before_any_run_the_page_says_how_to_run_checks(page, sqlite_url):
    at = page(sqlite_url)
    assert not at.exception
    assert at.title[0].value == "Data quality"
    assert "rcmwatch check" in at.info[0].value


def test_results_marks_failing_rows_masked_and_work_items(page, sqlite_store, sqlite_url):
    ids = build_good_world(sqlite_store)
    bad_npi(sqlite_store, ids)
    add_duplicate_patient(sqlite_store, ids)
    run_and_record(sqlite_store, AS_OF)
    cfo = User("cfo", "Chief Financial Officer", frozenset({"executive"}))  # no view_phi
    at = page(sqlite_url, cfo)
    assert not at.exception

    latest = _table(at, "threshold")
    status = dict(zip(latest["check"], latest["status"], strict=True))
    assert status["npi_check_digit"] == "BLOCKING"
    assert status["duplicate_patient"] == "BLOCKING"  # 2 of 2 patients > 1%
    assert status["remit_transaction_balanced"] == "passed"

    flagged = _table(at, "marks")
    marks = dict(zip(flagged["kpi"], flagged["marks"], strict=True))
    assert "inputs_failing:npi_check_digit" in marks["claims_submitted"]

    at.selectbox(key="dq_drill_check").select("duplicate_patient").run()
    rows = _table(at, "row_key")
    assert sorted(rows["row_key"]) == ["member:ACME:X77", "mrn:1001"]
    assert set(rows["last_name"]) == {"***"} and set(rows["birth_date"].astype(str)) == {"***"}
    at.selectbox(key="dq_drill_check").select("npi_check_digit").run()
    assert list(_table(at, "row_key")["row_key"]) == [CLAIM_VERSION_KEY]

    items = _table(at, "subject_key")
    assert list(zip(items["check_id"], items["status"], items["subject_key"], strict=True)) == [
        ("npi_check_digit", "open", CLAIM_VERSION_KEY)
    ]


def test_a_manager_with_view_phi_sees_the_names_that_matched(page, sqlite_store, sqlite_url):
    ids = build_good_world(sqlite_store)
    add_duplicate_patient(sqlite_store, ids)
    run_and_record(sqlite_store, AS_OF, check_ids=["duplicate_patient"])
    manager = User("mgr", "Revenue-cycle manager", frozenset({"revenue_cycle_manager"}))
    at = page(sqlite_url, manager)
    at.selectbox(key="dq_drill_check").select("duplicate_patient").run()
    rows = _table(at, "row_key")
    assert sorted(rows["last_name"]) == ["RIVERA", "Rivera"]


def test_dashboard_and_kpi_cli_do_not_import_great_expectations():
    code = (
        "import sys; import rcmwatch.ui.page, rcmwatch.ui.data_quality, rcmwatch.ui.overview; "
        "import rcmwatch.cli.main, rcmwatch.cli.kpi, rcmwatch.queries.dq; "
        "from metrics.registry import registry; registry(); "
        "rcmwatch.cli.main.build_parser(); "
        "assert 'great_expectations' not in sys.modules, 'GX imported'"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
