"""`rcmwatch demo` / `make run` start the scheduler and the simulator beside the dashboard: the
simulated clock moves in the store, the scheduler collects what the simulator writes, a broker
that is not there shows as a failing source instead of stopping anything, and one Ctrl-C stops
every process. The fresh-clone test runs `make run` in a `git clone` of this checkout, the way a
newcomer would."""

from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import subprocess
import time
from datetime import datetime
from pathlib import Path

import pytest

from rcmwatch.demo import healthy
from tests.cli_runner import RCMWATCH
from tests.conftest import REPO_ROOT

pytestmark = pytest.mark.slow
NO_BROKER = {
    # Ports nothing listens on: the machine "has no RabbitMQ".
    "RCMWATCH_AMQP_URL": "amqp://guest:guest@127.0.0.1:9/%2F",
    "RCMWATCH_RABBITMQ_MANAGEMENT_URL": "http://127.0.0.1:9",
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env(home: Path, port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RCMWATCH_")}
    env.update(
        RCMWATCH_HOME=str(home),
        RCMWATCH_DASHBOARD_PORT=str(port),
        RCMWATCH_DEMO_CLAIMS="300",
        **NO_BROKER,
    )
    return env


def _wait_healthy(proc, port: int, log: Path, limit: float = 60) -> float:
    started = time.monotonic()
    while not healthy("127.0.0.1", port):
        if proc.poll() is not None or time.monotonic() - started > limit:
            proc.kill()
            pytest.fail(f"dashboard not healthy within {limit:.0f} s: {log.read_text()[-3000:]}")
        time.sleep(0.25)
    return time.monotonic() - started


def _state(db: Path, key: str) -> dict | None:
    try:
        conn = sqlite3.connect(db)
        row = conn.execute("SELECT value FROM app_state WHERE key = ?", (key,)).fetchone()
        conn.close()
    except sqlite3.Error:
        return None
    return json.loads(row[0]) if row else None


def _processes_mentioning(text: str) -> list[str]:
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if text in cmd:
            found.append(cmd)
    return found


def test_demo_runs_scheduler_and_simulator_without_a_broker_and_stops_on_ctrl_c(tmp_path):
    home, port = tmp_path / "home", _free_port()
    log = tmp_path / "demo.log"
    # Output to a file: a pipe nobody reads would fill and block the children.
    with log.open("w") as out:
        proc = subprocess.Popen(
            [str(RCMWATCH), "demo"], cwd=tmp_path, env=_env(home, port), stdout=out, stderr=out
        )
    try:
        assert _wait_healthy(proc, port, log) < 60
        db = home / "rcmwatch.db"
        deadline = time.monotonic() + 150
        first = None
        while time.monotonic() < deadline:
            clock = _state(db, "sim_clock")
            if clock and first is None:
                first = datetime.fromisoformat(clock["now"])
            if clock and first and datetime.fromisoformat(clock["now"]) - first > _hours(6):
                break
            time.sleep(1)
        else:
            pytest.fail(f"simulated clock did not move: {_state(db, 'sim_clock')}")
        # The demo system was generated as of today (UTC); the simulator continues from it.
        load = _state(db, "demo_load")
        assert load["phase"] == "done"
        assert clock["system_dir"] == str((home / "demo-system").resolve())
        assert clock["now"] > load["as_of"]
        # The scheduler collects on the simulated clock: runs stamped after the as-of day.
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            conn = sqlite3.connect(db)
            runs = dict(
                conn.execute(
                    "SELECT source, MAX(started_at) FROM collector_run WHERE started_at > ? "
                    "GROUP BY source",
                    (load["as_of"] + " 23:59:59",),
                ).fetchall()
            )
            broker = conn.execute(
                "SELECT status, error_kind FROM collector_run WHERE source = 'broker' "
                "AND status != 'running' ORDER BY id DESC LIMIT 1"
            ).fetchone()
            conn.close()
            if {"engine", "workflow", "erp", "clearinghouse"} <= set(runs) and broker:
                break
            time.sleep(1)
        assert {"engine", "workflow", "erp", "clearinghouse"} <= set(runs)
        assert broker == ("failed", "unavailable")  # shown as not connected, not a crash
        # The simulator's files (named *_s1000NN.*) reach the store through the folder collector.
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            conn = sqlite3.connect(db)
            simulated = conn.execute(
                "SELECT COUNT(*) FROM inbound_file WHERE path LIKE '%\\_s1000%' ESCAPE '\\'"
            ).fetchone()[0]
            conn.close()
            if simulated:
                break
            time.sleep(2)
        assert simulated > 0
        assert proc.poll() is None  # nothing stopped the demo
    finally:
        proc.send_signal(signal.SIGINT)
        code = proc.wait(timeout=30)
    output = log.read_text()
    assert code == 0, output[-3000:]
    assert "broker not connected" in output or "not connected" in output
    assert _processes_mentioning(str(home)) == []
    assert not healthy("127.0.0.1", port)


def _hours(n: int):
    from datetime import timedelta

    return timedelta(hours=n)


@pytest.mark.skipif(not (REPO_ROOT / ".git").exists(), reason="not a git checkout")
def test_make_run_on_a_fresh_clone_is_healthy_within_60_seconds(tmp_path):
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "--quiet", str(REPO_ROOT), str(clone)], check=True)
    port = _free_port()
    env = _env(clone / ".rcmwatch", port)
    env.pop("RCMWATCH_HOME")  # the default, as a newcomer has it
    log = tmp_path / "make-run.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            ["make", "run"], cwd=clone, env=env, stdout=out, stderr=out, start_new_session=True
        )
    try:
        seconds = _wait_healthy(proc, port, log)
    finally:
        os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C in a terminal reaches the whole group
        code = proc.wait(timeout=30)
    assert seconds < 60
    assert code in (0, -signal.SIGINT, 2)  # make reports the interrupt; what it ran must stop
    deadline = time.monotonic() + 30
    while _processes_mentioning(str(clone)) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert _processes_mentioning(str(clone)) == []
    assert "rcmwatch: stopping..." in log.read_text()


