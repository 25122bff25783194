"""835 frames (``collectors.edi.remittance_layout``) → remit tables of the canonical store.

One call writes one file's remits inside the caller's transaction with the bulk path: remit
transactions, claim payments (with their KPI.md §2 denial classification and the CARC map version
that produced it), service line payments, adjustments, provider-level adjustments and remark
codes. Natural keys: (file, transaction seq), (transaction, claim seq), (claim, line/adjustment/
remark seq) — all 1-based in file order, so re-parsing a file gives the same keys.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import polars as pl
from sqlalchemy import Connection

from rcmwatch.ingest import payers
from rcmwatch.reference.carc_map import CarcMap
from rcmwatch.store import bulk
from rcmwatch.store.models import (
    Adjustment,
    ClaimPayment,
    ProviderAdjustment,
    RemarkCode,
    RemitTransaction,
    ServiceLinePayment,
)

# CLP02 → payer sequence (KPI.md "Adjudication"); other statuses take the 837's SBR01 at link time.
PAYER_SEQUENCE_BY_STATUS = {
    "1": "primary",
    "19": "primary",
    "2": "secondary",
    "20": "secondary",
    "3": "tertiary",
    "21": "tertiary",
}


@dataclass
class RemitWrite:
    transactions: int
    claim_payments: int
    unbalanced_transaction_ids: list[int]
    transaction_ids: list[int]


def _seq_within(group: str, order: list[str]) -> pl.Expr:
    """1-based position of a row within its group, in ``order``."""
    return pl.int_range(1, pl.len() + 1).over(group, order_by=order)


def write_remits(
    conn: Connection,
    *,
    file_id: int,
    received_at: datetime,
    frames,
    classification: pl.DataFrame,
    carc_map: CarcMap,
) -> RemitWrite:
    """``classification``: one row per claim_index with denial_kind, denied_cents,
    denial_category (from ``metrics.denial``)."""
    tx = frames.transactions.sort("transaction_index")
    if tx.height == 0:
        return RemitWrite(0, 0, [], [])
    claims = frames.claims.sort("claim_index")

    # --- payers: N1*PR04, else REF*2U, else TRN03
    candidates = [
        [("payer_id", r["payer_id"]), ("payer_id", r["payer_ref_2u"]),
         ("trn03", r["trace_originator_id"])]
        for r in tx.iter_rows(named=True)
    ]  # fmt: skip
    payer_ids = payers.resolve(conn, candidates, tx["payer_name"].to_list())
    used_identifier = [next((v for _, v in c if v), None) for c in candidates]

    # A transaction fails balancing if BPR02 ≠ ΣCLP04 − ΣPLB or any of its claims does not
    # balance (KPI.md remit_balance_exceptions).
    claim_ok = claims.group_by("transaction_index").agg(pl.col("is_balanced").all().alias("_ok"))
    tx = tx.join(claim_ok, on="transaction_index", how="left").with_columns(
        pl.Series("payer_id_resolved", payer_ids, dtype=pl.Int64),
        pl.Series("payer_identifier", used_identifier, dtype=pl.String),
        (pl.col("is_balanced") & pl.col("_ok").fill_null(True)).alias("balanced"),
    )
    remit_rows = bulk.with_ids(
        conn,
        RemitTransaction.__table__,
        tx.select(
            pl.lit(file_id, dtype=pl.Int64).alias("inbound_file_id"),
            (pl.col("transaction_index").rank("ordinal").cast(pl.Int64)).alias("seq"),
            pl.col("interchange_sender_id").alias("interchange_sender"),
            pl.col("interchange_receiver_id").alias("interchange_receiver"),
            pl.col("interchange_control_number").alias("interchange_control"),
            pl.col("is_test"),
            pl.col("group_control_number").alias("gs_control"),
            pl.col("transaction_control_number").alias("st_control"),
            pl.col("handling_code"),
            pl.col("payment_cents").fill_null(0),
            pl.col("credit_debit_flag").alias("credit_debit"),
            pl.col("payment_method"),
            pl.col("payment_date"),
            pl.col("trace_number"),
            pl.col("trace_originator_id").alias("trace_originator"),
            pl.col("payer_id_resolved").alias("payer_id"),
            pl.col("payer_name"),
            pl.col("payer_identifier"),
            pl.col("payee_name"),
            pl.col("payee_npi"),
            pl.col("payee_tax_id"),
            # KPI.md date basis: DTM*405, else BPR16.
            pl.coalesce("production_date", "payment_date").alias("production_date"),
            pl.lit(received_at).cast(pl.Datetime("us", "UTC")).alias("received_at"),
            pl.col("balanced"),
            pl.col("balance_difference_cents").fill_null(0).alias("imbalance_cents"),
        ),
    )
    bulk.insert_frame(conn, RemitTransaction.__table__, remit_rows)
    tx_ids = tx.select("transaction_index", "payer_id_resolved").with_columns(
        remit_rows["id"].alias("remit_transaction_id")
    )

    # --- claim payments
    claims = (
        claims.join(tx_ids, on="transaction_index", how="left")
        .join(classification, on="claim_index", how="left")
        .with_columns(_seq_within("transaction_index", ["claim_index"]).alias("seq"))
    )
    # Linked to their claim as written (the affected claims are marked before the writers).
    from rcmwatch.ingest.links import affected_claim_ids

    claims = claims.join(
        affected_claim_ids(conn).rename({"pcn": "patient_control_number"}),
        on="patient_control_number",
        how="left",
    )
    status = pl.col("claim_status_code")
    cp = bulk.with_ids(
        conn,
        ClaimPayment.__table__,
        claims.select(
            "remit_transaction_id",
            "seq",
            pl.col("patient_control_number").fill_null("").alias("pcn"),
            "claim_id",
            pl.col("payer_id_resolved").alias("payer_id"),
            status.fill_null("").alias("status_code"),
            pl.col("charge_cents").fill_null(0),
            pl.col("paid_cents").fill_null(0),
            pl.col("patient_responsibility_cents").fill_null(0),
            pl.col("claim_filing_indicator").alias("filing_indicator"),
            pl.col("payer_claim_control_number").alias("payer_claim_number"),
            pl.col("facility_type_code").alias("facility_code"),
            pl.col("claim_frequency_code").alias("frequency_code"),
            pl.col("is_reversal"),
            pl.col("is_predetermination"),
            pl.lit(False).alias("orphan_reversal"),
            status.replace_strict(PAYER_SEQUENCE_BY_STATUS, default=None).alias("payer_sequence"),
            pl.col("denial_kind"),
            pl.col("denied_cents").fill_null(0),
            pl.col("denial_category"),
            pl.when(pl.col("denial_kind").is_not_null())
            .then(pl.lit(carc_map.version))
            .otherwise(None)
            .cast(pl.Int64)
            .alias("carc_map_version"),
            pl.col("is_balanced").alias("balanced"),
            pl.col("balance_difference_cents").fill_null(0).alias("imbalance_cents"),
            pl.col("statement_from_date").alias("service_from"),
            pl.col("statement_to_date").alias("service_to"),
        ),
    )
    bulk.insert_frame(conn, ClaimPayment.__table__, cp)
    claim_ids = claims.select("claim_index").with_columns(cp["id"].alias("claim_payment_id"))

    # --- service lines
    lines = frames.service_lines.sort("line_index").join(claim_ids, on="claim_index", how="left")
    modifiers = pl.concat_str(
        [pl.col(f"modifier_{i}") for i in range(1, 5)], separator=",", ignore_nulls=True
    )
    slp = bulk.with_ids(
        conn,
        ServiceLinePayment.__table__,
        lines.select(
            "claim_payment_id",
            pl.col("line_number").cast(pl.Int64).alias("seq"),
            "procedure_qualifier",
            "procedure_code",
            pl.when(modifiers == "").then(None).otherwise(modifiers).alias("modifiers"),
            "revenue_code",
            pl.col("charge_cents").fill_null(0),
            pl.col("paid_cents").fill_null(0),
            pl.col("units_paid").cast(pl.Float64, strict=False).alias("units"),
            pl.col("service_date_start").alias("service_date"),
            pl.col("is_balanced").alias("balanced"),
            pl.col("balance_difference_cents").fill_null(0).alias("imbalance_cents"),
        ),
    )
    bulk.insert_frame(conn, ServiceLinePayment.__table__, slp)
    line_ids = lines.select("line_index").with_columns(slp["id"].alias("service_line_payment_id"))

    # --- adjustments (claim and line level), in file order within their claim payment
    adj = (
        frames.adjustments.join(claim_ids, on="claim_index", how="left")
        .join(line_ids, on="line_index", how="left")
        .sort("segment_number", "triplet_number")
    )
    adj = adj.with_columns(
        _seq_within("claim_index", ["segment_number", "triplet_number"]).alias("seq")
    )
    bulk.insert_frame(
        conn,
        Adjustment.__table__,
        bulk.with_ids(
            conn,
            Adjustment.__table__,
            adj.select(
                "claim_payment_id",
                "service_line_payment_id",
                "seq",
                "level",
                pl.col("group_code").fill_null(""),
                pl.col("reason_code").fill_null("").alias("carc"),
                pl.col("amount_cents").fill_null(0),
                pl.col("quantity").cast(pl.Float64, strict=False),
            ),
        ),
    )

    # --- provider-level adjustments
    plb = frames.provider_adjustments.join(tx_ids, on="transaction_index", how="left").sort(
        "segment_number", "pair_number"
    )
    plb = plb.with_columns(
        _seq_within("transaction_index", ["segment_number", "pair_number"]).alias("seq")
    )
    bulk.insert_frame(
        conn,
        ProviderAdjustment.__table__,
        bulk.with_ids(
            conn,
            ProviderAdjustment.__table__,
            plb.select(
                "remit_transaction_id",
                "seq",
                pl.col("provider_id").alias("provider_identifier"),
                "fiscal_period_date",
                pl.col("reason_code").fill_null(""),
                pl.col("reference_id").alias("reference"),
                pl.col("amount_cents").fill_null(0),
            ),
        ),
    )

    # --- remark codes
    rem = (
        frames.remarks.join(claim_ids, on="claim_index", how="inner")
        .join(line_ids, on="line_index", how="left")
        .sort("segment_number", "element")
    )
    rem = rem.with_columns(_seq_within("claim_index", ["segment_number", "element"]).alias("seq"))
    bulk.insert_frame(
        conn,
        RemarkCode.__table__,
        bulk.with_ids(
            conn,
            RemarkCode.__table__,
            rem.select(
                "claim_payment_id",
                "service_line_payment_id",
                "seq",
                pl.col("element").str.slice(0, 3).str.strip_chars("0123456789").alias("source"),
                pl.col("remark_code").alias("code"),
            ),
        ),
    )

    unbalanced = remit_rows.filter(~pl.col("balanced"))["id"].to_list()
    return RemitWrite(
        transactions=remit_rows.height,
        claim_payments=cp.height,
        unbalanced_transaction_ids=unbalanced,
        transaction_ids=remit_rows["id"].to_list(),
    )
