"""KPI.md §2 — adjudication and denials, from 835 remittance advice.

An adjudication is a CLP loop that is neither a reversal (CLP02 = 22) nor a predetermination
(25), attributed to a (claim, payer) pair; the claim is the 837 claim ingest matched
(``claim_payment.claim_id``) or, for a remit whose CLP01 matches no 837, its patient control
number alone (such remits count as adjudications and in unmatched_remits). Within a pair,
loops are ordered by 835 production date (DTM*405, else BPR16), then by transaction and position
in the file; the first is the pair's *initial* adjudication. Whether a loop is a full, partial
or no denial, its denied dollars and category were classified at ingest by the shared
classifier (``metrics/denial.py``) with the CARC map version stored on the row; this module
only counts them. Unbalanced remits still count (the payer did adjudicate).
"""

from __future__ import annotations

from datetime import datetime, timedelta

import polars as pl

from metrics.common import (
    DENIAL_KINDS,
    aggregate,
    as_utc,
    count_true,
    drop_voided,
    remit_loops,
    shared_intermediate,
    sum_cents,
    void_dates,
    with_payer_class,
)
from metrics.frames import Frames
from metrics.registry import Target, kpi

IMMATURE_DAYS = 120
PAIR_KEYS = ["claim_id", "unmatched_pcn", "payer_id"]
PAIR_DIMS = ("facility_id", "payer_id", "payer_class", "payer_sequence", "month")
PAIR_IDS = ("claim_id", "pcn", "payer_id", "claim_payment_id")
OWNER = "Denials management manager"
_PAIRS = dict(family="adjudication", facts="pairs", id_columns=PAIR_IDS, dims=PAIR_DIMS)
_INPUTS = ("remit_transaction", "claim_payment", "claim", "payer")


_IS_ADJUDICATION = ~pl.col("is_reversal").fill_null(False) & ~pl.col(
    "is_predetermination"
).fill_null(False)
_UNMATCHED_PCN = pl.when(pl.col("claim_id").is_null()).then(pl.col("pcn"))


@shared_intermediate
def _adjudication_flags(frames: Frames, as_of: datetime) -> pl.DataFrame:
    """Row-aligned with :func:`remit_loops`: whether each loop is an adjudication, its pair's
    initial one (the pair's first adjudication in production order) and reversed by a
    reversal known at as-of. Three boolean columns instead of a second copy of the loops."""
    loops = remit_loops(frames, as_of)
    reversed_ids = (
        loops.filter(pl.col("is_reversal").fill_null(False))
        .select(pl.col("reverses_claim_payment_id").drop_nulls().unique())
        .collect()
        .to_series()
    )
    keys = [pl.col("claim_id"), _UNMATCHED_PCN.alias("unmatched_pcn"), pl.col("payer_id")]
    return loops.select(
        _IS_ADJUDICATION.alias("is_adjudication"),
        # Loops that are not adjudications carry is_adjudication false in the key, so they
        # never take the first place of a pair.
        (_IS_ADJUDICATION & pl.struct(*keys, _IS_ADJUDICATION).is_first_distinct()).alias(
            "initial"
        ),
        pl.col("id").is_in(reversed_ids.implode()).alias("reversed"),
    ).collect()


def adjudications_lazy(frames: Frames, as_of: datetime) -> pl.LazyFrame:
    """:func:`adjudication_loops` as a lazy frame over the shared loops: each caller
    materialises only the columns and rows it uses."""
    loops = remit_loops(frames, as_of)
    flags = _adjudication_flags(frames, as_of)
    return (
        pl.concat([loops, flags.lazy()], how="horizontal")
        .filter(pl.col("is_adjudication"))
        .drop("is_adjudication")
        .with_columns(_UNMATCHED_PCN.alias("unmatched_pcn"))
    )


def adjudication_loops(frames: Frames, as_of: datetime) -> pl.DataFrame:
    """Adjudications known at as-of, in the order the payer produced them, with whether each is
    its pair's initial adjudication (the pair's first loop in that order) and whether a
    reversal known at as-of took it back."""
    return adjudications_lazy(frames, as_of).collect()


