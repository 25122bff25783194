"""835 balancing as data: every transaction, claim and line gets its imbalance in cents.

- line: SVC02 − SVC03 = that line's CAS total;
- claim: CLP03 − CLP04 = its claim-level CAS + all its lines' CAS;
- transaction: BPR02 = ΣCLP04 − ΣPLB (PLB amounts as sent: positive = taken back).

``balance_difference_cents`` is left side − right side; ``is_balanced`` means it is exactly 0.
Absent amounts count as 0 here (the flattener has already warned that they are missing), so a bare
``CLP*X*22`` balances trivially. Every imbalance is also a warning (kind ``balance``); only claims
and transactions decide ``era.balanced`` (DESIGN.md), lines only warn.

Works on the frames of whole transactions, so batches can be balanced one at a time.
"""

from __future__ import annotations

import polars as pl

from collectors.edi.capping import capped
from collectors.edi.diagnostics import Diagnostics
from collectors.edi.money import format_cents
from collectors.edi.remittance_frames import FINAL_SCHEMAS, RemittanceFrames


def _sum(column: str, name: str) -> pl.Expr:
    return pl.col(column).fill_null(0).sum().alias(name)


def _join(left: pl.LazyFrame, right: pl.LazyFrame, on: str) -> pl.LazyFrame:
    return left.join(right, on=on, how="left", maintain_order="left")


