"""`rcmwatch demo` as a newcomer meets it: the dashboard is healthy within 60 s while the demo
health system is built beside it (with a progress notice), a real browser shows the Overview
filling up, and one Ctrl-C stops everything."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time

import pytest

from rcmwatch.demo import healthy
from tests.cli_runner import RCMWATCH
from tests.e2e.browser import browser_page, wait_for_streamlit

pytestmark = pytest.mark.browser


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def demo(tmp_path):
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("RCMWATCH_")}
    env.update(
        RCMWATCH_HOME=str(tmp_path / "home"),
        RCMWATCH_DASHBOARD_PORT=str(port),
        # A small system keeps the test quick; the default (25,000 claims) loads in ~2 minutes.
        RCMWATCH_DEMO_CLAIMS="300",
        # No broker: the demo's simulator would otherwise declare its queues, unprefixed, on
        # the shared test broker (tests/simulator covers the broker with a prefix of its own).
        RCMWATCH_AMQP_URL="",
    )
    # Output to a file: the scheduler and the simulator log steadily, and a pipe nobody reads
    # would fill and block them.
    log = tmp_path / "demo.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [str(RCMWATCH), "demo"], cwd=tmp_path, env=env, stdout=out, stderr=out
        )
    started = time.monotonic()
    while not healthy("127.0.0.1", port):
        if proc.poll() is not None or time.monotonic() - started > 60:
            proc.kill()
            pytest.fail(f"dashboard not healthy within 60 s: {log.read_text()[-3000:]}")
        time.sleep(0.25)
    yield proc, port, time.monotonic() - started
    if proc.poll() is None:
        proc.kill()
        proc.wait()


def test_demo_serves_the_overview_and_stops_on_ctrl_c(chromium, demo, tmp_path):
    proc, port, seconds = demo
    assert seconds < 60
    assert (tmp_path / "home" / "rcmwatch.db").is_file()
    with browser_page() as page:
        page.goto(f"http://127.0.0.1:{port}/")
        wait_for_streamlit(page)
        first = page.inner_text("body")
        # Loading goes on beside the dashboard; once done the Overview shows the system.
        deadline = time.monotonic() + 120
        body = first
        while "Building the demo health system" in body or "store is empty" in body:
            if time.monotonic() > deadline:
                pytest.fail(f"demo system not loaded within 120 s: {body[:500]}")
            time.sleep(2)
            page.reload()
            wait_for_streamlit(page)
            body = page.inner_text("body")
        page.screenshot(path=str(tmp_path / "overview.png"))
    assert "Overview" in first and "Signed in as" in first and "Demo administrator" in first
    assert "Claim payments (CLP)" in body and "Facilities" in body
    assert "Traceback" not in body

    proc.send_signal(signal.SIGINT)
    assert proc.wait(timeout=20) == 0
    assert not healthy("127.0.0.1", port)