@shared_intermediate
def pair_facts(frames: Frames, as_of: datetime) -> pl.DataFrame:
    """One row per (claim, payer) pair whose initial adjudication is known at as-of."""
    as_of = as_utc(as_of)
    adj = adjudications_lazy(frames, as_of)
    # The pair's latest later adjudication not reversed. Grouped over the later loops only (a
    # few per cent of them), not every adjudication: at 10M claims 6 s -> 3 s, and the build's
    # peak 0.8 GiB lower.
    rest = (
        adj.filter(~pl.col("initial") & ~pl.col("reversed"))
        .group_by(PAIR_KEYS)
        .agg(
            pl.col("denied_cents").last().alias("later_denied_cents"),
            pl.col("id").last().alias("later_claim_payment_id"),
            pl.col("production_date").last().alias("later_on"),
        )
    )
    claims = frames.claim.lazy().select(pl.col("id").alias("claim_id"), "facility_id")
    immature_after = as_of.date() - timedelta(days=IMMATURE_DAYS)
    facts = (
        adj.filter(pl.col("initial"))
        .select(
            pl.col("id").alias("claim_payment_id"),
            *PAIR_KEYS,
            "pcn",
            "payer_sequence",
            pl.col("production_date").alias("day"),
            "reversed",
            pl.col("charge_cents").fill_null(0),
            pl.col("denied_cents").fill_null(0),
            "denial_kind",
            "denial_category",
            "carc_map_version",
        )
        .join(rest, on=PAIR_KEYS, how="left", nulls_equal=True)
        .join(claims, on="claim_id", how="left")
        # The pair's standing decision: its latest adjudication not reversed (loops are in
        # production order and the initial one comes first), none if all were reversed.
        .with_columns(
            pl.coalesce("later_on", pl.when(~pl.col("reversed")).then(pl.col("day"))).alias(
                "standing_on"
            )
        )
        .drop("later_on", "reversed")
    )
    denied = pl.col("denial_kind").is_in(DENIAL_KINDS)
    overturned = (
        denied
        & pl.col("later_denied_cents").is_not_null()
        & (pl.col("later_denied_cents") < pl.col("denied_cents"))
    ).fill_null(False)
    facts = facts.with_columns(
        denied.fill_null(False).alias("denied"),
        overturned.alias("overturned"),
        pl.when(overturned)
        .then(pl.col("denied_cents") - pl.col("later_denied_cents"))
        .otherwise(0)
        .alias("recovered_cents"),
        (denied & (pl.col("day") > pl.lit(immature_after))).fill_null(False).alias("immature"),
        pl.col("day").dt.truncate("1mo").alias("month"),
    )
    facts = drop_voided(facts, void_dates(frames, as_of), "day")
    return with_payer_class(facts, frames).collect()


def unmatched_facts(frames: Frames, as_of: datetime) -> pl.DataFrame:
    """One row per patient control number that 835s adjudicated and no 837 claim matches,
    dated by its first adjudication (so each is counted once, on the day it first arrived)."""
    adj = adjudications_lazy(frames, as_of).filter(pl.col("claim_id").is_null()).collect()
    first = adj.group_by("pcn").agg(
        pl.col("id").first().alias("claim_payment_id"),
        pl.col("production_date").first().alias("day"),
        pl.col("payer_id").first(),
        pl.col("payer_sequence").first(),
    )
    first = first.with_columns(
        pl.lit(None, dtype=pl.Int64).alias("facility_id"),
        pl.col("day").dt.truncate("1mo").alias("month"),
    )
    return with_payer_class(first, frames)


