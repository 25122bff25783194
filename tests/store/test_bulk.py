"""The bulk write path writes exactly the frame (money in cents, UTC times, dates, booleans,
nulls) on both backends, allocates ids children can use, and inserts only missing keys."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import polars as pl
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from rcmwatch.store import bulk
from rcmwatch.store.models import Claim, ClaimPayment, Payer, Posting, RemitTransaction


def _payments(n: int) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "source": ["erp"] * n,
            "source_key": [f"P{i}" for i in range(n)],
            "pcn": [None if i % 5 == 0 else f"A{i}" for i in range(n)],
            "kind": ["payment"] * n,
            "amount_cents": [(-1) ** i * (i % 997) for i in range(n)],
            "posted_at": [datetime(2024, 5, 1, 8, 30, 15, 250000, tzinfo=UTC)] * n,
            "is_manual": [i % 3 == 0 for i in range(n)],
        },
        schema_overrides={"posted_at": pl.Datetime("us", "UTC"), "amount_cents": pl.Int64},
    )


def test_insert_frame_round_trips_through_the_orm(store):
    frame = _payments(2_000)
    with store.write() as conn:
        assert (
            bulk.insert_frame(
                conn, Posting.__table__, bulk.with_ids(conn, Posting.__table__, frame)
            )
            == 2000
        )
    with store.read() as conn:
        total = conn.execute(text("SELECT SUM(amount_cents), COUNT(pcn) FROM posting")).one()
        row = (
            Session(bind=conn)
            .execute(select(Posting).where(Posting.source_key == "P3"))
            .scalar_one()
        )
    assert tuple(total) == (sum((-1) ** i * (i % 997) for i in range(2000)), 1600)
    assert row.amount == Decimal("-0.03")
    assert row.posted_at == datetime(2024, 5, 1, 8, 30, 15, 250000, tzinfo=UTC)
    assert row.is_manual is True and row.pcn == "A3"


def test_ids_link_children_to_parents_in_one_pass(store):
    t = RemitTransaction.__table__
    with store.write() as conn:
        remits = bulk.with_ids(
            conn,
            t,
            pl.DataFrame(
                {
                    "inbound_file_id": [None, None],
                    "seq": [1, 2],
                    "payment_cents": [8000, 0],
                    "production_date": [date(2024, 5, 10), date(2024, 5, 11)],
                    "received_at": [datetime(2024, 5, 10, tzinfo=UTC)] * 2,
                    "balanced": [True, False],
                    "imbalance_cents": [0, 1],
                    "is_test": [False, False],
                },
                schema_overrides={"inbound_file_id": pl.Int64},
            ),
        )
        # inbound_file_id is NOT NULL: the remits come from a landed file.
        from rcmwatch.store.models import InboundFile

        fid = bulk.with_ids(
            conn,
            InboundFile.__table__,
            pl.DataFrame(
                {
                    "sha256": ["c" * 64],
                    "path": ["x.835"],
                    "size_bytes": [10],
                    "received_at": [datetime(2024, 5, 10, tzinfo=UTC)],
                    "source": ["cli"],
                    "status": ["ingested"],
                    "is_test": [False],
                }
            ),
        )
        bulk.insert_frame(conn, InboundFile.__table__, fid)
        remits = remits.with_columns(pl.lit(fid["id"][0]).alias("inbound_file_id"))
        bulk.insert_frame(conn, t, remits)
        clps = pl.DataFrame(
            {
                "remit_transaction_id": [remits["id"][0], remits["id"][0], remits["id"][1]],
                "seq": [1, 2, 1],
                "pcn": ["A1", "A2", "A3"],
                "status_code": ["1", "4", "1"],
                "charge_cents": [10000, 30000, 5000],
                "paid_cents": [8000, 0, 0],
                "patient_responsibility_cents": [2000, 0, 0],
                "denied_cents": [0, 30000, 0],
                "is_reversal": [False] * 3,
                "is_predetermination": [False] * 3,
                "orphan_reversal": [False] * 3,
                "balanced": [True] * 3,
                "imbalance_cents": [0] * 3,
            }
        )
        bulk.insert_frame(
            conn, ClaimPayment.__table__, bulk.with_ids(conn, ClaimPayment.__table__, clps)
        )
    with store.read() as conn:
        per_remit = conn.execute(
            text(
                "SELECT r.seq, COUNT(*), SUM(c.paid_cents) FROM claim_payment c "
                "JOIN remit_transaction r ON r.id = c.remit_transaction_id "
                "GROUP BY r.seq ORDER BY r.seq"
            )
        ).all()
    assert [tuple(r) for r in per_remit] == [(1, 2, 8000), (2, 1, 0)]


def test_insert_missing_keeps_existing_rows_and_returns_every_id(store):
    t = Payer.__table__
    first = pl.DataFrame({"code": ["MCR", "ACME"], "name": ["Medicare", "Acme"],
                          "payer_class": ["medicare", "commercial"], "origin": ["seed", "seed"],
                          "needs_mapping": [False, False]})  # fmt: skip
    second = pl.DataFrame({"code": ["ACME", "NEW1", "NEW1"], "name": ["Renamed", "New", "Dup"],
                           "payer_class": ["other"] * 3, "origin": ["ingest"] * 3,
                           "needs_mapping": [True] * 3})  # fmt: skip
    with store.write() as conn:
        ids1 = bulk.insert_missing(conn, t, first, ["code"])
        ids2 = bulk.insert_missing(conn, t, second, ["code"])
    assert ids2.height == 2 and ids2["id"].null_count() == 0
    acme1 = ids1.filter(pl.col("code") == "ACME")["id"][0]
    assert ids2.filter(pl.col("code") == "ACME")["id"][0] == acme1
    with store.read() as conn:
        names = dict(conn.execute(text("SELECT code, name FROM payer")).all())
    assert names == {"MCR": "Medicare", "ACME": "Acme", "NEW1": "New"}


def test_insert_missing_with_many_keys_uses_a_join(store):
    t = Claim.__table__
    frame = pl.DataFrame({"pcn": [f"C{i:05d}" for i in range(1200)], "is_test": [False] * 1200})
    with store.write() as conn:
        ids = bulk.insert_missing(conn, t, frame, ["pcn"])
        again = bulk.insert_missing(conn, t, frame, ["pcn"])
    assert ids.height == 1200 and ids["id"].n_unique() == 1200
    assert ids.sort("pcn").equals(again.sort("pcn"))


def test_upsert_inserts_new_updates_changed_and_leaves_equal_rows_alone(store):
    table = Posting.__table__
    frame = _payments(1_000)
    with store.write() as conn:
        assert bulk.upsert_frame(conn, table, frame, ["source", "source_key"]) == 1000
    with store.write() as conn:
        # The same rows again: nothing changes (what lets collectors re-read an overlap).
        assert bulk.upsert_frame(conn, table, frame, ["source", "source_key"]) == 0
    changed = frame.with_columns(
        pl.when(pl.col("source_key").is_in(["P1", "P2"]))
        .then(pl.lit(123_45))
        .otherwise(pl.col("amount_cents"))
        .alias("amount_cents")
    )
    extra = _payments(1_002).tail(2)
    with store.write() as conn:
        written = bulk.upsert_frame(
            conn, table, pl.concat([changed, extra]), ["source", "source_key"]
        )
    assert written == 4
    with store.read() as conn:
        n, total = conn.execute(text("SELECT COUNT(*), SUM(amount_cents) FROM posting")).one()
        ids = conn.execute(text("SELECT COUNT(DISTINCT id) FROM posting")).scalar()
    expected = sum((-1) ** i * (i % 997) for i in range(1002)) - (-1 + 2) + 2 * 123_45
    assert (n, total, ids) == (1002, expected, 1002)


def test_small_and_large_frames_give_sqlite_the_same_text():
    """Small frames are converted for SQLite in Python, large ones in Polars: the same values
    either way, or one store would hold two spellings of a time."""
    frame = pl.DataFrame(
        {
            "at": [datetime(2024, 5, 1, 8, 30, 15, 250000, tzinfo=UTC), None,
                   datetime(2023, 12, 31, 23, 59, 59, tzinfo=UTC)],
            "naive": [datetime(2024, 2, 29, 0, 0), datetime(2024, 1, 1, 12, 0, 0, 5), None],
            "day": [date(2024, 2, 29), None, date(1999, 1, 1)],
            "flag": [True, None, False],
            "cents": [-5, None, 123456789012],
            "text": ["a", None, "ü"],
        },
        schema_overrides={"at": pl.Datetime("us", "UTC"), "naive": pl.Datetime("us")},
    )  # fmt: skip
    small = list(bulk.sqlite_rows(frame))
    large = list(bulk.value_rows(bulk._sqlite_values(frame)))
    assert small == large
    assert small[0] == ("2024-05-01 08:30:15.250000", "2024-02-29 00:00:00.000000",
                        "2024-02-29", 1, -5, "a")  # fmt: skip
