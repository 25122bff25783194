"""ERP CSV exports: each snapshot diffed against the previous one (new, changed, removed),
unchanged files not read, malformed lines quarantined, a missing column is schema drift."""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select, text

from collectors.csv_export import CsvExportCollector
from collectors.mapping import parse_mapping
from collectors.runner import run_source
from rcmwatch.clock import FixedClock
from rcmwatch.store.models import CollectorQuarantine, Payment

NOW = datetime(2024, 6, 15, 12, tzinfo=UTC)
MAPPING = {
    "table": [
        {
            "stream": "payments",
            "source_table": "payments",
            "target": "payment",
            "key": "PAY_ID",
            "updated_at": "CHANGED",
            "columns": {
                "pcn": "ACCT",
                "payer_type": {"column": "WHO", "values": {"INS": "payer", "PAT": "patient"}},
                "amount_cents": {"column": "AMOUNT", "money": "dollars"},
                "posted_at": "POSTED",
                "method": "METHOD",
            },
        }
    ]
}
HEADER = "PAY_ID,ACCT,WHO,AMOUNT,POSTED,METHOD,CHANGED\n"


def _export(folder: Path, lines: list[str], age: float = 60) -> None:
    path = folder / "payments.csv"
    path.write_text(HEADER + "".join(line + "\n" for line in lines))
    t = time.time() - age
    os.utime(path, (t, t))


def _line(i: int, amount: str | None = None) -> str:
    amount = f'"{amount}"' if amount else f"{i}.{i % 100:02d}"
    who = "INS" if i % 2 else "PAT"
    return f"P{i},A{i},{who},{amount},2024-06-0{1 + i % 9}T10:00:00,EFT,2024-06-10T00:00:00"


def _totals(store) -> tuple[int, Decimal]:
    with store.read() as conn:
        n, cents = conn.execute(
            text(
                "SELECT COUNT(*), COALESCE(SUM(amount_cents), 0) FROM payment "
                "WHERE removed_at_source IS NULL"
            )
        ).one()
    return n, Decimal(cents) / 100


def test_snapshots_are_diffed_against_the_previous_one(tmp_path, store):
    folder = tmp_path / "exports"
    folder.mkdir()
    mapping = parse_mapping(MAPPING, tmp_path / "m.toml", require_updated_at=False)
    collector = CsvExportCollector("erp_csv", folder, mapping)
    clock = FixedClock(NOW)
    _export(folder, [_line(i) for i in range(1, 301)])
    first = run_source(store, collector, clock=clock)
    assert first.ok and (first.stats.rows_read, first.stats.rows_written) == (300, 300)
    assert _totals(store) == (300, sum(Decimal(f"{i}.{i % 100:02d}") for i in range(1, 301)))

    unchanged = run_source(store, collector, clock=clock)
    assert unchanged.ok and unchanged.stats.rows_read == 0  # same size and mtime: not read

    lines = [_line(i) for i in range(1, 301) if i not in (10, 11)]
    lines[0] = _line(1, "999.99")  # changed
    lines += [_line(301), _line(302, "1,234.50")]  # new
    lines += ["P303,A303,INS,12.345,2024-06-01T10:00:00,EFT,2024-06-10T00:00:00"]  # bad cents
    lines += ["P304,A304,INS"]  # short line
    _export(folder, lines, age=30)
    second = run_source(store, collector, clock=clock)
    assert second.ok, second.line()
    assert second.stats.rows_written == 3 and second.stats.rows_quarantined == 2
    with store.read() as conn:
        removed = conn.execute(
            select(Payment.source_key).where(Payment.removed_at_source == NOW)
        ).scalars()
        assert sorted(removed) == ["P10", "P11"]
        assert conn.scalar(select(Payment.amount).where(Payment.source_key == "P302")) == Decimal(
            "1234.50"
        )
        reasons = conn.execute(select(CollectorQuarantine.reason)).scalars().all()
    assert any("fractions of a cent" in r for r in reasons)
    assert any("3 fields, header has 7" in r for r in reasons)
    expected = sum(Decimal(f"{i}.{i % 100:02d}") for i in range(2, 301) if i not in (10, 11))
    assert _totals(store) == (
        300,
        expected + Decimal("999.99") + Decimal("301.01") + Decimal("1234.50"),
    )


def test_a_missing_column_is_schema_drift_and_a_fresh_file_waits(tmp_path, sqlite_store):
    folder = tmp_path / "exports"
    folder.mkdir()
    mapping = parse_mapping(MAPPING, tmp_path / "m.toml", require_updated_at=False)
    collector = CsvExportCollector("erp_csv", folder, mapping)
    _export(folder, [_line(1)], age=0)
    waiting = run_source(sqlite_store, collector, clock=FixedClock(NOW))
    assert waiting.ok and waiting.stats.rows_read == 0
    assert "still being written" in waiting.stats.notices[0]
    (folder / "payments.csv").write_text("PAY_ID,ACCT\nP1,A1\n")
    t = time.time() - 60
    os.utime(folder / "payments.csv", (t, t))
    drift = run_source(sqlite_store, collector, clock=FixedClock(NOW))
    assert (drift.ok, drift.error_kind) == (False, "schema_drift")
    assert "no column(s) CHANGED, WHO, AMOUNT, POSTED, METHOD" in drift.error