def balance_facts(frames: Frames, as_of: datetime) -> pl.DataFrame:
    """One row per 835 transaction known at as-of, with whether it fails balancing."""
    as_of = as_utc(as_of)
    loops = remit_loops(frames, as_of)
    unbalanced = (
        loops.filter(~pl.col("balanced").fill_null(True))
        .select("remit_transaction_id")
        .unique()
        .with_columns(pl.lit(True).alias("claim_unbalanced"))
        .collect()
    )
    remits = frames.remit_transaction.filter(pl.col("received_at") <= pl.lit(as_of)).select(
        pl.col("id").alias("remit_transaction_id"),
        "payer_id",
        pl.coalesce("production_date", pl.col("received_at").dt.date()).alias("day"),
        pl.col("balanced").fill_null(True),
    )
    facts = (
        remits.filter(pl.col("day") <= pl.lit(as_of.date()))
        .join(unbalanced, on="remit_transaction_id", how="left")
        .with_columns(
            (~pl.col("balanced") | pl.col("claim_unbalanced").fill_null(False)).alias("failing"),
            pl.col("day").dt.truncate("1mo").alias("month"),
        )
    )
    return with_payer_class(facts, frames)


@kpi(
    shape="count",
    unit="count",
    title="Claims adjudicated",
    owner=OWNER,
    inputs=_INPUTS,
    denominator_rows=pl.lit(True),
    snapshot=True,
    **_PAIRS,
)
def claims_adjudicated(facts: pl.DataFrame, by: list[str]) -> pl.DataFrame:
    """(claim, payer) pairs with an initial adjudication in the period (pairs = claims when each
    claim has one payer).

    Value: the number of pairs whose first adjudication (first CLP loop that is neither a
    reversal nor a predetermination) falls in the period; a claim sent on to a secondary payer
    is a second pair.
    Date basis: 835 production date (DTM*405, else BPR16) of the initial adjudication.
    Exclusions: test interchanges; reversals (CLP02 = 22) and predeterminations (25); voided
    claims from their void day. Included: remits whose claim has no 837 (unmatched) and
    unbalanced remits.
    Choices: a reversal/correction pair changes nothing here (the pair is counted once, at its
    initial adjudication, even if that one was later reversed); the remit must have been
    received by as-of; the pair's payer sequence is that of its initial adjudication.
    """
    return aggregate(facts, by, pl.len().cast(pl.Int64).alias("count"))


@kpi(
    shape="rate",
    unit="fraction",
    title="Initial denial rate",
    owner=OWNER,
    inputs=_INPUTS,
    target=Target(0.08, "<="),
    numerator_rows=pl.col("denied"),
    denominator_rows=pl.lit(True),
    snapshot=True,
    **_PAIRS,
)
def initial_denial_rate(facts: pl.DataFrame, by: list[str]) -> pl.DataFrame:
    """Pairs whose initial adjudication is a full or partial denial / claims_adjudicated. Cut by
    payer sequence = primary for the HFMA Claim Integrity Task Force's primary-payer view.

    Numerator: pairs whose initial adjudication is a full denial (CLP02 = 4, or nothing paid,
    no patient responsibility and at least one denial adjustment) or a partial denial (at
    least one denial adjustment otherwise), as classified at ingest.
    Denominator: claims_adjudicated.
    Date basis: initial adjudication date (835 production date).
    Exclusions: as claims_adjudicated. A zero pay made only of contractual or cost-sharing
    adjustments is not a denial.
    """
    return aggregate(
        facts,
        by,
        count_true(pl.col("denied")).alias("numerator"),
        pl.len().cast(pl.Int64).alias("denominator"),
    )


@kpi(
    shape="rate_money",
    unit="fraction",
    title="Initial denial rate (dollars)",
    owner=OWNER,
    inputs=(*_INPUTS, "adjustment"),
    numerator_rows=pl.col("denied"),
    denominator_rows=pl.lit(True),
    snapshot=True,
    **_PAIRS,
)
def initial_denial_rate_dollars(facts: pl.DataFrame, by: list[str]) -> pl.DataFrame:
    """Denied dollars of initial adjudications / charges (CLP03) of initial adjudications.

    Numerator: the sum of denied dollars of initial adjudications (the denial adjustments'
    amounts; for CLP02 = 4 without one, CLP03 − CLP04 − patient responsibility).
    Denominator: the sum of CLP03 charges of the initial adjudications in the period.
    Date basis: initial adjudication date.
    Exclusions: as claims_adjudicated.
    """
    return aggregate(
        facts,
        by,
        sum_cents(pl.col("denied_cents")).alias("numerator"),
        sum_cents(pl.col("charge_cents")).alias("denominator"),
    )


