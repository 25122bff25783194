"""999 and 277CA frames → ``ack_set``/``ack_error`` and ``claim_status``.

A 999 answer per AK2 set (IK5), plus one group-level row per AK1 group that has no AK2 loops (its
AK9 then answers every set of the group, KPI.md §1). 277CA: one row per status (STC) at every HL
level; claim-level rows carry ``rejected_above`` when a level above rejected them. Which 837 a row
answers is the linker's job (``links``), whenever either side arrives.
"""

from __future__ import annotations

from datetime import datetime

import polars as pl
from sqlalchemy import Connection

from rcmwatch.ingest.claims import _datetime_column
from rcmwatch.store import bulk
from rcmwatch.store.models import AckError, AckSet, ClaimStatus

REJECTED_CATEGORIES = ("A3", "A4", "A6", "A7", "A8")
ACCEPTED_CATEGORIES = ("A1", "A2", "A5")


def write_999(conn: Connection, *, file_id: int, frames) -> tuple[int, list[int]]:
    """Returns (rows written, ack_set ids)."""
    groups = frames.groups.sort("group_ack_index")
    if groups.height == 0:
        return 0, []
    acked_at = _datetime_column("group_date", "group_time").alias("acknowledged_at")
    envelope = groups.select(
        "group_ack_index",
        pl.col("interchange_sender_id").fill_null("").alias("interchange_sender"),
        pl.col("interchange_receiver_id").fill_null("").alias("interchange_receiver"),
        pl.col("group_sender_id").alias("gs_sender"),
        pl.col("group_receiver_id").alias("gs_receiver"),
        pl.col("is_test").fill_null(False),
        acked_at,
        pl.col("functional_id").alias("ak1_functional_id"),
        pl.col("group_control_number").alias("ak1_group_control"),
        pl.col("ak9_code"),
    )
    sets = frames.sets.join(envelope, on="group_ack_index", how="left").select(
        "group_ack_index",
        pl.col("set_ack_index"),
        *[c for c in envelope.columns if c != "group_ack_index"],
        pl.col("set_id").alias("ak2_set_id"),
        pl.col("set_control_number").alias("ak2_set_control"),
        pl.col("ik5_code"),
    )
    group_level = (
        envelope.join(
            frames.sets.select("group_ack_index").unique(), on="group_ack_index", how="anti"
        )
        .with_columns(
            pl.lit(None, dtype=pl.Int64).alias("set_ack_index"),
            pl.lit(None, dtype=pl.String).alias("ak2_set_id"),
            pl.lit(None, dtype=pl.String).alias("ak2_set_control"),
            pl.lit(None, dtype=pl.String).alias("ik5_code"),
        )
        .select(sets.columns)
    )
    rows = pl.concat([sets, group_level], how="vertical_relaxed").sort(
        "group_ack_index", "set_ack_index", nulls_last=True
    )
    rows = rows.with_columns(pl.int_range(1, pl.len() + 1).alias("seq"))
    acks = bulk.with_ids(
        conn,
        AckSet.__table__,
        rows.select(
            pl.lit(file_id, dtype=pl.Int64).alias("inbound_file_id"),
            "seq",
            *[c for c in rows.columns if c not in ("group_ack_index", "set_ack_index", "seq")],
            pl.lit("pending").alias("link_status"),
        ),
    )
    bulk.insert_frame(conn, AckSet.__table__, acks)
    set_ids = rows.select("set_ack_index").with_columns(acks["id"].alias("ack_set_id"))
    errors = frames.errors.join(
        set_ids.filter(pl.col("set_ack_index").is_not_null()), on="set_ack_index", how="inner"
    )
    bulk.insert_frame(
        conn,
        AckError.__table__,
        bulk.with_ids(
            conn,
            AckError.__table__,
            errors.select(
                "ack_set_id",
                pl.col("seq").cast(pl.Int64),
                "segment_id",
                pl.col("segment_position").cast(pl.Int64, strict=False),
                "loop_id",
                "segment_error_code",
                pl.col("element_position").cast(pl.String),
                pl.col("element_reference").cast(pl.String),
                "element_error_code",
                "bad_data",
                "context",
            ),
        ),
    )
    return acks.height, acks["id"].to_list()


def write_277ca(conn: Connection, *, file_id: int, received_at: datetime, frames) -> int:
    """Returns the rows written."""
    # Line-level STCs (after an SVC) do not decide a claim's outcome; they are not stored.
    statuses = frames.statuses.filter(pl.col("line_number").is_null()).sort("status_index")
    if statuses.height == 0:
        return 0
    tx = frames.transactions.select(
        "transaction_index",
        pl.col("is_test").fill_null(False),
        pl.coalesce(
            _datetime_column("bht_date", "bht_time"),
            _datetime_column("group_date", "group_time"),
            pl.lit(received_at).cast(pl.Datetime("us", "UTC")),
        ).alias("reported_at"),
    )
    rows = statuses.join(tx, on="transaction_index", how="left")
    category = pl.col("status_category")
    out = bulk.with_ids(
        conn,
        ClaimStatus.__table__,
        rows.select(
            pl.lit(file_id, dtype=pl.Int64).alias("inbound_file_id"),
            pl.int_range(1, pl.len() + 1).alias("seq"),
            "is_test",
            pl.col("hl_id").fill_null(""),
            "hl_parent_id",
            pl.col("hl_level").fill_null(""),
            "entity_identifier",
            "trn_reference",
            pl.col("receiver_trn_reference").alias("batch_reference"),
            pl.when(pl.col("hl_level") == "PT")
            .then(pl.col("patient_control_number"))
            .otherwise(None)
            .alias("pcn"),
            "payer_claim_number",
            category.alias("status_category"),
            "status_code",
            "entity_code",
            "status_date",
            "action_code",
            pl.col("amount_cents"),
            "reported_at",
            pl.col("rejected_above").fill_null(False),
            pl.col("entity_name").alias("detail"),
        ),
    )
    # Linked as written (the affected claims are marked before the writers run): one write per
    # row instead of an insert and two updates.
    from rcmwatch.ingest.links import status_links

    out = status_links(conn, out)
    bulk.insert_frame(conn, ClaimStatus.__table__, out)
    return out.height
