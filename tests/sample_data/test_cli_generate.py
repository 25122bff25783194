"""``rcmwatch generate`` and ``rcmwatch bench generate`` from the command line."""

from __future__ import annotations

import json

from tests.cli_runner import run_cli


def test_generate_writes_the_layout_and_a_manifest(tmp_path):
    out = tmp_path / "hs"
    r = run_cli(
        "generate",
        "--out",
        str(out),
        "--claims",
        "800",
        "--months",
        "2",
        "--as-of",
        "2024-07-01",
        "--seed",
        "3",
    )
    assert r.code == 0, r.stderr
    assert "800 claims" in r.stdout
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["as_of"] == "2024-07-01" and manifest["claims"] == 800
    assert manifest["first_service_date"] == "2024-05-01"
    assert set(manifest["files"]) == {"835", "837I", "837P", "999", "277CA"}
    for folder in (
        "reference",
        "clearinghouse/outbound",
        "clearinghouse/inbound",
        "sources",
        "exports/erp",
        "exports/workflow",
        "exports/engine",
    ):
        assert any((out / folder).iterdir()), folder
    assert not (out / ".work").exists()


def test_generate_rejects_bad_arguments_in_one_line(tmp_path):
    r = run_cli("generate", "--out", str(tmp_path), "--scenario", "nope")
    assert r.code == 2 and "invalid choice" in r.stderr
    r = run_cli("generate", "--out", str(tmp_path), "--as-of", "yesterday")
    assert r.code == 2 and "not a date" in r.stderr
    r = run_cli("generate", "--out", str(tmp_path), "--months", "40", "--claims", "10")
    assert r.code == 2 and r.stderr_lines == [
        "rcmwatch: error: --months must be at most 36, "
        "not 40 (check the value; `rcmwatch --help` lists "
        "every setting)"
    ]


def test_bench_generate_reports_time_and_memory():
    r = run_cli("bench", "generate", "--claims", "2000", "--months", "2")
    assert r.code == 0, r.stderr
    assert "wall time" in r.stdout and "peak RSS" in r.stdout
