"""The sources agree with each other the way a real system's do."""

from __future__ import annotations

import sqlite3
from collections import Counter, defaultdict

from sample_data.source_tables import TABLES
from tests.sample_data import measure


def _clp_keys(folder):
    """(835 file, pcn, CLP02, CLP07, paid) of every CLP loop, with its production month."""
    keys = Counter()
    month = {}
    for path in sorted((folder / "clearinghouse" / "inbound").glob("*.835")):
        for seg in measure.segments(path):
            if seg[0] == "DTM" and seg[1] == "405":
                production = seg[2][:6]
            elif seg[0] == "CLP":
                key = (path.name, seg[1], seg[2], seg[7], measure.cents(seg[4]))
                keys[key] += 1
                month[key] = production
    return keys, month


def test_every_clp_is_imported_once_and_payments_match_to_the_cent(baseline):
    keys, month = _clp_keys(baseline)
    erp = measure.sql(baseline, "erp")
    rows = erp.execute(
        "SELECT file_name, pcn, clp_status, payer_claim_number, paid_cents, status, "
        "remit_import_id, production_date FROM remit_import"
    ).fetchall()
    imported = Counter((r[0], r[1], r[2], r[3], r[4]) for r in rows)
    assert imported == keys  # the ERP's remit list is exactly the CLP loops received
    # Insurance payments posted for an 835 month's remits = Σ CLP04 of those remits.
    payments = dict(
        erp.execute(
            "SELECT substr(r.production_date, 1, 7), SUM(p.amount_cents) FROM payment p "
            "JOIN remit_import r ON r.remit_import_id = p.remit_import_id "
            "WHERE p.payer_type = 'payer' GROUP BY 1"
        ).fetchall()
    )
    clp_paid = defaultdict(int)
    posted = {(r[0], r[1], r[2], r[3], r[4]) for r in rows if r[5] == "posted"}
    for key, n in keys.items():
        if key in posted:
            clp_paid[f"{month[key][:4]}-{month[key][4:]}"] += key[4] * n
    assert {k: v for k, v in clp_paid.items() if v} == {k: v for k, v in payments.items() if v}
    # The unposted list: remits with no posting at all, and every other remit posted.
    unposted = {r[6] for r in rows if r[5] == "unposted"}
    touched = {
        r[0]
        for r in erp.execute(
            "SELECT DISTINCT remit_import_id FROM posting WHERE remit_import_id IS NOT NULL"
        )
    }
    assert unposted and not (unposted & touched)
    assert {r[6] for r in rows if r[5] == "posted" and r[4]} <= touched


def test_receivable_balances_are_their_postings_less_write_offs(baseline):
    erp = measure.sql(baseline, "erp")
    bad = erp.execute(
        "SELECT r.receivable_id FROM receivable r "
        "LEFT JOIN (SELECT receivable_id, SUM(amount_cents) s FROM posting GROUP BY 1) p "
        "  ON p.receivable_id = r.receivable_id "
        "LEFT JOIN (SELECT receivable_id, SUM(amount_cents) s FROM write_off GROUP BY 1) w "
        "  ON w.receivable_id = r.receivable_id "
        "WHERE COALESCE(p.s, 0) - COALESCE(w.s, 0) != r.balance_cents"
    ).fetchall()
    assert bad == []
    orphans = erp.execute(
        "SELECT COUNT(*) FROM posting WHERE receivable_id NOT IN "
        "(SELECT receivable_id FROM receivable)"
    ).fetchone()[0]
    assert orphans == 0


