"""The real ``rcmwatch edi inspect --json`` process on 837, 999 and 277CA files."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from .claims_support import claim, interchange, professional, write

RCMWATCH = Path(sys.executable).with_name("rcmwatch")


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(RCMWATCH), "edi", "inspect", "--json", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _files(folder: Path) -> None:
    write(
        folder,
        interchange(
            [("837P", [professional([claim("P1", "100.10", ("99213", "60"), ("36415", "40.10"))])])]
        ),
        "a.837",
    )
    ack = ["AK1*HC*1", "AK2*837*0001", "IK5*A", "AK2*837*0002", "IK5*R*5", "AK9*P*2*2*1"]
    write(folder, interchange([("999", [ack])]), "b.999")
    status = [
        "BHT*0085*08*ACK1*20240511*1200*TH",
        "HL*1**20*1",
        "HL*2*1*21*1",
        "HL*3*2*19*1",
        "STC*A3:24*20240511*U",
        "HL*4*3*PT",
        "TRN*2*P1",
        "STC*A2:20*20240511*WQ*100.10",
    ]
    write(folder, interchange([("277CA", [status])]), "c.277")


def test_inspect_reports_claims_and_acks_per_file(tmp_path: Path) -> None:
    _files(tmp_path)
    done = _run(str(tmp_path))
    assert done.returncode == 0, done.stderr
    results = [json.loads(line) for line in done.stdout.splitlines()]
    assert [Path(r["file"]).name for r in results] == ["a.837", "b.999", "c.277"]
    claims, acks, statuses = results
    assert list(claims) == [*(
        "file", "ok", "error", "interchanges", "transactions", "claims", "warnings"
    )]  # fmt: skip
    assert claims["claims"] == {"claims": 1, "service_lines": 2, "charge_total": "100.10"}
    assert acks["acks"] == {
        "sets_accepted": 1,
        "sets_rejected": 1,
        "claims_accepted": 0,
        "claims_rejected": 0,
    }
    assert statuses["acks"] == {
        "sets_accepted": 0,
        "sets_rejected": 0,
        "claims_accepted": 0,
        "claims_rejected": 1,  # rejected by its provider's A3
    }
    assert statuses["transactions"] == {"277": 1}


def test_a_bad_file_fails_alone(tmp_path: Path) -> None:
    _files(tmp_path)
    (tmp_path / "d.txt").write_text("hello, not X12")
    truncated = interchange([("837P", [professional([claim("T1", "1", ("99211", "1"))])])])
    write(tmp_path, truncated[: truncated.index("SE*")], "e.837")
    done = _run(str(tmp_path))
    assert done.returncode == 1
    results = {Path(r["file"]).name: r for r in map(json.loads, done.stdout.splitlines())}
    assert [results[n]["ok"] for n in ("a.837", "b.999", "c.277")] == [True, True, True]
    assert results["d.txt"]["ok"] is False and results["d.txt"]["error"].startswith("not X12")
    assert results["e.837"]["ok"] is False and "truncated" in results["e.837"]["error"]


def test_inspect_stays_lean(tmp_path: Path) -> None:
    _files(tmp_path)
    code = (
        "import sys\n"
        "from rcmwatch.cli.main import main\n"
        f"sys.argv = ['rcmwatch', 'edi', 'inspect', '--json', {str(tmp_path)!r}]\n"
        "try:\n"
        "    main()\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = [m for m in ('streamlit', 'sqlalchemy', 'great_expectations', 'pandas')"
        " if m in sys.modules]\n"
        "print('HEAVY', heavy, file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    assert "HEAVY []" in done.stderr, done.stderr


def test_bench_edi_claims_runs_end_to_end(tmp_path: Path) -> None:
    done = subprocess.run(
        [str(RCMWATCH), "bench", "edi-claims", "--source", "builder", "--claims", "300",
         "--per-transaction", "50", "--repeat", "1", "--workdir", str(tmp_path), "--json"],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.splitlines()[-1])
    assert set(report["files"]) == {"837P", "999", "277CA"}
    claims = report["files"]["837P"]
    assert claims["claims"] == 300
    for key in ("inspect", "pyx12_raw", "flatten_full", "inspect_in_process"):
        assert claims[key]["median_s"] > 0
    assert claims["inspect"]["peak_rss_mb"] > 0


def _segments_in(files: list[Path], tag: bytes) -> int:
    head = tag + b"*"
    return sum(seg.strip().startswith(head) for p in files for seg in p.read_bytes().split(b"~"))


def test_bench_x12_on_generated_files_agrees_with_the_files(tmp_path: Path) -> None:
    """The default benchmark input is the generated system's files, concatenated per kind; the
    bench itself fails unless vectorised inspect equals the reference engine's per-file sums.
    Here: it ran, and its claim counts are the CLM / CLP segments of the generated files."""
    cache = tmp_path / "cache"
    for argv in (
        ["edi-claims", "--claims", "300", "--repeat", "1", "--pyx12-repeat", "1"],
        ["edi", "--claims", "300", "--runs", "1", "--big-mb", "1"],
    ):
        done = subprocess.run(
            [str(RCMWATCH), "bench", *argv, "--workdir", str(tmp_path / argv[0]),
             "--cache", str(cache), "--json"],
            capture_output=True, text=True, timeout=300, check=False,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        report = json.loads(done.stdout.splitlines()[-1])
        house = cache / "system-300-s1" / "clearinghouse"
        if argv[0] == "edi-claims":
            p837 = sorted((house / "outbound").glob("*_837P_*"))
            assert report["files"]["837P"]["claims"] == _segments_in(p837, b"CLM") > 0
        else:
            p835 = sorted((house / "inbound").glob("*_835_*"))
            assert report["file"]["source"] == "generated"
            assert report["file"]["claims"] == _segments_in(p835, b"CLP") > 0
            assert report["big_file"]["size_mb"] >= 1
