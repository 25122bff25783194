"""``rcmwatch bench checks``: every suite in full on SQLite and PostgreSQL side by side, then an
incremental run after one simulated day.

Each backend runs on a throwaway copy of the fixture store (a file copy on SQLite, ``CREATE
DATABASE ... TEMPLATE`` on PostgreSQL): a full run (which records the state an incremental run
starts from), then one simulated day — the claims first submitted on the newest submission day
and the remits produced on the newest production day cloned as new rows with new ids (claims
under new patient control numbers, in one new 837 and one new 835 file) — then an incremental
run. Great Expectations' import is timed apart (it happens once per process).
"""

from __future__ import annotations

import shutil
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import inspect, text

from checks.catalog import SqlContext
from checks.sql import ts

FULL_TARGET_S = 60.0
INCREMENTAL_TARGET_S = 5.0


def _columns(conn, table: str) -> list[str]:
    return [c["name"] for c in inspect(conn).get_columns(table)]


def _max_id(conn, table: str) -> int:
    return int(conn.execute(text(f"SELECT COALESCE(MAX(id), 0) FROM {table}")).scalar_one())


def _clone(conn, table: str, where: str, overrides: dict[str, str]) -> int:
    cols = _columns(conn, table)
    exprs = [overrides.get(c, c) for c in cols]
    result = conn.execute(
        text(
            f"INSERT INTO {table} ({', '.join(cols)}) "
            f"SELECT {', '.join(exprs)} FROM {table} WHERE {where}"
        )
    )
    return result.rowcount or 0


def _new_file(conn, kind: str, at: datetime, sqlite: bool) -> int:
    sha = uuid.uuid4().hex + uuid.uuid4().hex
    stamp = at.replace(tzinfo=None) if sqlite else at
    conn.execute(
        text(
            "INSERT INTO inbound_file (sha256, path, size_bytes, received_at, source, status, "
            "file_kind, is_test) VALUES (:sha, :path, 0, :at, 'bench', 'ingested', :kind, FALSE)"
        ),
        {"sha": sha, "path": f"bench/simulated-day.{kind}", "at": stamp, "kind": kind},
    )
    return int(
        conn.execute(text("SELECT id FROM inbound_file WHERE sha256 = :s"), {"s": sha}).scalar()
    )


def simulate_day(store, at: datetime) -> dict[str, int]:
    """Clone the newest day's claims and remits as new rows (see the module docstring)."""
    tables = (
        "submission", "claim", "claim_version", "claim_line", "diagnosis", "remit_transaction",
        "claim_payment", "service_line_payment", "adjustment", "provider_adjustment",
    )  # fmt: skip
    added: dict[str, int] = {}
    with store.write() as conn:
        off = {t: _max_id(conn, t) for t in tables}
        day_of = "date(submitted_at)" if store.is_sqlite else "CAST(submitted_at AS DATE)"
        newest_sub = conn.execute(text(f"SELECT MAX({day_of}) FROM submission")).scalar()
        newest_remit = conn.execute(text("SELECT MAX(production_date) FROM remit_transaction"))
        newest_remit = newest_remit.scalar()
        now = ts(SqlContext("sqlite" if store.is_sqlite else "postgresql", at), at)
        f837 = _new_file(conn, "837", at, store.is_sqlite)
        f835 = _new_file(conn, "835", at, store.is_sqlite)
        subs = (
            f"SELECT id FROM submission WHERE {day_of} = '{newest_sub}' "
            f"AND id <= {off['submission']}"
        )
        added["submission"] = _clone(
            conn, "submission", f"id IN ({subs})",
            {
                "id": f"id + {off['submission']}", "inbound_file_id": str(f837), "seq": "id",
                "submitted_at": now,
            },
        )  # fmt: skip
        claims = f"SELECT id FROM claim WHERE first_submission_id IN ({subs})"
        added["claim"] = _clone(
            conn, "claim", f"id IN ({claims})",
            {
                "id": f"id + {off['claim']}", "pcn": "pcn || '-D1'",
                "first_submission_id": f"first_submission_id + {off['submission']}",
                "first_submitted_at": now,
            },
        )  # fmt: skip
        versions = (
            f"SELECT id FROM claim_version WHERE submission_id IN ({subs}) "
            f"AND claim_id IN ({claims})"
        )
        added["claim_version"] = _clone(
            conn, "claim_version", f"id IN ({versions})",
            {
                "id": f"id + {off['claim_version']}", "claim_id": f"claim_id + {off['claim']}",
                "submission_id": f"submission_id + {off['submission']}",
                "replaces_version_id": "NULL",
            },
        )  # fmt: skip
        for child in ("claim_line", "diagnosis"):
            added[child] = _clone(
                conn, child, f"claim_version_id IN ({versions})",
                {
                    "id": f"id + {off[child]}",
                    "claim_version_id": f"claim_version_id + {off['claim_version']}",
                },
            )  # fmt: skip
        remits = (
            f"SELECT id FROM remit_transaction WHERE production_date = '{newest_remit}' "
            f"AND id <= {off['remit_transaction']}"
        )
        added["remit_transaction"] = _clone(
            conn, "remit_transaction", f"id IN ({remits})",
            {"id": f"id + {off['remit_transaction']}", "inbound_file_id": str(f835), "seq": "id"},
        )  # fmt: skip
        payments = f"SELECT id FROM claim_payment WHERE remit_transaction_id IN ({remits})"
        added["claim_payment"] = _clone(
            conn, "claim_payment", f"id IN ({payments})",
            {
                "id": f"id + {off['claim_payment']}",
                "remit_transaction_id": f"remit_transaction_id + {off['remit_transaction']}",
                "reverses_claim_payment_id": "NULL",
            },
        )  # fmt: skip
        added["service_line_payment"] = _clone(
            conn, "service_line_payment", f"claim_payment_id IN ({payments})",
            {
                "id": f"id + {off['service_line_payment']}",
                "claim_payment_id": f"claim_payment_id + {off['claim_payment']}",
            },
        )  # fmt: skip
        added["adjustment"] = _clone(
            conn, "adjustment", f"claim_payment_id IN ({payments})",
            {
                "id": f"id + {off['adjustment']}",
                "claim_payment_id": f"claim_payment_id + {off['claim_payment']}",
                "service_line_payment_id": (
                    f"service_line_payment_id + {off['service_line_payment']}"
                ),
            },
        )  # fmt: skip
        added["provider_adjustment"] = _clone(
            conn, "provider_adjustment", f"remit_transaction_id IN ({remits})",
            {
                "id": f"id + {off['provider_adjustment']}",
                "remit_transaction_id": f"remit_transaction_id + {off['remit_transaction']}",
            },
        )  # fmt: skip
        if not store.is_sqlite:
            for t in tables:
                conn.execute(
                    text(f"SELECT setval(pg_get_serial_sequence('{t}', 'id'), "
                         f"(SELECT MAX(id) FROM {t}))")
                )  # fmt: skip
    return added


