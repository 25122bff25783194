"""kill -9 of `rcmwatch ingest` in the middle of a file, then a re-run: exactly the rows of one
clean run (counts and money totals equal) — one transaction per file leaves nothing partial."""

from __future__ import annotations

import os
import signal
import subprocess
import time

import pytest

from rcmwatch.bench.remittance_builder import write_remittance
from tests.cli_runner import RCMWATCH, run_cli
from tests.ingest.natural import totals_and_counts

pytestmark = pytest.mark.slow

TOTALS = (
    "SELECT (SELECT count(*) FROM claim_payment), (SELECT sum(paid_cents) FROM claim_payment),"
    " (SELECT sum(amount_cents) FROM adjustment), (SELECT sum(payment_cents) FROM"
    " remit_transaction), (SELECT count(*) FROM inbound_file)"
)


def _totals(url: str):
    return totals_and_counts(url, TOTALS)


def test_kill_9_mid_file_then_rerun_equals_one_clean_run(tmp_path, request):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    built = write_remittance(inbox / "big.835", claims=40_000, seed=11)
    small = write_remittance(inbox / "small.835", claims=2_000, seed=12)
    clean_url = request.getfixturevalue("sqlite_url")
    crash_url = f"sqlite:///{tmp_path / 'crash.db'}"
    assert run_cli("--db", crash_url, "init").code == 0

    killed_mid_write = False
    for delay in (0.8, 1.6, 2.4, 3.2):
        proc = subprocess.Popen(
            [str(RCMWATCH), "--db", crash_url, "ingest", str(inbox / "big.835")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env={k: v for k, v in os.environ.items() if not k.startswith("RCMWATCH_")},
        )
        time.sleep(delay)
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
            killed_mid_write = True
            # Nothing of the killed file may be visible.
            assert _totals(crash_url)[0] == (0, None, None, None, 0)
            break
        proc.wait()
    assert killed_mid_write, "ingest finished before any kill: grow the file"

    assert run_cli("--db", crash_url, "ingest", str(inbox)).code == 0
    assert run_cli("--db", clean_url, "ingest", str(inbox)).code == 0
    crash, clean = _totals(crash_url), _totals(clean_url)
    assert crash == clean
    # Every CLP loop exactly once (the builder's count includes the reversal loops).
    assert crash[0][0] == built.claims + small.claims
    assert crash[0][4] == 2