def balance_frames(
    transactions: pl.DataFrame,
    claims: pl.DataFrame,
    lines: pl.DataFrame,
    adjustments: pl.DataFrame,
    provider_adjustments: pl.DataFrame,
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """``(transactions, claims, lines)`` with the balancing columns added (other columns kept).

    Three small queries in sequence, each reading the previous result, so nothing is computed
    twice (a single lazy plan would recompute the shared lines and claims).
    """
    amount = "amount_cents"
    adj = adjustments.lazy()
    line_cas = (
        adj.filter(pl.col("level") == "line")
        .group_by("line_index")
        .agg(_sum(amount, "adjustment_cents"))
    )
    lines = (
        _join(lines.lazy(), line_cas, "line_index")
        .with_columns(pl.col("adjustment_cents").fill_null(0))
        .with_columns(
            balance_difference_cents=pl.col("charge_cents").fill_null(0)
            - pl.col("paid_cents").fill_null(0)
            - pl.col("adjustment_cents")
        )
        .with_columns(is_balanced=pl.col("balance_difference_cents") == 0)
        .collect()
    )
    claim_cas = (
        adj.filter(pl.col("level") == "claim")
        .group_by("claim_index")
        .agg(_sum(amount, "claim_adjustment_cents"))
    )
    per_claim_lines = (
        lines.lazy()
        .group_by("claim_index")
        .agg(
            pl.len().cast(pl.Int64).alias("line_count"),
            _sum("adjustment_cents", "line_adjustment_cents"),
        )
    )
    claims = (
        _join(_join(claims.lazy(), per_claim_lines, "claim_index"), claim_cas, "claim_index")
        .with_columns(
            pl.col("line_count", "claim_adjustment_cents", "line_adjustment_cents").fill_null(0)
        )
        .with_columns(
            balance_difference_cents=pl.col("charge_cents").fill_null(0)
            - pl.col("paid_cents").fill_null(0)
            - pl.col("claim_adjustment_cents")
            - pl.col("line_adjustment_cents")
        )
        .with_columns(is_balanced=pl.col("balance_difference_cents") == 0)
        .collect()
    )
    per_claims = (
        claims.lazy()
        .group_by("transaction_index")
        .agg(pl.len().cast(pl.Int64).alias("claim_count"), _sum("paid_cents", "claim_paid_cents"))
    )
    per_plb = (
        provider_adjustments.lazy()
        .group_by("transaction_index")
        .agg(_sum(amount, "provider_adjustment_cents"))
    )
    key = "transaction_index"
    transactions = (
        _join(_join(transactions.lazy(), per_claims, key), per_plb, key)
        .with_columns(
            pl.col("claim_count", "claim_paid_cents", "provider_adjustment_cents").fill_null(0)
        )
        .with_columns(
            balance_difference_cents=pl.col("payment_cents").fill_null(0)
            - (pl.col("claim_paid_cents") - pl.col("provider_adjustment_cents"))
        )
        .with_columns(is_balanced=pl.col("balance_difference_cents") == 0)
        .collect()
    )
    return transactions, claims, lines


def balance(
    raw: RemittanceFrames, diagnostics: Diagnostics, *, conform_columns: bool = True
) -> RemittanceFrames:
    """Balance raw frames, conform them to the documented schemas and warn about imbalances.

    ``conform_columns=False`` skips the final reshaping (inspect's summary frames, which only
    feed totals, keep whatever columns they were built with).
    """
    txns, claims, lines = balance_frames(
        raw.transactions, raw.claims, raw.service_lines, raw.adjustments, raw.provider_adjustments
    )
    frames = RemittanceFrames(
        transactions=txns,
        claims=claims,
        service_lines=lines,
        adjustments=raw.adjustments,
        provider_adjustments=raw.provider_adjustments,
        remarks=raw.remarks,
        provider_summaries=raw.provider_summaries,
    )
    if conform_columns:
        frames = conform(frames)
    warn_imbalances(frames, diagnostics)
    return frames


def conform(frames: RemittanceFrames) -> RemittanceFrames:
    """Exactly the documented columns, in order, with their types (absent ones null)."""
    out = {}
    for name, frame in frames.items():
        have = set(frame.columns)
        out[name] = frame.select(
            [
                pl.col(c).cast(t) if c in have else pl.lit(None, t).alias(c)
                for c, t in FINAL_SCHEMAS[name].items()
            ]
        )
    return RemittanceFrames(**out)


def warn_imbalances(frames: RemittanceFrames, diagnostics: Diagnostics) -> None:
    """One warning per unbalanced transaction, claim and line (the earliest ones, see capped)."""
    money = format_cents
    txns, claims, lines = frames.transactions, frames.claims, frames.service_lines
    if txns["is_balanced"].all() and claims["is_balanced"].all() and lines["is_balanced"].all():
        return
    unbalanced_txns, more_txns = capped(txns.filter(~pl.col("is_balanced")))
    unbalanced_claims, more_claims = capped(claims.filter(~pl.col("is_balanced")))
    unbalanced_lines, more_lines = capped(lines.filter(~pl.col("is_balanced")))
    diagnostics.count_more("balance", more_txns + more_claims + more_lines)
    for row in unbalanced_txns.iter_rows(named=True):
        expected = row["claim_paid_cents"] - row["provider_adjustment_cents"]
        diagnostics.warn(
            "balance",
            f"transaction {row['transaction_control_number']} (ST at segment "
            f"{row['segment_number']}) does not balance: BPR02 {money(row['payment_cents'] or 0)}"
            f" but ΣCLP04 − ΣPLB = {money(expected)} "
            f"(difference {money(row['balance_difference_cents'])})",
            row["segment_number"],
        )
    for row in unbalanced_claims.iter_rows(named=True):
        charged = (row["charge_cents"] or 0) - (row["paid_cents"] or 0)
        adjusted = row["claim_adjustment_cents"] + row["line_adjustment_cents"]
        diagnostics.warn(
            "balance",
            f"claim {row['patient_control_number']} (CLP at segment {row['segment_number']}) does "
            f"not balance: CLP03 − CLP04 = {money(charged)} but its adjustments total "
            f"{money(adjusted)} (difference {money(row['balance_difference_cents'])})",
            row["segment_number"],
        )
    for row in unbalanced_lines.iter_rows(named=True):
        charged = (row["charge_cents"] or 0) - (row["paid_cents"] or 0)
        diagnostics.warn(
            "balance",
            f"service line {row['line_number']} (SVC at segment {row['segment_number']}) does not "
            f"balance: SVC02 − SVC03 = {money(charged)} but its adjustments total "
            f"{money(row['adjustment_cents'])} (difference "
            f"{money(row['balance_difference_cents'])})",
            row["segment_number"],
        )