@kpi(
    shape="rate_money",
    unit="fraction",
    title="Initial denial rate (charges of denied claims)",
    owner=OWNER,
    inputs=_INPUTS,
    numerator_rows=pl.col("denied"),
    denominator_rows=pl.lit(True),
    snapshot=True,
    **_PAIRS,
)
def initial_denial_rate_charges(facts: pl.DataFrame, by: list[str]) -> pl.DataFrame:
    """The Task Force variant: charges of initially denied pairs / charges of initial
    adjudications.

    Numerator: the sum of CLP03 charges of initial adjudications that are full or partial
    denials (the whole charge, not only the denied part).
    Denominator: the sum of CLP03 charges of initial adjudications.
    Date basis: initial adjudication date.
    Exclusions: as claims_adjudicated.
    """
    return aggregate(
        facts,
        by,
        sum_cents(pl.when(pl.col("denied")).then(pl.col("charge_cents"))).alias("numerator"),
        sum_cents(pl.col("charge_cents")).alias("denominator"),
    )


@kpi(
    shape="object",
    unit="mixed",
    title="Initial denials by category",
    owner=OWNER,
    inputs=(*_INPUTS, "carc_category"),
    numerator_rows=pl.col("denied"),
    denominator_rows=pl.col("denied"),
    snapshot=True,
    **_PAIRS,
)
def denials_by_category(facts: pl.DataFrame, by: list[str]) -> pl.DataFrame:
    """Count and denied dollars of initial denials per denial category:
    {category: {"count", "dollars"}}, every category of the map listed (zeros included).

    Value: for each category, the initially denied pairs whose initial adjudication's category
    (that of its largest denial adjustment, ties to the first in the file) is that category,
    and the sum of their denied dollars. A CARC not in the map is 'other'; its share shows as
    the 'other' entry.
    Date basis: initial adjudication date.
    Exclusions: as claims_adjudicated; pairs not initially denied.
    Choices: the category is the one ingest stored with the CARC map version named in the
    output's carc_map_version; a denial without a category counts as 'other'.
    """
    denied = facts.filter(pl.col("denied")).with_columns(
        pl.col("denial_category").fill_null("other").alias("category")
    )
    return aggregate(
        denied,
        [*by, "category"],
        pl.len().cast(pl.Int64).alias("count"),
        sum_cents(pl.col("denied_cents")).alias("cents"),
    )


@kpi(
    shape="rate",
    unit="fraction",
    title="Denial overturn rate",
    owner=OWNER,
    inputs=_INPUTS,
    numerator_rows=pl.col("overturned"),
    denominator_rows=pl.col("denied"),
    snapshot=True,
    **_PAIRS,
)
def denial_overturn_rate(facts: pl.DataFrame, by: list[str]) -> pl.DataFrame:
    """Initially denied pairs whose later adjudication by the same payer has fewer denied
    dollars / initially denied pairs. Cohorts younger than 120 days are marked immature.

    Numerator: initially denied pairs whose latest later adjudication by the same payer (after
    the initial one, not itself reversed, known at as-of) has fewer denied dollars than the
    initial adjudication.
    Denominator: pairs whose initial adjudication in the period is a full or partial denial.
    Date basis: initial denial date (the initial adjudication's production date).
    Exclusions: as claims_adjudicated.
    Choices: the flag 'immature' is set when any denial of the cohort is younger than 120 days
    at as-of (its overturns may still come); a correction after a reversal counts as the later
    adjudication; a later adjudication that was itself reversed is ignored.
    """
    return aggregate(
        facts,
        by,
        count_true(pl.col("overturned")).alias("numerator"),
        count_true(pl.col("denied")).alias("denominator"),
        pl.col("immature").any().alias("flag_immature"),
    )


