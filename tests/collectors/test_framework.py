"""The framework's small parts as tables of cases: freshness (stale at twice the cadence), the
retry policy as data, mapping validation (one line naming file and key), exact money."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest

from collectors.errors import SourceConfigError, SourceTimeout, SourceUnavailable
from collectors.freshness import STATE_SCHEMA, freshness, load_freshness
from collectors.mapping import RowRefused, parse_mapping, to_cents_exact
from collectors.retry import RetryPolicy, call_with_retry
from collectors.runner import run_source
from rcmwatch.clock import FixedClock

AS_OF = datetime(2024, 6, 15, 12, tzinfo=UTC)


def _states(rows):
    return pl.DataFrame(rows, schema=STATE_SCHEMA, orient="row")


def test_freshness_is_stale_at_twice_the_cadence():
    h = timedelta(hours=1)
    frame = freshness(
        _states(
            [
                ("a_fresh", "sql", 3600, AS_OF - 2 * h, AS_OF - 3 * h, True, None),
                ("b_edge", "sql", 3600, AS_OF - 2 * h - timedelta(seconds=1), None, True, None),
                ("c_never", "csv", 60, None, None, True, None),
                ("d_failing", "rabbitmq", 60, AS_OF - timedelta(seconds=30), None, False, "x"),
            ]
        ),
        AS_OF,
    )
    got = frame.select("source", "status", "since_success_s", "since_newest_s").rows()
    assert got == [
        ("a_fresh", "fresh", 7200.0, 10800.0),
        ("b_edge", "stale", 7201.0, None),
        ("c_never", "never", None, None),
        ("d_failing", "fresh", 30.0, None),
    ]
    assert frame["healthy"].to_list() == [True, True, True, False]


def test_freshness_reads_the_source_state_the_runner_writes(store):
    class Quiet:
        name, kind, cadence_seconds, retry, full_scan_seconds = (
            "quiet",
            "sql",
            60,
            RetryPolicy(),
            None,
        )

        def collect(self, run):
            run.stats.saw(AS_OF - timedelta(days=2))

        def close(self):
            return None

    assert run_source(store, Quiet(), clock=FixedClock(AS_OF - timedelta(minutes=3))).ok
    with store.read() as conn:
        frame = load_freshness(conn, AS_OF)
    assert frame.select("source", "status", "since_success_s", "since_newest_s").rows() == [
        ("quiet", "stale", 180.0, 2 * 86400.0 + 0.0)
    ]


def test_retry_backoff_is_exponential_capped_and_jittered():
    policy = RetryPolicy(attempts=6, base_seconds=1, multiplier=3, max_seconds=20, jitter=0)
    assert [policy.delay(n) for n in range(1, 6)] == [1, 3, 9, 20, 20]
    jittered = RetryPolicy(base_seconds=10, jitter=0.5)
    delays = {round(jittered.delay(1, random.Random(seed)), 3) for seed in range(20)}
    assert len(delays) > 10 and all(5 <= d <= 15 for d in delays)


def test_retry_stops_on_success_and_on_errors_that_retrying_cannot_help():
    calls = []

    def flaky():
        calls.append(1)
        if len(calls) < 3:
            raise SourceTimeout("slow")
        return "ok"

    waits: list[float] = []
    assert call_with_retry(flaky, RetryPolicy(jitter=0), sleep=waits.append) == "ok"
    assert waits == [1.0, 2.0]
    with pytest.raises(SourceConfigError):
        call_with_retry(lambda: (_ for _ in ()).throw(SourceConfigError("x")), RetryPolicy())
    with pytest.raises(SourceUnavailable):
        call_with_retry(
            lambda: (_ for _ in ()).throw(SourceUnavailable("down")),
            RetryPolicy(attempts=2, jitter=0),
            sleep=waits.append,
        )


@pytest.mark.parametrize(
    ("value", "unit", "cents"),
    [
        ("12.34", "dollars", 1234),
        ("-0.07", "dollars", -7),
        ("1,234.50", "dollars", 123450),
        (Decimal("19.99"), "dollars", 1999),
        (0.07, "dollars", 7),  # a REAL column: its shortest text, never float arithmetic
        (5, "dollars", 500),
        ("1234", "cents", 1234),
        (1234, "cents", 1234),
        (12.0, "cents", 12),
    ],
)
def test_money_is_converted_exactly(value, unit, cents):
    assert to_cents_exact(value, unit) == cents


@pytest.mark.parametrize("value", ["12.345", "abc", "NaN", "Infinity", True, "12.5c"])
def test_money_that_is_not_exact_is_refused(value):
    with pytest.raises(RowRefused):
        to_cents_exact(value, "dollars" if value != "12.5c" else "cents")


BASE = {"source_table": "t", "target": "payment", "key": "id", "updated_at": "u"}
COLS = {
    "payer_type": "w",
    "amount_cents": {"column": "a", "money": "dollars"},
    "posted_at": "p",
}


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({**BASE, "target": "claims"}, "table 't'.target: no canonical table 'claims'"),
        ({**BASE, "target": "claim"}, "canonical table 'claim' does not take source rows"),
        ({**BASE, "columns": {**COLS, "amount_cents": "a"}},
         'a money column must say money = "cents" or "dollars"'),
        ({**BASE, "columns": {**COLS, "colour": "c"}}, "table 'payment' has no column 'colour'"),
        ({**BASE, "columns": {"payer_type": "w", "posted_at": "p"}},
         "canonical column payment.amount_cents must be mapped"),
        ({**BASE, "columns": {**COLS, "facility_id": {"column": "f", "lookup": "clinic"}}},
         "lookup: must be one of facility, payer"),
        ({**BASE, "updated_at": None, "columns": COLS}, "updated_at: is required for SQL"),
        ({**BASE, "batch_size": 0, "columns": COLS}, "batch_size: must be an integer"),
        ({**BASE, "columns": {**COLS, "source_key": "k"}}, "filled by the collector"),
    ],
)  # fmt: skip
def test_mapping_errors_name_the_file_and_the_key(table, message):
    table = {k: v for k, v in table.items() if v is not None}
    table.setdefault("columns", COLS)
    with pytest.raises(SourceConfigError) as err:
        parse_mapping({"table": [table]}, Path("/etc/rcm/erp.toml"))
    line = str(err.value)
    assert line.startswith("/etc/rcm/erp.toml: ") and message in line and "\n" not in line


def test_the_shipped_generator_mappings_are_valid():
    from collectors.mapping import load_mapping

    folder = Path(__file__).resolve().parents[2] / "collectors" / "mappings" / "generator"
    files = sorted(folder.glob("*.toml"))
    assert [f.name for f in files] == ["engine.toml", "erp.toml", "workflow.toml"]
    for f in files:
        assert load_mapping(f).tables


@pytest.mark.parametrize(
    ("zone", "value", "utc"),
    [
        # A source's naive times are in its mapping's zone: EST in March before the change...
        ("America/New_York", "2024-03-10 01:30:00", "2024-03-10T06:30:00+00:00"),
        # ...EDT in July; an explicit offset or Z wins over the zone.
        ("America/New_York", "2024-07-01 12:00:00", "2024-07-01T16:00:00+00:00"),
        ("America/New_York", "2024-07-01T12:00:00+02:00", "2024-07-01T10:00:00+00:00"),
        ("America/New_York", "2024-07-01T12:00:00Z", "2024-07-01T12:00:00+00:00"),
        ("UTC", "2024-07-01 12:00:00", "2024-07-01T12:00:00+00:00"),
        ("UTC", "2024-07-01T12:00:00-05:00", "2024-07-01T17:00:00+00:00"),
        ("UTC", datetime(2024, 7, 1, 12, 0), "2024-07-01T12:00:00+00:00"),
    ],
)
def test_source_times_are_stored_in_utc(zone, value, utc):
    from collectors.sink import RowConverter

    mapping = parse_mapping({"timezone": zone, "table": [{**BASE, "columns": COLS}]}, Path("m"))
    batch = RowConverter(mapping.tables[0]).convert(
        [{"id": "P1", "w": "patient", "a": "12.50", "p": value, "u": "2024-07-02"}]
    )
    assert not batch.refused
    row = batch.rows[0]
    assert row["posted_at"].isoformat() == utc and row["posted_at"].utcoffset() == timedelta(0)
    assert row["amount_cents"] == 1250
