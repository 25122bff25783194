"""835 remits into the store: exact to the cent, idempotent, quarantined when malformed, linked
(reversals to their originals, in any arrival order), identical on SQLite and PostgreSQL."""

from __future__ import annotations

import random
from decimal import Decimal

import pytest
from sqlalchemy import select, text

from rcmwatch.ingest.run import ingest_file, ingest_paths
from rcmwatch.store.models import ClaimPayment, InboundFile, WorkItem
from tests.cli_runner import run_cli
from tests.ingest.corpus import remit_files
from tests.ingest.natural import dump, table_counts
from tests.ingest.x12_builders import WORKED_EXAMPLE, remit_835


def _write(tmp_path, name: str, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_worked_example_lands_exactly(store, clock, tmp_path):
    path = _write(tmp_path, "may.835", remit_835(WORKED_EXAMPLE, payment="380"))
    outcome = ingest_file(store, path, clock=clock)
    assert outcome.status == "ingested", outcome.reason
    assert outcome.counts == {"remit transactions": 1, "claim payments": 3}
    with store.read() as conn:
        rows = conn.execute(
            text(
                "SELECT pcn, status_code, charge_cents, paid_cents, patient_responsibility_cents,"
                " denial_kind, denied_cents, denial_category, carc_map_version, payer_sequence"
                " FROM claim_payment ORDER BY seq"
            )
        ).all()
        remit = conn.execute(
            text("SELECT payment_cents, production_date, balanced FROM remit_transaction")
        ).one()
        lines = conn.execute(text("SELECT count(*) FROM service_line_payment")).scalar()
        adjustments = conn.execute(
            text("SELECT level, group_code, carc, amount_cents FROM adjustment ORDER BY id")
        ).all()
    assert [tuple(r) for r in rows] == [
        ("A1", "1", 10000, 8000, 2000, "none", 0, None, 1, "primary"),
        ("A2", "1", 30000, 0, 0, "full", 30000, "authorization", 1, "primary"),
        ("A3", "1", 50000, 30000, 0, "partial", 20000, "medical_necessity", 1, "primary"),
    ]
    assert remit[0] == 38000 and str(remit[1]) == "2024-05-10" and remit[2] in (True, 1)
    assert lines == 2
    assert [tuple(a) for a in adjustments] == [
        ("claim", "PR", "2", 2000),
        ("claim", "CO", "197", 30000),
        ("line", "CO", "50", 20000),
    ]


def test_corpus_remits_match_inspect_totals(store, clock):
    files = remit_files()
    outcomes = list(ingest_paths(store, files, clock=clock))
    assert [o.status for o in outcomes] == ["ingested"] * len(files)
    result = run_cli("edi", "inspect", "--json", *map(str, files))
    import json

    reports = [json.loads(line) for line in result.stdout.splitlines()]
    expected_claims = sum(r["era"]["claims"] for r in reports)
    expected_paid = sum(Decimal(r["era"]["paid_total"]) for r in reports)
    expected_payment = sum(Decimal(r["era"]["payment_total"]) for r in reports)
    with store.read() as conn:
        claims, paid = conn.execute(
            text("SELECT count(*), sum(paid_cents) FROM claim_payment")
        ).one()
        payment = conn.execute(text("SELECT sum(payment_cents) FROM remit_transaction")).scalar()
    assert claims == expected_claims == 36
    assert Decimal(paid) / 100 == expected_paid
    assert Decimal(payment) / 100 == expected_payment


def test_ingesting_twice_changes_no_row(store, clock, tmp_path):
    files = remit_files()
    list(ingest_paths(store, files, clock=clock))
    before_counts, before = table_counts(store), dump(store)
    outcomes = list(ingest_paths(store, files, clock=clock))
    assert {o.status for o in outcomes} == {"skipped"}
    assert all("already in the store" in o.reason for o in outcomes)
    assert table_counts(store) == before_counts
    assert dump(store) == before


def test_the_same_content_twice_in_one_run_lands_once_whatever_is_read_ahead(
    store, clock, tmp_path
):
    """Files are parsed one ahead of the one being written: a copy of a file is looked up again
    when its turn comes, so it is skipped as already stored — not a failed insert — and the
    outcomes stay in file order."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    first = remit_835(WORKED_EXAMPLE, payment="380")
    _write(inbox, "a.835", first)
    _write(inbox, "b_copy.835", first)
    _write(inbox, "c_bad.835", b"not X12\n")
    _write(inbox, "d.835", remit_835(WORKED_EXAMPLE, payment="380", control="000000202"))
    outcomes = list(ingest_paths(store, [inbox], clock=clock))
    assert [(o.path.rsplit("/", 1)[-1], o.status) for o in outcomes] == [
        ("a.835", "ingested"),
        ("b_copy.835", "skipped"),
        ("c_bad.835", "quarantined"),
        ("d.835", "ingested"),
    ]
    assert (
        outcomes[1].reason
        == f"already in the store as file #{outcomes[0].inbound_file_id} (ingested)"
    )
    with store.read() as conn:
        assert conn.execute(text("SELECT count(*) FROM inbound_file")).scalar() == 3
        assert conn.execute(text("SELECT count(*) FROM claim_payment")).scalar() == 6


def test_malformed_file_is_quarantined_and_the_rest_lands(store, clock, tmp_path):
    tmp_path = tmp_path / "inbox"  # not the folder the SQLite store lives in
    tmp_path.mkdir()
    good = _write(tmp_path, "a_good.835", remit_835(WORKED_EXAMPLE, payment="380"))
    bad = _write(tmp_path, "b_bad.835", b"this is not X12 at all\n")
    truncated_bytes = remit_835(WORKED_EXAMPLE, payment="380", control="000000202")
    truncated = _write(tmp_path, "c_cut.835", truncated_bytes[: len(truncated_bytes) // 2])
    result = run_cli("--db", store.url.render_as_string(hide_password=False), "ingest",
                     str(tmp_path))  # fmt: skip
    assert result.code == 1
    assert len(result.stderr_lines) == 2
    assert "b_bad.835: quarantined:" in result.stderr_lines[0]
    assert "c_cut.835: quarantined: truncated" in result.stderr_lines[1]
    assert "1 ingested, 0 skipped, 2 failed" in result.stdout
    with store.read() as conn:
        files = {
            r.path.rsplit("/", 1)[-1]: r
            for r in conn.execute(select(InboundFile.path, InboundFile.status,
                                         InboundFile.content)).all()
        }  # fmt: skip
        assert conn.execute(text("SELECT count(*) FROM claim_payment")).scalar() == 3
    assert files["b_bad.835"].status == "quarantined"
    assert files["b_bad.835"].content == b"this is not X12 at all\n"  # kept, not lost
    assert files["c_cut.835"].status == "quarantined"
    assert good.name in files and files[good.name].status == "ingested"
    assert truncated.exists() and bad.exists()  # the CLI never moves or deletes inputs


def test_truncated_at_every_1000th_byte_leaves_no_rows(sqlite_store, clock, tmp_path):
    data = remit_835(WORKED_EXAMPLE * 40, payment="15200")
    assert len(data) > 5000
    for cut in range(1000, len(data), 1000):
        path = _write(tmp_path, f"cut_{cut}.835", data[:cut])
        outcome = ingest_file(sqlite_store, path, clock=clock)
        assert outcome.status == "quarantined", (cut, outcome)
    counts = table_counts(sqlite_store)
    assert counts["inbound_file"] == len(range(1000, len(data), 1000))
    assert counts["remit_transaction"] == counts["claim_payment"] == counts["interchange"] == 0


def test_unbalanced_remit_is_stored_flagged_and_raises_one_work_item(store, clock, tmp_path):
    # BPR02 says 381.00 but the claims paid 380.00: off by a dollar.
    path = _write(tmp_path, "off.835", remit_835(WORKED_EXAMPLE, payment="381"))
    outcome = ingest_file(store, path, clock=clock)
    assert outcome.status == "ingested"
    assert any(w.startswith("unbalanced_remit:") for w in outcome.warnings)
    with store.read() as conn:
        balanced, imbalance = conn.execute(
            text("SELECT balanced, imbalance_cents FROM remit_transaction")
        ).one()
        items = conn.execute(select(WorkItem.stage, WorkItem.subject_type, WorkItem.status)).all()
        assert conn.execute(text("SELECT count(*) FROM claim_payment")).scalar() == 3
    assert not balanced and imbalance == 100
    assert [tuple(i) for i in items] == [("posting", "remit_transaction", "open")]


ORIGINAL = remit_835(
    [["CLP*R1*1*500*400*100*12*PCN-77*11*1", "CAS*PR*1*100"]],
    payment="400", trace="T-ORIG", production="20240502", control="000000301",
)  # fmt: skip
REVERSAL_AND_CORRECTION = remit_835(
    [
        ["CLP*R1*22*-500*-400*-100*12*PCN-77*11*1", "CAS*PR*1*-100"],
        ["CLP*R1*1*500*450*50*12*PCN-77*11*1", "CAS*PR*1*50"],
    ],
    payment="50", trace="T-CORR", production="20240520", control="000000302",
)  # fmt: skip


@pytest.mark.parametrize("order", ["original_first", "reversal_first"])
def test_reversal_links_to_its_original_in_any_order(store, clock, tmp_path, order):
    a = _write(tmp_path, "orig.835", ORIGINAL)
    b = _write(tmp_path, "corr.835", REVERSAL_AND_CORRECTION)
    first, second = (a, b) if order == "original_first" else (b, a)
    ingest_file(store, first, clock=clock)
    if order == "reversal_first":
        with store.read() as conn:
            orphan = conn.execute(
                select(ClaimPayment.orphan_reversal).where(ClaimPayment.is_reversal)
            ).scalar_one()
        assert orphan is True  # stored, flagged, netted against nothing — for now
    ingest_file(store, second, clock=clock)
    with store.read() as conn:
        rows = conn.execute(
            text(
                "SELECT r.orphan_reversal, o.paid_cents, t.trace_number FROM claim_payment r "
                "JOIN claim_payment o ON o.id = r.reverses_claim_payment_id "
                "JOIN remit_transaction t ON t.id = o.remit_transaction_id "
                "WHERE r.is_reversal"
            )
        ).all()
    assert [tuple(r) for r in rows] == [(False, 40000, "T-ORIG")]


def test_arrival_order_does_not_change_the_store(request, clock, tmp_path):
    from rcmwatch.store.engine import open_store_url

    files = [*remit_files()]
    for name, data in (("orig.835", ORIGINAL), ("corr.835", REVERSAL_AND_CORRECTION),
                       ("may.835", remit_835(WORKED_EXAMPLE, payment="380"))):  # fmt: skip
        files.append(_write(tmp_path, name, data))
    dumps = []
    rng = random.Random(20240510)
    for i in range(5):
        order = files[:]
        rng.shuffle(order)
        url = request.getfixturevalue("sqlite_url") if i == 0 else _fresh_sqlite(tmp_path, i)
        s = open_store_url(url)
        list(ingest_paths(s, order, clock=clock))
        dumps.append(dump(s))
        s.dispose()
    assert all(d == dumps[0] for d in dumps[1:])


def _fresh_sqlite(tmp_path, i: int) -> str:
    return f"sqlite:///{tmp_path / f'order_{i}.db'}"


def test_sqlite_and_postgres_store_the_same(sqlite_store, pg_store, clock, tmp_path):
    files = [*remit_files(), _write(tmp_path, "orig.835", ORIGINAL),
             _write(tmp_path, "corr.835", REVERSAL_AND_CORRECTION)]  # fmt: skip
    for s in (sqlite_store, pg_store):
        list(ingest_paths(s, files, clock=clock))
    assert dump(sqlite_store) == dump(pg_store)


def test_a_late_835_marks_its_days_for_the_snapshots(store, clock, tmp_path):
    ingest_file(store, _write(tmp_path, "orig.835", ORIGINAL), clock=clock)
    with store.write() as conn:
        conn.execute(text("DELETE FROM metric_invalidation"))
    ingest_file(store, _write(tmp_path, "corr.835", REVERSAL_AND_CORRECTION), clock=clock)
    with store.read() as conn:
        marks = {
            (f, str(d)[:10])
            for f, d in conn.execute(text("SELECT family, day FROM metric_invalidation"))
        }
    # The correction's own day and the original's (its initial adjudication may change), the
    # day both were received (clock: 2024-06-15); no claim was submitted here.
    assert marks == {
        ("adjudication", "2024-05-02"),
        ("adjudication", "2024-05-20"),
        ("posting", "2024-06-15"),
    }
