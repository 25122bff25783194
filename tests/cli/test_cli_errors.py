"""Every CLI error path: one line on stderr, a non-zero exit code, never a traceback."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from rcmwatch.store.engine import make_engine, parse_database_url
from tests.cli_runner import run_cli


def _assert_one_line_error(result, *, code: int, contains: str) -> None:
    assert result.code == code, (result.code, result.stderr)
    assert "Traceback" not in result.stderr
    assert len(result.stderr_lines) == 1, result.stderr
    assert result.stderr_lines[0].startswith("rcmwatch: error: ")
    assert contains in result.stderr_lines[0]


@pytest.mark.parametrize(
    ("url", "contains"),
    [
        ("not a url", "is not a valid SQLAlchemy URL"),
        ("mysql://root@127.0.0.1/test", "names backend 'mysql'"),
        ("", "database URL is empty"),
    ],
)
def test_bad_database_url(tmp_path, url, contains):
    result = run_cli("--db", url, "init", cwd=tmp_path)
    _assert_one_line_error(result, code=2, contains=contains)


def test_password_never_printed_in_errors(tmp_path):
    result = run_cli(
        "--db", "postgresql+psycopg://alice:s3cret@127.0.0.1:1/rcm", "init", cwd=tmp_path
    )
    _assert_one_line_error(result, code=2, contains="cannot open the store")
    assert "s3cret" not in result.stderr
    assert "***" in result.stderr


def test_unreachable_database(tmp_path):
    # Port 1 on loopback: nothing listens, the connection is refused at once.
    result = run_cli("--db", "postgresql+psycopg://postgres@127.0.0.1:1/test", "init", cwd=tmp_path)
    _assert_one_line_error(result, code=2, contains="cannot open the store")
    assert "is the database running" in result.stderr


def test_sqlite_folder_that_cannot_be_created(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    result = run_cli("--db", f"sqlite:///{blocker}/sub/store.db", "init", cwd=tmp_path)
    _assert_one_line_error(result, code=2, contains="cannot create the folder")


def test_schema_newer_than_the_code(sqlite_url, tmp_path):
    engine = make_engine(parse_database_url(sqlite_url))
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = 'ffff_from_the_future'"))
    engine.dispose()
    result = run_cli("--db", sqlite_url, "init", cwd=tmp_path)
    _assert_one_line_error(result, code=2, contains="ffff_from_the_future")
    assert "upgrade rcmwatch" in result.stderr


@pytest.mark.parametrize(
    ("env", "contains"),
    [
        ({"RCMWATCH_DASHBOARD_PORT": "eighty"}, "RCMWATCH_DASHBOARD_PORT='eighty' is not valid"),
        ({"RCMWATCH_AS_OF": "yesterday"}, "RCMWATCH_AS_OF='yesterday' is not valid"),
        ({"RCMWATCH_SQLITE_BUSY_TIMEOUT_MS": "100"}, "below 5000 ms"),
        ({"RCMWATCH_DEMO": "maybe"}, "RCMWATCH_DEMO='maybe' is not valid"),
    ],
)
def test_bad_settings(tmp_path, env, contains):
    result = run_cli("init", env=env, cwd=tmp_path)
    _assert_one_line_error(result, code=2, contains=contains)


def test_database_url_setting_is_hidden_when_bad(tmp_path):
    result = run_cli("init", env={"RCMWATCH_DATABASE_URL": "::::"}, cwd=tmp_path)
    assert result.code == 2 and len(result.stderr_lines) == 1


def test_unknown_command_is_a_usage_error(tmp_path):
    result = run_cli("frobnicate", cwd=tmp_path)
    assert result.code == 2
    assert "invalid choice" in result.stderr
    assert "Traceback" not in result.stderr


def test_no_command_prints_help_and_fails(tmp_path):
    result = run_cli(cwd=tmp_path)
    assert result.code == 2
    assert "usage: rcmwatch" in result.stderr


def test_demo_refuses_a_port_in_use(tmp_path):
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = run_cli(
            "demo",
            env={"RCMWATCH_DASHBOARD_PORT": str(port), "RCMWATCH_HOME": str(tmp_path / "h")},
            cwd=tmp_path,
        )
    _assert_one_line_error(result, code=2, contains=f"port {port} on 127.0.0.1 is already in use")


def test_unexpected_exception_becomes_one_internal_error_line(monkeypatch, capsys, tmp_path):
    from rcmwatch.cli import main as cli_main
    from rcmwatch.cli import settings as settings_cmd

    def boom(args, ctx):
        raise RuntimeError("disk on fire\nsecond line")

    monkeypatch.setattr(settings_cmd, "run", boom)
    monkeypatch.chdir(tmp_path)
    code = cli_main.main(["settings"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 70
    assert err == [
        "rcmwatch: internal error: RuntimeError: disk on fire second line "
        "(rerun with RCMWATCH_DEBUG=1 for details)"
    ]