def _copy_sqlite(url: str, workdir: Path) -> str:
    from sqlalchemy.engine import make_url

    source = Path(make_url(url).database)
    import sqlite3

    with sqlite3.connect(source) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    target = workdir / "checks-bench.db"
    shutil.copyfile(source, target)
    return f"sqlite:///{target}"


def _copy_postgres(url: str) -> tuple[str, Callable[[], None]]:
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    src = make_url(url)
    name = f"{src.database}_checks_{uuid.uuid4().hex[:6]}"
    admin = create_engine(src.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{src.database}"'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return src.set(database=name).render_as_string(hide_password=False), drop


def _backend_run(url: str, as_of: datetime, log) -> dict:
    from checks.run import run_and_record
    from rcmwatch.store.engine import open_store_url

    store = open_store_url(url)
    try:
        full = run_and_record(store, as_of, mode="full")
        slowest = sorted(full.outcomes, key=lambda o: o.seconds, reverse=True)[:5]
        log(
            f"{store.backend}: full run {full.seconds:.2f} s "
            f"({', '.join(f'{o.check.id} {o.seconds:.2f}' for o in slowest)})"
        )
        added = simulate_day(store, as_of)
        log(f"{store.backend}: simulated day: {added}")
        incremental = run_and_record(store, as_of, mode="incremental")
        log(f"{store.backend}: incremental run {incremental.seconds:.2f} s")
        return {
            "backend": store.backend,
            "full_seconds": round(full.seconds, 2),
            "full_per_check": {o.check.id: round(o.seconds, 3) for o in full.outcomes},
            "full_failing": {
                o.check.id: o.unexpected_count for o in full.outcomes if not o.success
            },
            "full_errored": {o.check.id: o.error for o in full.outcomes if o.errored},
            "day_rows_added": added,
            "incremental_seconds": round(incremental.seconds, 2),
            "incremental_per_check": {
                o.check.id: round(o.seconds, 3) for o in incremental.outcomes
            },
            "incremental_scoped": [
                o.check.id for o in incremental.outcomes if o.mode == "incremental"
            ],
            "met": full.seconds <= FULL_TARGET_S and incremental.seconds <= INCREMENTAL_TARGET_S,
        }
    finally:
        store.dispose()


def run_benchmark(*, sqlite_url: str, postgres_url: str | None, as_of: datetime, log=print) -> dict:
    started = time.perf_counter()
    import great_expectations  # noqa: F401  (timed apart: once per process)

    report: dict = {"gx_import_seconds": round(time.perf_counter() - started, 2)}
    log(f"great_expectations imported in {report['gx_import_seconds']:.2f} s")
    report["as_of"] = as_of.astimezone(UTC).isoformat()
    report["targets"] = {"full_s": FULL_TARGET_S, "incremental_s": INCREMENTAL_TARGET_S}
    with tempfile.TemporaryDirectory(prefix="rcmwatch-bench-checks-") as tmp:
        report["sqlite"] = _backend_run(_copy_sqlite(sqlite_url, Path(tmp)), as_of, log)
    if postgres_url:
        url, drop = _copy_postgres(postgres_url)
        try:
            report["postgresql"] = _backend_run(url, as_of, log)
        finally:
            drop()
    return report