@kpi(
    shape="money",
    unit="dollars",
    title="Denial dollars recovered",
    owner=OWNER,
    inputs=_INPUTS,
    numerator_rows=pl.col("overturned"),
    denominator_rows=pl.col("denied"),
    snapshot=True,
    **_PAIRS,
)
def denial_dollars_recovered(facts: pl.DataFrame, by: list[str]) -> pl.DataFrame:
    """Denied dollars recovered by overturns of the period's initial denials.

    Value: the sum, over overturned pairs (see denial_overturn_rate), of the initial
    adjudication's denied dollars minus the latest later adjudication's denied dollars.
    Date basis: initial denial date.
    Exclusions: as denial_overturn_rate.
    Choices: marked immature like denial_overturn_rate.
    """
    return aggregate(
        facts,
        by,
        sum_cents(pl.col("recovered_cents")).alias("cents"),
        pl.col("immature").any().alias("flag_immature"),
    )


@kpi(
    shape="count",
    unit="count",
    title="Unmatched remits",
    owner="Cash posting supervisor",
    inputs=("remit_transaction", "claim_payment"),
    family="adjudication",
    facts="unmatched",
    id_columns=("pcn", "claim_payment_id"),
    denominator_rows=pl.lit(True),
    snapshot=True,
    dims=PAIR_DIMS,
)
def unmatched_remits(facts: pl.DataFrame, by: list[str]) -> pl.DataFrame:
    """Distinct claims in 835s whose CLP01 matches no 837 claim.

    Value: distinct patient control numbers adjudicated in 835s (reversals and
    predeterminations aside) that ingest matched to no 837 claim, each counted once, in the
    period of its first adjudication.
    Date basis: 835 production date of the first adjudication of that patient control number.
    Exclusions: test interchanges. These claims also count in claims_adjudicated.
    Choices: facility is unknown without an 837 (the 'unmapped' bucket); payer and payer
    sequence are those of the first adjudication.
    """
    return aggregate(facts, by, pl.len().cast(pl.Int64).alias("count"))


@kpi(
    shape="count",
    unit="count",
    title="Remit balance exceptions",
    owner="Cash posting supervisor",
    inputs=("remit_transaction", "claim_payment"),
    family="adjudication",
    facts="remit_balance",
    id_columns=("remit_transaction_id",),
    numerator_rows=pl.col("failing"),
    denominator_rows=pl.col("failing"),
    snapshot=True,
    dims=("payer_id", "payer_class", "month"),
)
def remit_balance_exceptions(facts: pl.DataFrame, by: list[str]) -> pl.DataFrame:
    """835 transactions that fail balancing: BPR02 ≠ ΣCLP04 − ΣPLB, or a claim whose CLP03 −
    CLP04 ≠ ΣCAS (claim and line level), to the cent.

    Value: the number of 835 transactions flagged unbalanced at ingest, or holding a claim
    payment flagged unbalanced.
    Date basis: 835 production date.
    Exclusions: test interchanges. Their claims still count in the adjudication KPIs.
    Choices: a transaction has no facility (it pays claims of many), so this KPI cannot be cut
    by facility or payer sequence.
    """
    return aggregate(facts, by, count_true(pl.col("failing")).alias("count"))


