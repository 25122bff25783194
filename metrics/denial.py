"""Denial classification of 835 claim payments, exactly as ../shared/KPI.md §2 defines it.

Pure Polars: claim payments and their adjustments in, one row per claim payment out. The 835
flattener feeds it (``rcmwatch edi inspect``) and the KPI engine reuses it on store frames.

"Is this claim denied?" is decided from the adjustments, not from CLP02 — except that CLP02 = 4 is
treated as a full denial too. Per CLP loop (claim-level CAS **plus** all its lines' CAS):

- *denial adjustment*: a triplet with amount > 0 whose CARC (normalised: ``045`` = ``45``) is
  neither in ``NON_DENIAL_CARCS`` nor pending (``133``). Negative amounts are corrections, not
  denials. A triplet without a reason code is a denial adjustment of category ``other`` (it cannot
  be shown to be contractual); the parser has already warned about it.
- **full**: CLP02 = 4; or CLP04 = 0, no patient responsibility (no PR triplet with amount > 0)
  and at least one denial adjustment.
- **partial**: not full, and at least one denial adjustment.
- **zero_pay_not_denial**: CLP04 = 0 and every adjustment with a non-zero amount is in the
  non-denial set (zero-amount triplets say nothing; a pending 133 is not in the set).
- **none**: everything else — and every reversal (CLP02 = 22) or predetermination (CLP02 = 25)
  loop, which is not an adjudication (``is_adjudication`` false) and never counts as a denial.

``denied_cents``: the sum of the denial adjustments; for a CLP02 = 4 loop without any, CLP03 −
CLP04 − its PR amounts, category ``other``. ``denial_category``: the category of the largest denial
adjustment (ties: the first in the file, by ``order``) from the CARC → category table; a CARC not in
it is ``other``. Absent amounts count as 0.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from rcmwatch.reference.carc_map import (
    NON_DENIAL_CARCS,
    OTHER,
    PENDING_CARCS,
    CarcMap,
    builtin_carc_map,
    normalise_carc,
)

DENIAL_STATUSES = ("full", "partial", "zero_pay_not_denial", "none")
NOT_ADJUDICATIONS = ("22", "25")  # reversal, predetermination
FULL_DENIAL_STATUS = "4"

OUTPUT_SCHEMA: dict[str, pl.DataType] = {
    "is_adjudication": pl.Boolean,
    "denial_status": pl.String,
    "denied_cents": pl.Int64,
    "denial_category": pl.String,
    "denial_reason_code": pl.String,  # the CARC of the largest denial adjustment
}

Frame = pl.DataFrame | pl.LazyFrame


def _normalised_carcs(adjustments: pl.LazyFrame) -> dict[str, str]:
    """reason code as sent → normalised CARC, via the one Python definition (few distinct codes)."""
    codes = adjustments.select(pl.col("reason_code").drop_nulls().unique()).collect()
    return {code: normalise_carc(code) for code in codes.to_series().to_list()}


def classify_denials(
    claims: Frame,
    adjustments: Frame,
    *,
    carc_map: CarcMap | None = None,
    key: str = "claim_index",
    order: Sequence[str] = ("segment_number", "triplet_number"),
) -> pl.DataFrame:
    """One row per claim payment: ``key`` + :data:`OUTPUT_SCHEMA` columns, in ``claims`` order.

    ``claims`` needs ``key``, ``claim_status_code``, ``charge_cents``, ``paid_cents``;
    ``adjustments`` needs ``key``, ``group_code``, ``reason_code``, ``amount_cents`` and the
    ``order`` columns (file order, for ties) — claim- and line-level adjustments together.
    """
    carc_map = carc_map or builtin_carc_map()
    adj = adjustments.lazy()
    normalised = _normalised_carcs(adj)
    categories = {code: carc_map.category(carc) for code, carc in normalised.items()}
    non_denial = sorted(NON_DENIAL_CARCS)
    carc = pl.col("reason_code").replace_strict(normalised, default=None, return_dtype=pl.String)
    amount = pl.col("amount_cents").fill_null(0)
    adj = adj.select(
        key,
        *order,
        pl.col("reason_code"),
        carc.alias("carc"),
        amount.alias("amount"),
        (pl.col("group_code") == "PR").fill_null(False).alias("is_pr"),
    ).with_columns(
        is_denial=(pl.col("amount") > 0)
        & ~pl.col("carc").is_in(non_denial).fill_null(False)
        & ~pl.col("carc").is_in(sorted(PENDING_CARCS)).fill_null(False),
        outside_set=(pl.col("amount") != 0) & ~pl.col("carc").is_in(non_denial).fill_null(False),
    )
    per_claim = adj.group_by(key).agg(
        has_denial=pl.col("is_denial").any(),
        denial_cents=pl.col("amount").filter("is_denial").sum(),
        pr_positive=(pl.col("is_pr") & (pl.col("amount") > 0)).any(),
        pr_cents=pl.col("amount").filter("is_pr").sum(),
        outside_set=pl.col("outside_set").any(),
    )
    largest = (
        adj.filter("is_denial")
        .sort([key, "amount", *order], descending=[False, True, *([False] * len(order))])
        .group_by(key, maintain_order=True)
        .agg(pl.col("reason_code").first().alias("denial_reason_code"))
        .with_columns(
            denial_category=pl.col("denial_reason_code")
            .replace_strict(categories, default=OTHER, return_dtype=pl.String)
            .fill_null(OTHER)
        )
    )
    status = pl.col("claim_status_code").str.strip_chars()
    paid = pl.col("paid_cents").fill_null(0)
    out = (
        claims.lazy()
        .select(key, "claim_status_code", "charge_cents", "paid_cents")
        .join(per_claim, on=key, how="left", maintain_order="left")
        .join(largest, on=key, how="left", maintain_order="left")
        .with_columns(
            pl.col("has_denial", "pr_positive", "outside_set").fill_null(False),
            pl.col("denial_cents", "pr_cents").fill_null(0),
            is_adjudication=~status.is_in(NOT_ADJUDICATIONS).fill_null(False),
        )
        .with_columns(
            full=pl.col("is_adjudication")
            & (
                (status == FULL_DENIAL_STATUS).fill_null(False)
                | ((paid == 0) & ~pl.col("pr_positive") & pl.col("has_denial"))
            )
        )
        .with_columns(partial=pl.col("is_adjudication") & ~pl.col("full") & pl.col("has_denial"))
        .with_columns(
            zero=pl.col("is_adjudication")
            & ~pl.col("full")
            & ~pl.col("partial")
            & (paid == 0)
            & ~pl.col("outside_set")
        )
        .select(
            key,
            "is_adjudication",
            denial_status=pl.when("full")
            .then(pl.lit("full"))
            .when("partial")
            .then(pl.lit("partial"))
            .when("zero")
            .then(pl.lit("zero_pay_not_denial"))
            .otherwise(pl.lit("none")),
            denied_cents=pl.when(pl.col("full") | pl.col("partial"))
            .then(
                pl.when("has_denial")
                .then(pl.col("denial_cents"))
                .otherwise(pl.col("charge_cents").fill_null(0) - paid - pl.col("pr_cents"))
            )
            .otherwise(0)
            .cast(pl.Int64),
            denial_category=pl.when(pl.col("full") | pl.col("partial")).then(
                pl.when("has_denial").then(pl.col("denial_category")).otherwise(pl.lit(OTHER))
            ),
            denial_reason_code=pl.when(pl.col("full") | pl.col("partial")).then(
                "denial_reason_code"
            ),
        )
    )
    return out.collect()