def test_every_work_item_subject_exists(baseline):
    pcns = set()
    for path in (baseline / "clearinghouse" / "outbound").glob("*.837"):
        pcns.update(seg[1] for seg in measure.segments(path) if seg[0] == "CLM")
    wf = measure.sql(baseline, "workflow")
    wf.execute("ATTACH DATABASE ? AS erp", (str(baseline / "sources" / "erp.sqlite"),))
    wf.execute("ATTACH DATABASE ? AS engine", (str(baseline / "sources" / "engine.sqlite"),))
    accounts = {r[0] for r in wf.execute("SELECT pcn FROM erp.receivable")}
    kinds = Counter()
    for subject_type, key, stage in wf.execute(
        "SELECT subject_type, subject_key, stage FROM work_item"
    ):
        kinds[subject_type] += 1
        if subject_type == "claim":
            # Every claim has its account in the ERP (the charge was posted); a claim can be
            # held before it is ever billed, after that it is in an 837.
            assert key in accounts, key
            if stage not in ("pre_bill", "data_quality"):
                assert key in pcns, key
    assert kinds["claim"] and kinds["remit"] and kinds["message"]
    missing_remits = wf.execute(
        "SELECT COUNT(*) FROM work_item WHERE subject_type = 'remit' AND subject_key NOT IN "
        "(SELECT remit_import_id FROM erp.remit_import)"
    ).fetchone()[0]
    missing_messages = wf.execute(
        "SELECT COUNT(*) FROM work_item WHERE subject_type = 'message' AND subject_key NOT IN "
        "(SELECT message_id FROM engine.message_log)"
    ).fetchone()[0]
    assert missing_remits == 0 and missing_messages == 0
    stages = {r[0] for r in wf.execute("SELECT DISTINCT stage FROM work_item")}
    assert stages == {
        "pre_bill",
        "front_end_reject",
        "denial",
        "posting",
        "interface",
        "data_quality",
    }
    # Overrides point at decisions; decisions at versions that exist.
    assert (
        wf.execute(
            "SELECT COUNT(*) FROM override WHERE decision_id NOT IN "
            "(SELECT decision_id FROM automated_decision)"
        ).fetchone()[0]
        == 0
    )
    assert (
        wf.execute(
            "SELECT COUNT(*) FROM automated_decision d WHERE NOT EXISTS (SELECT 1 FROM "
            "decider_version v WHERE v.name = d.decider_id AND v.version = d.decider_version)"
        ).fetchone()[0]
        == 0
    )


def test_nothing_happens_at_or_after_the_as_of(baseline):
    cutoff = "2024-07-01"
    for system, table, columns in (
        ("erp", "posting", ("posted_at", "updated_at")),
        ("erp", "remit_import", ("received_at", "posted_at", "updated_at")),
        ("workflow", "work_item", ("opened_at", "resolved_at", "updated_at")),
        ("workflow", "override", ("overridden_at",)),
        ("engine", "message_log", ("created_at", "completed_at", "updated_at")),
        *(
            (t.system, t.name, ("updated_at",))
            for t in TABLES
            if t.name not in ("posting", "remit_import", "work_item", "message_log")
        ),
    ):
        db = measure.sql(baseline, system)
        for col in columns:
            late = db.execute(f"SELECT COUNT(*) FROM {table} WHERE {col} >= ?", (cutoff,))
            assert late.fetchone()[0] == 0, (table, col)
    names = [p.name for p in (baseline / "clearinghouse").glob("*/*")]
    assert all(n[:8] < "20240701" for n in names)


def test_sqlite_and_csv_exports_hold_the_same_rows(baseline):
    import csv

    for system in ("engine", "workflow", "erp"):
        db = sqlite3.connect(baseline / "sources" / f"{system}.sqlite")
        for (table,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'"):
            with open(baseline / "exports" / system / f"{table}.csv", newline="") as fh:
                rows = list(csv.reader(fh))
            header, body = rows[0], rows[1:]
            cols = [r[1] for r in db.execute(f"PRAGMA table_info({table})")]
            assert header == cols
            count = db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
            assert count == len(body) > 0, table
            keys = {r[0] for r in body}
            assert len(keys) == len(body), f"{table}: primary key not unique"
            assert all(r[-1] for r in body), f"{table}: updated_at empty"


def test_transfer_log_lists_every_clearinghouse_file_with_its_time(baseline):
    import csv
    import os
    from datetime import datetime

    with open(baseline / "clearinghouse" / "transfer_log.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    files = {
        str(p.relative_to(baseline))
        for p in (baseline / "clearinghouse").glob("*/*")
        if p.name != "transfer_log.csv"
    }
    assert {r["file"] for r in rows} == files
    for r in rows[:200]:
        at = datetime.fromisoformat(r["transferred_at"])
        assert r["file"].split("/")[-1].startswith(at.strftime("%Y%m%d-%H%M%S"))
        mtime = os.stat(baseline / r["file"]).st_mtime
        assert mtime == (at - datetime(1970, 1, 1)).total_seconds()
