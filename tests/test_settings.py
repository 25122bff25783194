"""The settings registry: precedence, validation, and the README table generated from it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from rcmwatch.clock import FixedClock, SystemClock, clock_from_settings
from rcmwatch.errors import ConfigError
from rcmwatch.settings import load_settings, settings_markdown_table
from tests.conftest import REPO_ROOT


def test_readme_configuration_table_is_the_registry():
    readme = (REPO_ROOT / "README.md").read_text()
    assert settings_markdown_table() in readme


def test_defaults_give_the_embedded_store():
    s = load_settings(env={})
    assert s.effective_database_url == "sqlite:///.rcmwatch/rcmwatch.db"
    assert s.dashboard_port == 8501 and s.dashboard_host == "127.0.0.1"
    assert s.origin("dashboard_port") == "default"


def test_option_beats_environment_beats_default():
    env = {"RCMWATCH_DATABASE_URL": "sqlite:///env.db", "RCMWATCH_HOME": "/srv/rcm"}
    assert load_settings(env=env).effective_database_url == "sqlite:///env.db"
    s = load_settings(env=env, overrides={"database_url": "sqlite:///opt.db"})
    assert s.effective_database_url == "sqlite:///opt.db"
    assert s.origin("database_url") == "option"
    assert load_settings(env={"RCMWATCH_HOME": "/srv/rcm"}).effective_database_url == (
        "sqlite:////srv/rcm/rcmwatch.db"
    )


def test_as_of_fixes_the_clock():
    s = load_settings(env={"RCMWATCH_AS_OF": "2024-05-31"})
    clock = clock_from_settings(s)
    assert isinstance(clock, FixedClock)
    assert clock.now() == datetime(2024, 5, 31, tzinfo=UTC)
    assert isinstance(clock_from_settings(load_settings(env={})), SystemClock)


@pytest.mark.parametrize(
    "env",
    [
        {"RCMWATCH_DASHBOARD_PORT": "x"},
        {"RCMWATCH_DEMO": "perhaps"},
        {"RCMWATCH_AS_OF": "31/05/2024"},
        {"RCMWATCH_SQLITE_BUSY_TIMEOUT_MS": "4999"},
    ],
)
def test_invalid_values_are_config_errors(env):
    with pytest.raises(ConfigError):
        load_settings(env=env)


def test_settings_are_shown_as_their_variables_spell_them():
    env = {
        "RCMWATCH_UNDERPAYMENT_TOLERANCE": "2.5",
        "RCMWATCH_WATCH_START": "remits=2024-01-05, erp=2024-02-01",
        "RCMWATCH_DEMO": "yes",
        "RCMWATCH_AS_OF": "2024-05-31",
        "RCMWATCH_DATABASE_URL": "postgresql+psycopg://rcm:secret@db/rcm",
    }
    shown = {s.env: s.shown(v) for s, v, _origin in load_settings(env=env).items()}
    # The tolerance is held in cents (250) but set in dollars: 250 pasted back would be $250.
    assert shown["RCMWATCH_UNDERPAYMENT_TOLERANCE"] == "2.50"
    assert shown["RCMWATCH_WATCH_START"] == "remits=2024-01-05,erp=2024-02-01"
    assert shown["RCMWATCH_DEMO"] == "true"
    assert shown["RCMWATCH_AS_OF"] == "2024-05-31T00:00:00"
    assert shown["RCMWATCH_DATABASE_URL"] == "(hidden)"
    assert shown["RCMWATCH_KPI_TARGETS"] == "(unset)"
    defaults = {s.env: s.shown(v) for s, v, _origin in load_settings(env={}).items()}
    assert defaults["RCMWATCH_UNDERPAYMENT_TOLERANCE"] == "1.00"
    assert defaults["RCMWATCH_DEMO"] == "false"


def test_every_shown_setting_reads_back_as_the_same_value():
    env = {
        "RCMWATCH_UNDERPAYMENT_TOLERANCE": "0.07",
        "RCMWATCH_WATCH_START": "remits=2024-01-05",
        "RCMWATCH_AS_OF": "2024-05-31T13:45:00",
        "RCMWATCH_KPI_TARGETS": "initial_denial_rate<=0.06",
    }
    for setting, value, _origin in load_settings(env=env).items():
        text = setting.shown(value)
        if text in ("(unset)", "(hidden)"):
            continue
        assert setting.parse(text) == value, setting.env