@pytest.mark.rabbitmq
def test_demo_with_a_broker_publishes_and_collects_under_its_prefix(tmp_path):
    import uuid

    from rcmwatch.simulator.broker import Broker
    from tests.conftest import _skip_or_fail

    amqp = os.environ.get("RCMWATCH_TEST_AMQP_URL")
    if not amqp:
        _skip_or_fail("RabbitMQ not configured (set RCMWATCH_TEST_AMQP_URL)")
    prefix = f"rcmw_t_{uuid.uuid4().hex[:8]}."
    home, port = tmp_path / "home", _free_port()
    env = _env(home, port)
    env.update(
        RCMWATCH_AMQP_URL=amqp,
        RCMWATCH_RABBITMQ_MANAGEMENT_URL="http://127.0.0.1:15672",
        RCMWATCH_SIM_QUEUE_PREFIX=prefix,
    )
    log = tmp_path / "demo.log"
    with log.open("w") as out:
        proc = subprocess.Popen([str(RCMWATCH), "demo"], cwd=tmp_path, env=env, stdout=out,
                                stderr=out)  # fmt: skip
    db = home / "rcmwatch.db"
    try:
        _wait_healthy(proc, port, log)
        deadline = time.monotonic() + 180
        broker_run = clock = None
        while time.monotonic() < deadline:
            clock = _state(db, "sim_clock")
            try:
                conn = sqlite3.connect(db)
                broker_run = conn.execute(
                    "SELECT status, rows_read FROM collector_run WHERE source = 'broker' "
                    "AND status = 'ok' ORDER BY id DESC LIMIT 1"
                ).fetchone()
                samples = conn.execute(
                    "SELECT COUNT(DISTINCT queue) FROM queue_sample WHERE queue LIKE ?",
                    (prefix + "%",),
                ).fetchone()[0]
                conn.close()
            except sqlite3.Error:
                broker_run, samples = None, 0
            if clock and clock.get("broker", "").startswith("connected") and samples == 10:
                break
            time.sleep(2)
        assert clock["broker"].startswith("connected to 127.0.0.1")
        assert broker_run is not None and broker_run[0] == "ok"
        assert samples == 10  # five interface queues and their dead-letter queues
    finally:
        proc.send_signal(signal.SIGINT)
        code = proc.wait(timeout=30)
        cleanup = Broker(amqp, prefix)
        if cleanup.connect():
            cleanup.delete_topology()
            cleanup.close()
    assert code == 0, log.read_text()[-3000:]
