"""The commands of the contract that exist in this wave: init, --version, --help, --db, settings."""

from __future__ import annotations

from sqlalchemy import text

from rcmwatch import __version__
from rcmwatch.store.engine import open_store_url
from rcmwatch.store.migrate import head_revision
from tests.cli_runner import run_cli


def test_version(tmp_path):
    result = run_cli("--version", cwd=tmp_path)
    assert result.code == 0
    assert result.stdout.strip() == f"rcmwatch {__version__}"


def test_help_lists_commands_and_every_setting(tmp_path):
    from rcmwatch.settings import SETTINGS

    result = run_cli("--help", cwd=tmp_path)
    assert result.code == 0
    for command in ("init", "demo", "settings", "edi", "bench"):
        assert command in result.stdout
    for setting in SETTINGS:
        assert setting.env in result.stdout


def test_init_builds_the_embedded_default_and_is_idempotent(tmp_path):
    for _ in range(2):
        result = run_cli("init", cwd=tmp_path)
        assert result.code == 0, result.stderr
        assert f"revision {head_revision()}" in result.stdout
    db = tmp_path / ".rcmwatch" / "rcmwatch.db"
    assert db.is_file()
    store = open_store_url(f"sqlite:///{db}")
    with store.read() as conn:
        assert conn.execute(text("SELECT count(*) FROM carc_category")).scalar() == 93
        version = conn.execute(text("SELECT version, kind FROM governed_version")).one()
    store.dispose()
    assert tuple(version) == ("1", "carc_map")


def test_global_db_option_beats_the_environment(tmp_path):
    chosen = tmp_path / "chosen.db"
    ignored = tmp_path / "ignored.db"
    result = run_cli(
        "--db",
        f"sqlite:///{chosen}",
        "init",
        env={"RCMWATCH_DATABASE_URL": f"sqlite:///{ignored}"},
        cwd=tmp_path,
    )
    assert result.code == 0, result.stderr
    assert chosen.is_file() and not ignored.exists()


def test_subcommand_accepts_db_too(tmp_path):
    chosen = tmp_path / "sub.db"
    result = run_cli("init", "--db", f"sqlite:///{chosen}", cwd=tmp_path)
    assert result.code == 0, result.stderr
    assert chosen.is_file()


def test_init_on_postgres(pg_server, tmp_path):
    url = pg_server.fresh_database(migrated=False)
    try:
        result = run_cli("--db", url, "init", cwd=tmp_path)
        assert result.code == 0, result.stderr
        assert "postgresql+psycopg://" in result.stdout
    finally:
        from sqlalchemy.engine import make_url

        pg_server.drop(make_url(url).database)


def test_settings_shows_origin_and_hides_secrets(tmp_path):
    result = run_cli(
        "settings",
        env={
            "RCMWATCH_DATABASE_URL": "postgresql+psycopg://alice:s3cret@db.example/rcm",
            "RCMWATCH_DASHBOARD_PORT": "9000",
        },
        cwd=tmp_path,
    )
    assert result.code == 0, result.stderr
    assert "RCMWATCH_DASHBOARD_PORT=9000  [RCMWATCH_DASHBOARD_PORT]" in result.stdout
    assert "RCMWATCH_DATABASE_URL=(hidden)" in result.stdout
    assert "s3cret" not in result.stdout
    assert "effective store: postgresql+psycopg://alice:***@db.example/rcm" in result.stdout
