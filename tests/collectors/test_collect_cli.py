"""``rcmwatch collect`` as users run it: kill -9 in the middle of a batch, then a re-run, gives
every record exactly once (count and money total equal to the source's); exit codes and one-line
errors for a failing source and a broken sources file."""

from __future__ import annotations

import os
import subprocess
import time
from decimal import Decimal

import pytest
from sqlalchemy import text

from rcmwatch.store.engine import open_store_url
from tests.cli_runner import RCMWATCH, run_cli
from tests.collectors import vendor

SOURCES = """
[source.acme_wq]
kind = "sql"
url = "sqlite:///acme_wq.sqlite"
mapping = "acme_wq.toml"
full_scan_seconds = 0

[source.broken]
kind = "sql"
url = "postgresql+psycopg://postgres@127.0.0.1:1/none"
mapping = "acme_wq.toml"
enabled = {enabled}
timeout_seconds = 2
retry = {{ attempts = 2, base_seconds = 0.1, jitter = 0.0 }}
"""


def _setup(tmp_path, rows: int, batch: int, broken: bool = False):
    url = f"sqlite:///{tmp_path / 'acme_wq.sqlite'}"
    vendor.create_schema(url)
    vendor.insert_items(url, range(1, rows + 1))
    vendor.write_mapping(tmp_path, batch)
    sources = tmp_path / "sources.toml"
    sources.write_text(SOURCES.format(enabled="true" if broken else "false"))
    return url, sources


def _totals(store) -> tuple[int, Decimal]:
    with store.read() as conn:
        n, cents = conn.execute(
            text("SELECT COUNT(*), COALESCE(SUM(amount_cents), 0) FROM work_item")
        ).one()
    return n, Decimal(cents) / 100


@pytest.mark.slow
def test_kill_9_mid_batch_then_restart_gives_every_record_exactly_once(store_url, tmp_path):
    url, sources = _setup(tmp_path, rows=12_000, batch=100)
    env = {k: v for k, v in os.environ.items() if not k.startswith("RCMWATCH_")}
    args = [str(RCMWATCH), "--db", store_url, "collect", "--once", "--sources", str(sources)]
    store = open_store_url(store_url)
    proc = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while _totals(store)[0] < 1_000:
            assert proc.poll() is None, "finished before it could be killed"
            assert time.monotonic() < deadline
            time.sleep(0.02)
        proc.kill()  # kill -9, in the middle of the run (and likely of a batch)
        proc.communicate(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
    partial = _totals(store)[0]
    assert 0 < partial < 12_000
    done = run_cli(*args[1:], env=env)
    assert done.code == 0, done.stderr
    assert _totals(store) == vendor.source_totals(url)
    with store.read() as conn:
        statuses = conn.execute(text("SELECT status FROM collector_run ORDER BY id")).scalars()
        assert list(statuses) == ["interrupted", "ok"]
    store.dispose()


def test_collect_once_exits_1_when_a_source_fails_and_the_others_still_run(sqlite_url, tmp_path):
    _, sources = _setup(tmp_path, rows=50, batch=20, broken=True)
    result = run_cli("--db", sqlite_url, "collect", "--once", "--sources", str(sources))
    assert result.code == 1
    assert "acme_wq: ok (50 read, 50 written, 0 quarantined)" in result.stdout
    # Retries are logged as warnings; the last line is the source's failure.
    assert result.stderr_lines[-1].startswith("broken: failed [unavailable] broken: ")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "sources file {path} does not exist"),
        ("[source.x]\nkind = 'sql'\nurl = 'a'\n", "{path}: source.x.mapping: is required"),
        ("[source.x]\nkind = 'csv'\nfolder = 'f'\nmapping = 'm'\nspeed = 3\n",
         "{path}: source.x.speed: unknown key for a csv source"),
    ],
)  # fmt: skip
def test_a_broken_sources_file_is_one_line(sqlite_url, tmp_path, content, message):
    path = tmp_path / "sources.toml"
    if content is not None:
        path.write_text(content)
    result = run_cli("--db", sqlite_url, "collect", "--once", "--sources", str(path))
    assert result.code == 2
    (line,) = result.stderr_lines
    assert message.format(path=path) in line and "Traceback" not in result.stderr


def test_a_bad_mapping_is_a_failed_run_naming_file_and_key(sqlite_url, tmp_path):
    _setup(tmp_path, rows=1, batch=20)
    (tmp_path / "acme_wq.toml").write_text(
        "[[table]]\nsource_table='wq_item'\ntarget='work_item'\nkey='item_no'\n"
        "updated_at='last_mod'\n[table.columns]\ntype='item_type'\n"
    )
    result = run_cli(
        "--db", sqlite_url, "collect", "--once", "--source", "acme_wq", "--sources",
        str(tmp_path / "sources.toml"),
    )  # fmt: skip
    assert result.code == 1
    assert "acme_wq.toml: table 'wq_item'.columns: canonical column work_item.stage must be " \
        "mapped" in result.stderr  # fmt: skip
