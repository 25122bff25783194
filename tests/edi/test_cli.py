"""``rcmwatch edi inspect --json`` as a user runs it: the real console script, as a subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from .x12_builder import interchange, remittance, write

REPO = Path(__file__).resolve().parents[2]
RCMWATCH = REPO / ".venv" / "bin" / "rcmwatch"
CLAIMS = [
    "CLP*A1*1*100*80*20*12*X1*11*1",
    "CAS*PR*2*20",
    "CLP*A2*1*300*0*0*12*X2*11*1",
    "CAS*CO*197*300",
    "CLP*A3*1*500*300*0*12*X3*11*1",
    "SVC*HC:99213*200*0**1",
    "CAS*CO*50*200",
    "SVC*HC:80053*300*300**1",
]


def run(*args: str | Path) -> tuple[int, list[dict], str]:
    if not RCMWATCH.exists():
        pytest.skip(f"{RCMWATCH} missing: run `make setup`")
    proc = subprocess.run(
        [str(RCMWATCH), "edi", "inspect", "--json", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    lines = [json.loads(line) for line in proc.stdout.splitlines()]
    return proc.returncode, lines, proc.stderr


def test_valid_file(tmp_path: Path) -> None:
    path = write(tmp_path, interchange([remittance("380", CLAIMS)]))
    code, [result], stderr = run(path)
    assert (code, stderr) == (0, "")
    assert result == {
        "file": str(path),
        "ok": True,
        "error": None,
        "interchanges": 1,
        "transactions": {"835": 1},
        "era": {
            "claims": 3,
            "charge_total": "900.00",
            "paid_total": "380.00",
            "patient_responsibility_total": "20.00",
            "provider_adjustment_total": "0.00",
            "payment_total": "380.00",
            "denied_claims": 1,
            "partially_denied_claims": 1,
            "reversals": 0,
            "balanced": True,
        },
        "warnings": [],
    }


def test_bad_files_fail_one_line_each_and_the_others_are_reported(tmp_path: Path) -> None:
    good = write(tmp_path, interchange([remittance("380", CLAIMS)]), "good.835")
    text = interchange([remittance("380", CLAIMS)])
    truncated = write(tmp_path, text[: text.index("SE*")], "truncated.835")
    not_x12 = write(tmp_path, b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "scan.pdf")
    missing = tmp_path / "missing.835"
    code, results, stderr = run(truncated, good, not_x12, missing)
    assert code == 1 and stderr == ""
    assert [r["ok"] for r in results] == [False, True, False, False]
    assert results[0]["error"] == (
        "truncated: the file ends with ST 835 0001 (segment 3), GS 1 (segment 2), "
        "ISA 000000001 (segment 1) open"
    )
    assert results[2]["error"].startswith("not X12: the file does not start with ISA or ST")
    assert results[3]["error"] == "cannot read the file: No such file or directory"
    for result in results:
        if not result["ok"]:
            assert list(result) == [
                "file", "ok", "error", "interchanges", "transactions", "warnings"
            ]  # fmt: skip
            assert "era" not in result


def test_folders_are_walked(tmp_path: Path) -> None:
    write(tmp_path, interchange([remittance("380", CLAIMS)]), "b.835")
    write(tmp_path, interchange([["AK1*HC*1"]], set_id="999"), "a.999")
    (tmp_path / ".hidden").write_text("not X12")
    code, results, _ = run(tmp_path)
    assert code == 0
    assert [Path(r["file"]).name for r in results] == ["a.999", "b.835"]
    assert "era" not in results[0] and "era" in results[1]


def test_corpus_exit_code(corpus: Path) -> None:
    code, results, _ = run(*sorted(p for p in corpus.glob("*/*") if p.suffix != ".md"))
    assert code == 0 and len(results) == 37 and all(r["ok"] for r in results)


def test_usage_errors_are_one_line() -> None:
    if not RCMWATCH.exists():
        pytest.skip(f"{RCMWATCH} missing: run `make setup`")
    proc = subprocess.run(
        [str(RCMWATCH), "edi", "inspect", "x.835"], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 2 and "--json" in proc.stderr and "Traceback" not in proc.stderr


def test_inspect_import_path_is_lean(tmp_path: Path) -> None:
    """No Streamlit, Great Expectations, SQLAlchemy or pandas behind `edi inspect`."""
    path = write(tmp_path, interchange([remittance("380", CLAIMS)]))
    probe = (
        "import sys, contextlib, io\n"
        "from rcmwatch.cli.main import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    code = main(['edi', 'inspect', '--json', {str(path)!r}])\n"
        "heavy = ['streamlit', 'great_expectations', 'sqlalchemy', 'pandas', 'plotly', 'alembic']\n"
        "print(code, sorted(m for m in heavy if m in sys.modules))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, cwd=REPO
    )
    assert proc.stdout.strip() == "0 []", proc.stderr


def test_worker_processes_option(tmp_path: Path) -> None:
    """--workers 2 forks two workers from the Polars-free CLI process: the same JSON."""
    path = write(tmp_path, interchange([remittance("380", CLAIMS)] * 3))
    _, plain, _ = run(path)
    code, pooled, stderr = run("--workers", "2", path)
    assert (code, stderr) == (0, "")
    assert pooled == plain
    code, _, stderr = run("--workers", "0", path)
    assert code == 1 and stderr.strip() == "rcmwatch: error: --workers must be at least 1"


def test_acknowledgment_chunks_are_told_apart_for_the_memory_bound() -> None:
    """inspect keeps at most two fully flattened (999/277CA) chunks in flight: it must tell them
    from 835/837 chunks by their first ST, behind an ISA/GS header or not, on any separator."""
    from collectors.edi.chunks import Chunk
    from collectors.edi.delimiters import Delimiters
    from collectors.edi.inspect import _fully_flattened

    star, bar = Delimiters("*", ":", "^", "~"), Delimiters("|", ":", "^", "~")
    header = b"ISA*00*" + b" " * 100 + b"~GS*HN*A*B*20240510*1200*1*X*005010X214~"
    cases = [
        (b"ST*277*0001*005010X214~BHT*0085~", star, True),
        (header + b"ST*999*0001~AK1*HC*1~", star, True),
        (b"ST|277|0001~", bar, True),
        (b"ST*835*0001~BPR*I*1*C~", star, False),
        (header + b"ST*837*0001~", star, False),
        (b"ST|277|0001~", star, False),  # another separator: no ST of this file
    ]
    for data, delimiters, heavy in cases:
        assert _fully_flattened(Chunk(data, delimiters, 0)) is heavy, data