def underpayment_facts(frames: Frames, as_of: datetime, tolerance_cents: int) -> pl.DataFrame:
    """One row per assessable adjudication (see :func:`underpayments`)."""
    as_of = as_utc(as_of)
    adj = (
        adjudications_lazy(frames, as_of)
        .filter(
            ~pl.col("reversed")
            & (pl.col("denial_kind").fill_null("none") != "full")
            & (pl.col("payer_sequence").fill_null("primary") == "primary")
        )
        .select(
            "id",
            "claim_id",
            "pcn",
            "payer_id",
            "payer_sequence",
            "production_date",
            "paid_cents",
            "patient_responsibility_cents",
        )
        .collect()
    )
    claim_types = frames.claim.select(pl.col("id").alias("claim_id"), "claim_type")
    lines = (
        frames.service_line_payment.join(
            adj.select(
                pl.col("id").alias("claim_payment_id"), "claim_id", "payer_id", "production_date"
            ),
            on="claim_payment_id",
            how="inner",
        )
        .join(claim_types, on="claim_id", how="left")
        .with_columns(pl.col("claim_type").fill_null("").alias("line_claim_type"))
        .drop("claim_id", "claim_type")
        .with_row_index("line")
    )
    lines = lines.with_columns(
        pl.col("modifiers").fill_null("").str.split(",").list.first().fill_null("").alias("mod"),
        pl.coalesce("service_date", "production_date").alias("on"),
        pl.when(pl.col("procedure_qualifier") == "NU")
        .then(pl.lit("REV"))
        .otherwise(pl.lit("CPT"))
        .alias("system_group"),
    )
    fees = frames.fee_schedule_entry.with_columns(
        pl.when(pl.col("code_system") == "REV")
        .then(pl.lit("REV"))
        .otherwise(pl.lit("CPT"))
        .alias("system_group"),
        pl.col("modifier").fill_null(""),
        pl.col("claim_type").fill_null("").alias("fee_claim_type"),
    )
    matched = (
        lines.join(
            fees,
            left_on=["payer_id", "procedure_code", "system_group"],
            right_on=["payer_id", "code", "system_group"],
            how="inner",
        )
        .filter(
            (pl.col("effective_from") <= pl.col("on"))
            & (pl.col("effective_to").is_null() | (pl.col("effective_to") >= pl.col("on")))
            & ((pl.col("modifier") == pl.col("mod")) | (pl.col("modifier") == ""))
            & (
                (pl.col("fee_claim_type") == pl.col("line_claim_type"))
                | (pl.col("fee_claim_type") == "")
            )
        )
        # Most specific first: the claim's own type, then the modifier, then the newest terms.
        .sort(
            ["line", "fee_claim_type", "modifier", "effective_from"],
            descending=[False, True, True, True],
        )
        .unique(subset=["line"], keep="first")
        .with_columns(
            (pl.col("expected_allowed_cents") * pl.col("units").fill_null(1.0))
            .round(0)
            .cast(pl.Int64)
            .alias("expected_cents")
        )
    )
    per_payment = (
        lines.group_by("claim_payment_id")
        .agg(pl.len().alias("lines"))
        .join(
            matched.group_by("claim_payment_id").agg(
                pl.len().alias("matched"), pl.col("expected_cents").sum()
            ),
            on="claim_payment_id",
            how="inner",
        )
        .filter(pl.col("lines") == pl.col("matched"))
    )
    claims = frames.claim.select(pl.col("id").alias("claim_id"), "facility_id")
    facts = (
        adj.select(
            pl.col("id").alias("claim_payment_id"),
            "claim_id",
            "pcn",
            "payer_id",
            "payer_sequence",
            pl.col("production_date").alias("day"),
            (pl.col("paid_cents") + pl.col("patient_responsibility_cents").fill_null(0)).alias(
                "allowed_cents"
            ),
        )
        .join(per_payment.select("claim_payment_id", "expected_cents"), on="claim_payment_id")
        .join(claims, on="claim_id", how="left")
        .with_columns((pl.col("expected_cents") - pl.col("allowed_cents")).alias("short_cents"))
        .with_columns(
            (pl.col("short_cents") > tolerance_cents).alias("underpaid"),
            pl.col("day").dt.truncate("1mo").alias("month"),
        )
    )
    facts = drop_voided(facts, void_dates(frames, as_of), "day")
    return with_payer_class(facts, frames)


@kpi(
    shape="count_money",
    unit="dollars",
    title="Underpayments",
    owner="Managed care contracting manager",
    inputs=(*_INPUTS, "service_line_payment", "fee_schedule_entry"),
    family="receivables",
    facts="underpayments",
    id_columns=("claim_payment_id", "claim_id", "pcn"),
    numerator_rows=pl.col("underpaid"),
    denominator_rows=pl.lit(True),
    snapshot=True,
    dims=PAIR_DIMS,
)
def underpayments(facts: pl.DataFrame, by: list[str]) -> pl.DataFrame:
    """Adjudications where paid + patient responsibility < expected allowed − tolerance:
    {"count", "dollars"} (dollars = the amount short).

    Value: count of assessable adjudications whose CLP04 + CLP05 falls short of the expected
    allowed amount by more than the tolerance, and the sum of those shortfalls.
    Date basis: adjudication date (835 production date).
    Exclusions: reversals, predeterminations, adjudications later reversed, full denials
    (counted as denials instead), secondary and tertiary adjudications (the contract's
    allowed amount is the primary payer's), and adjudications with any service line that has
    no fee schedule entry (not assessable).
    Choices: expected allowed = Σ over service lines (SVC) of the payer's fee schedule amount
    for the code (HC → CPT/HCPCS, NU → revenue code), the claim's type (professional or
    institutional, from its 837; an entry for any type applies too, the claim's own type wins),
    first modifier, in effect on the line's service date (else the production date) — an entry
    with that modifier wins over one without — times the units, rounded to the cent; the
    tolerance is the RCMWATCH_UNDERPAYMENT_TOLERANCE setting ($1.00 by default).
    """
    return aggregate(
        facts,
        by,
        count_true(pl.col("underpaid")).alias("count"),
        sum_cents(pl.when(pl.col("underpaid")).then(pl.col("short_cents"))).alias("cents"),
    )


def write_off_facts(frames: Frames, as_of: datetime) -> pl.DataFrame:
    """Denial write-offs posted by as-of (part 'write_off', dated by posting day) and net patient
    service revenue per month and facility (part 'revenue', dated by the month's first day)."""
    as_of = as_utc(as_of)
    write_offs = frames.write_off.filter(
        (pl.col("reason") == "denial") & (pl.col("posted_at") <= pl.lit(as_of))
    ).select(
        pl.col("id").alias("record_id"),
        "facility_id",
        pl.col("amount_cents").alias("cents"),
        pl.col("posted_at").dt.date().alias("day"),
        pl.lit("write_off").alias("part"),
    )
    revenue = frames.revenue.select(
        pl.col("id").alias("record_id"),
        "facility_id",
        pl.col("net_revenue_cents").alias("cents"),
        pl.col("period").alias("day"),
        pl.lit("revenue").alias("part"),
    )
    return pl.concat([write_offs, revenue]).with_columns(
        pl.col("day").dt.truncate("1mo").alias("month")
    )


@kpi(
    shape="rate_money",
    unit="fraction",
    title="Final denial write-off rate (MAP AR-6)",
    owner="Chief financial officer",
    inputs=("write_off", "revenue"),
    target=Target(0.01, "<="),
    family="adjudication",
    facts="write_offs",
    id_columns=("record_id", "part"),
    numerator_rows=pl.col("part") == "write_off",
    denominator_rows=pl.col("part") == "revenue",
    snapshot=True,
    dims=("facility_id", "month"),
)
def final_denial_writeoff_rate(facts: pl.DataFrame, by: list[str]) -> pl.DataFrame:
    """Denial write-offs posted in the ERP / net patient service revenue (ERP).

    Numerator: the sum of ERP write-offs with reason 'denial' posted in the period.
    Denominator: net patient service revenue of the months whose first day falls in the
    period (the ERP's GL export, per month and facility).
    Date basis: ERP posting date (write-offs); revenue month.
    Exclusions: rows removed at the source; write-offs posted after as-of.
    Choices: for a period that is not whole months, only the months starting inside it
    count; revenue has no payer, so this KPI cannot be cut by payer; null with a note when no
    ERP revenue is collected.
    """
    return aggregate(
        facts,
        by,
        sum_cents(pl.when(pl.col("part") == "write_off").then(pl.col("cents"))).alias("numerator"),
        sum_cents(pl.when(pl.col("part") == "revenue").then(pl.col("cents"))).alias("denominator"),
    )
