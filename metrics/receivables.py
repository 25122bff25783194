"""KPI.md §3 — receivables, posting and cash. The ERP is the system of record: when its records
are collected (receivables, postings, payments, revenue) the KPIs use them; otherwise A/R and cash
are derived from claims and remits and flagged ``source:derived`` (billed A/R only).

A/R at a day D (period end, capped at as-of):
- ERP: each receivable opened on or before D at its collected balance, rolled back by the
  activity posted after D (postings and write-offs for insurance receivables; patient payments,
  transfers in and bad-debt, charity and small-balance write-offs for patient receivables).
  Conventions assumed of the ERP records: postings are the receivables ledger, signed by their
  effect on the balance (charges, reversals and take-backs up; payments and adjustments down; a
  transfer to patient responsibility as a negative insurance leg and a positive patient leg);
  payment and write-off records are positive amounts that reduce a balance.
- Derived: for each claim first submitted by D and not voided by then, insurance A/R = its
  charge (latest original or replacement submitted by D) − the primary payer's payments − its
  non-PR adjustments (CO/PI/OA/CR) − PR adjustments (moved to patient), over loops produced by
  D, reversals netting their originals; patient A/R = those PR adjustments (no patient
  payments are known without the ERP). Secondary and tertiary remits are not reflected.
Balances below zero are credit balances, reported apart (credit_balances) and left out of A/R.
"""

from __future__ import annotations

from datetime import date, datetime

import polars as pl

from metrics.common import (
    KpiParams,
    adr_window,
    aggregate,
    as_utc,
    count_true,
    drop_voided,
    end_of_day,
    nearest_rank,
    remit_loops,
    shared_intermediate,
    sum_cents,
    void_dates,
    with_payer_class,
)
from metrics.frames import Frames
from metrics.registry import Target, kpi

AR_DIMS = ("facility_id", "payer_id", "payer_class", "month")
PAY_DIMS = ("facility_id", "payer_id", "payer_class", "payer_sequence", "month")
AR_BUCKETS = ((0, 30, "0-30"), (31, 60, "31-60"), (61, 90, "61-90"), (91, 120, "91-120"))
AR_OVER = (121, "121+")
PATIENT_WRITE_OFFS = ("bad_debt", "charity", "small_balance")
OWNER_AR = "Director of patient financial services (A/R)"
OWNER_CASH = "Cash posting supervisor"


# --- posting -----------------------------------------------------------------------------


@shared_intermediate
def payment_facts(frames: Frames, as_of: datetime) -> pl.DataFrame:
    """One row per claim payment known at as-of (neither reversal nor predetermination), dated
    by the day its 835 file was received, with its first ERP posting known at as-of."""
    as_of = as_utc(as_of)
    loops = remit_loops(frames, as_of).filter(
        ~pl.col("is_predetermination").fill_null(False) & ~pl.col("is_reversal").fill_null(False)
    )
    posts = (
        frames.posting.filter(
            pl.col("claim_payment_id").is_not_null() & (pl.col("posted_at") <= pl.lit(as_of))
        )
        .group_by("claim_payment_id")
        .agg(
            pl.col("posted_at").min().alias("posted_at"),
            pl.col("is_manual").fill_null(False).any().alias("manual"),
        )
    )
    claims = frames.claim.select(pl.col("id").alias("claim_id"), "facility_id")
    facts = (
        loops.lazy()
        .select(
            pl.col("id").alias("claim_payment_id"),
            "claim_id",
            "pcn",
            "payer_id",
            "payer_sequence",
            "received_at",
            pl.col("received_at").dt.date().alias("day"),
            pl.col("paid_cents").fill_null(0),
        )
        .join(posts.lazy(), on="claim_payment_id", how="left")
        .join(claims.lazy(), on="claim_id", how="left")
    )
    posted = pl.col("posted_at").is_not_null()
    facts = facts.with_columns(
        posted.alias("posted"),
        pl.col("manual").fill_null(False),
        pl.when(posted)
        .then((pl.col("posted_at") - pl.col("received_at")).dt.total_seconds())
        .otherwise((pl.lit(as_of) - pl.col("received_at")).dt.total_seconds())
        .cast(pl.Int64)
        .alias("wait_s"),
        pl.col("posted_at").dt.date().alias("posted_day"),
        pl.col("day").dt.truncate("1mo").alias("month"),
    )
    facts = drop_voided(facts, void_dates(frames, as_of), "day")
    return with_payer_class(facts, frames).collect()


def posted_facts(frames: Frames, as_of: datetime) -> pl.LazyFrame:
    """The posted claim payments, dated by their first ERP posting day: a lazy view of the
    payment facts (never a copy of them)."""
    facts = payment_facts(frames, as_of).lazy().filter(pl.col("posted"))
    return facts.with_columns(
        pl.col("posted_day").alias("day"), pl.col("posted_day").dt.truncate("1mo").alias("month")
    )


_PAY = dict(
    family="receivables",
    id_columns=("claim_payment_id", "claim_id", "pcn"),
    dims=PAY_DIMS,
    owner=OWNER_CASH,
)


@kpi(
    shape="object",
    unit="hours",
    title="Posting latency",
    inputs=("remit_transaction", "claim_payment", "posting"),
    target=Target(48, "<="),
    facts="payments",
    denominator_rows=pl.lit(True),
    numerator_rows=pl.col("posted"),
    snapshot=True,
    **_PAY,
)
def posting_latency(facts: pl.DataFrame, by: list[str]) -> pl.DataFrame:
    """Per claim payment: ERP posting time − time the 835 file was received; {"median_h",
    "p90_h", "n"} over posted payments and still-unposted ones at their current age.

    Value: the median and 90th percentile, in hours (2 decimals), of each claim payment's
    wait: first ERP posting time − the 835's received_at (landing time) when posted by as-of,
    else as-of − received_at; n = the claim payments measured.
    Date basis: the 835's received_at (UTC day).
    Exclusions: test interchanges; reversals and predeterminations (nothing to post as a
    payment); voided claims from their void day.
    Choices: percentiles by the nearest-rank method (the smallest wait such that at least
    50% / 90% of the payments waited no longer; the median of an even count is the lower
    middle value); a payment is posted by the first ERP posting that links to it
    (posting.claim_payment_id). The target applies to the P90. Needs ERP postings: without
    any, the value is null with a note.
    """
    return aggregate(
        facts,
        by,
        nearest_rank(pl.col("wait_s"), 1, 2).alias("median_s"),
        nearest_rank(pl.col("wait_s"), 9, 10).alias("p90_s"),
        pl.len().cast(pl.Int64).alias("n"),
    )


@kpi(
    shape="object",
    unit="mixed",
    title="Unposted remits",
    inputs=("remit_transaction", "claim_payment", "posting"),
    facts="payments",
    denominator_rows=~pl.col("posted"),
    **_PAY,
)
def unposted_remits(facts: pl.DataFrame, by: list[str]) -> pl.DataFrame:
    """Claim payments received and not posted: {"count", "dollars", "oldest_age_h",
    "p90_age_h"}.

    Value: claim payments whose 835 was received in the period and that have no ERP posting
    at as-of: their count, the sum of their paid amounts (CLP04), the age of the oldest and
    the 90th-percentile age (nearest rank) in hours at as-of.
    Date basis: the 835's received_at.
    Exclusions: as posting_latency. Needs ERP postings (else null with a note).
    """
    unposted = pl.col("posted").not_()
    return aggregate(
        facts,
        by,
        count_true(unposted).alias("count"),
        sum_cents(pl.when(unposted).then(pl.col("paid_cents"))).alias("cents"),
        pl.col("wait_s").filter(unposted).max().alias("oldest_s"),
        nearest_rank(pl.col("wait_s").filter(unposted), 9, 10).alias("p90_s"),
    )


@kpi(
    shape="rate",
    unit="fraction",
    title="Auto-posting rate",
    inputs=("claim_payment", "posting"),
    target=Target(0.90, ">="),
    facts="postings",
    numerator_rows=~pl.col("manual"),
    denominator_rows=pl.lit(True),
    snapshot=True,
    **_PAY,
)
def auto_posting_rate(facts: pl.DataFrame, by: list[str]) -> pl.DataFrame:
    """Claim payments posted with no manual touch / claim payments posted (count).

    Numerator: posted claim payments none of whose ERP postings is marked manual.
    Denominator: claim payments whose first ERP posting falls in the period.
    Date basis: ERP posting date (first posting).
    Exclusions: as posting_latency; postings that link to no claim payment.
    Choices: auto_posting_rate_dollars gives the same ratio in dollars (CLP04).
    """
    return aggregate(
        facts,
        by,
        count_true(~pl.col("manual")).alias("numerator"),
        pl.len().cast(pl.Int64).alias("denominator"),
    )


@kpi(
    shape="rate_money",
    unit="fraction",
    title="Auto-posting rate (dollars)",
    inputs=("claim_payment", "posting"),
    facts="postings",
    numerator_rows=~pl.col("manual"),
    denominator_rows=pl.lit(True),
    snapshot=True,
    **_PAY,
)
def auto_posting_rate_dollars(facts: pl.DataFrame, by: list[str]) -> pl.DataFrame:
    """Dollars of claim payments posted with no manual touch / dollars of claim payments
    posted.

    Numerator: the sum of CLP04 paid amounts of posted claim payments with no manual posting.
    Denominator: the sum of CLP04 paid amounts of claim payments first posted in the period.
    Date basis: ERP posting date (first posting).
    Exclusions: as auto_posting_rate.
    """
    return aggregate(
        facts,
        by,
        sum_cents(pl.when(~pl.col("manual")).then(pl.col("paid_cents"))).alias("numerator"),
        sum_cents(pl.col("paid_cents")).alias("denominator"),
    )


# --- cash --------------------------------------------------------------------------------


def cash_facts(frames: Frames, as_of: datetime) -> pl.DataFrame:
    """ERP payments posted by as-of; without any ERP payment, the remits' paid amounts."""
    as_of = as_utc(as_of)
    if frames.payment.height:
        facts = frames.payment.filter(pl.col("posted_at") <= pl.lit(as_of)).select(
            pl.col("id").alias("payment_id"),
            "claim_id",
            "facility_id",
            "payer_id",
            "payer_type",
            pl.col("amount_cents").alias("cents"),
            pl.col("posted_at").dt.date().alias("day"),
            pl.lit(False).alias("derived"),
        )
    else:
        claims = frames.claim.select(pl.col("id").alias("claim_id"), "facility_id")
        facts = (
            remit_loops(frames, as_of)
            .filter(~pl.col("is_predetermination").fill_null(False))
            .select(
                pl.col("id").alias("payment_id"),
                "claim_id",
                "payer_id",
                pl.lit("payer").alias("payer_type"),
                pl.col("paid_cents").fill_null(0).alias("cents"),
                pl.col("production_date").alias("day"),
                pl.lit(True).alias("derived"),
            )
            .join(claims.lazy(), on="claim_id", how="left")
            .collect()
        )
    facts = facts.with_columns(pl.col("day").dt.truncate("1mo").alias("month"))
    return with_payer_class(facts, frames)


@kpi(
    shape="money",
    unit="dollars",
    title="Cash collected",
    family="receivables",
    facts="cash",
    owner=OWNER_CASH,
    inputs=("payment", "remit_transaction", "claim_payment"),
    id_columns=("payment_id", "claim_id"),
    denominator_rows=pl.lit(True),
    snapshot=True,
    dims=AR_DIMS,
)
def cash_collected(facts: pl.DataFrame, by: list[str]) -> pl.DataFrame:
    """Payer + patient payments posted in the period.

    Value: the sum of ERP payments (payer and patient) posted in the period.
    Date basis: ERP posting date.
    Exclusions: payments posted after as-of; rows removed at the source.
    Choices: without ERP payments, derived from remits (flag source:derived): the sum of CLP04
    paid amounts of claim payments (reversals netting, predeterminations aside) by 835
    production date — payer cash only, no patient payments.
    """
    return aggregate(
        facts,
        by,
        sum_cents(pl.col("cents")).alias("cents"),
        pl.col("derived").any().alias("flag_source_derived"),
    )


# --- A/R ---------------------------------------------------------------------------------


@shared_intermediate
def _claim_charges(frames: Frames, until: datetime) -> pl.DataFrame:
    """``claim_id`` → charge of its latest original or replacement submitted before ``until``."""
    return (
        frames.claim_version.lazy()
        .filter(pl.col("frequency_code").is_in(["1", "7"]))
        .join(frames.submission.lazy(), left_on="submission_id", right_on="id", how="inner")
        .filter(pl.col("submitted_at") < pl.lit(until))
        .sort(["submitted_at", "id"])
        .group_by("claim_id")
        .agg(pl.col("charge_cents").last().fill_null(0))
        .collect()
    )


def _erp_receivables(frames: Frames, as_of: datetime, at: date) -> pl.DataFrame:
    after, until = end_of_day(at), as_of

    def later(frame: pl.DataFrame, when: str) -> pl.DataFrame:
        return frame.filter(
            pl.col("claim_id").is_not_null()
            & (pl.col(when) >= pl.lit(after))
            & (pl.col(when) <= pl.lit(until))
        )

    patient_wo = pl.col("reason").is_in(PATIENT_WRITE_OFFS)
    activity = pl.concat(
        [
            # The posting table is the ledger: signed by effect on the balance, so undoing a
            # later posting subtracts it; a transfer's positive leg lands on the patient.
            later(frames.posting, "posted_at").select(
                "claim_id",
                pl.when((pl.col("kind") == "transfer") & (pl.col("amount_cents") > 0))
                .then(pl.lit("patient"))
                .otherwise(pl.lit("insurance"))
                .alias("kind"),
                (-pl.col("amount_cents")).alias("amount_cents"),
            ),
            later(frames.write_off, "posted_at").select(
                "claim_id",
                pl.when(patient_wo)
                .then(pl.lit("patient"))
                .otherwise(pl.lit("insurance"))
                .alias("kind"),
                "amount_cents",
            ),
            later(frames.payment.filter(pl.col("payer_type") == "patient"), "posted_at").select(
                "claim_id", pl.lit("patient").alias("kind"), "amount_cents"
            ),
        ]
    )
    activity = activity.group_by(["claim_id", "kind"]).agg(
        pl.col("amount_cents").sum().alias("after_cents")
    )
    rec = frames.receivable.filter(pl.col("opened_on").is_null() | (pl.col("opened_on") <= at))
    first = pl.col("id") == pl.col("id").min().over(["claim_id", "kind"])
    rec = rec.join(activity, on=["claim_id", "kind"], how="left").with_columns(
        (
            pl.col("balance_cents")
            + pl.when(first & pl.col("claim_id").is_not_null())
            .then(pl.col("after_cents").fill_null(0))
            .otherwise(0)
        ).alias("cents")
    )
    submitted = frames.claim.select(
        pl.col("id").alias("claim_id"), pl.col("first_submitted_at").dt.date().alias("sub_day")
    )
    return rec.join(submitted, on="claim_id", how="left").select(
        pl.col("id").alias("receivable_id"),
        "claim_id",
        "facility_id",
        "payer_id",
        "kind",
        "cents",
        pl.coalesce("service_date", "opened_on").alias("service_anchor"),
        pl.coalesce("sub_day", "opened_on").alias("submission_anchor"),
        pl.lit(False).alias("derived"),
    )


@shared_intermediate
def _adjustment_sums(frames: Frames) -> pl.DataFrame:
    """``claim_payment_id`` → its PR adjustments (``pr``) and the others (``other``)."""
    return frames.adjustment.group_by("claim_payment_id").agg(
        sum_cents(pl.when(pl.col("group_code") == "PR").then(pl.col("amount_cents"))).alias("pr"),
        sum_cents(pl.when(pl.col("group_code") != "PR").then(pl.col("amount_cents"))).alias(
            "other"
        ),
    )


def _derived_receivables(frames: Frames, as_of: datetime, at: date) -> pl.DataFrame:
    until = min(end_of_day(at), as_utc(as_of))
    claims = frames.claim.filter(
        pl.col("first_submitted_at").is_not_null() & (pl.col("first_submitted_at") < until)
    ).select(
        pl.col("id").alias("claim_id"),
        "facility_id",
        "payer_id",
        pl.col("service_from"),
        pl.col("first_submitted_at").dt.date().alias("sub_day"),
    )
    claims = claims.join(_claim_charges(frames, until), on="claim_id", how="left")
    loops = remit_loops(frames, as_of).filter(
        (pl.col("production_date") <= pl.lit(at))
        & pl.col("claim_id").is_not_null()
        & ~pl.col("is_predetermination").fill_null(False)
        & (pl.col("payer_sequence").fill_null("primary") == "primary")
    )
    moved = (
        loops.join(
            _adjustment_sums(frames).lazy(), left_on="id", right_on="claim_payment_id", how="left"
        )
        .group_by("claim_id")
        .agg(
            (pl.col("paid_cents").fill_null(0) + pl.col("other").fill_null(0))
            .sum()
            .alias("reduced"),
            pl.col("pr").fill_null(0).sum().alias("to_patient"),
        )
        .collect()
    )
    claims = claims.join(moved, on="claim_id", how="left").with_columns(
        pl.col("charge_cents").fill_null(0),
        pl.col("reduced").fill_null(0),
        pl.col("to_patient").fill_null(0),
    )
    base = dict(
        claim_id=pl.col("claim_id"),
        facility_id=pl.col("facility_id"),
        payer_id=pl.col("payer_id"),
        service_anchor=pl.coalesce("service_from", "sub_day"),
        submission_anchor=pl.col("sub_day"),
    )
    insurance = claims.select(
        pl.lit(None, dtype=pl.Int64).alias("receivable_id"),
        **base,
        kind=pl.lit("insurance"),
        cents=(pl.col("charge_cents") - pl.col("reduced") - pl.col("to_patient")),
    )
    patient = claims.filter(pl.col("to_patient") != 0).select(
        pl.lit(None, dtype=pl.Int64).alias("receivable_id"),
        **base,
        kind=pl.lit("patient"),
        cents=pl.col("to_patient"),
    )
    out = pl.concat([insurance, patient]).with_columns(pl.lit(True).alias("derived"))
    day_of = pl.lit(at)
    out = out.with_columns(day_of.alias("day"))
    out = drop_voided(out, void_dates(frames, as_of), "day").drop("day")
    return out.select(
        "receivable_id",
        "claim_id",
        "facility_id",
        "payer_id",
        "kind",
        "cents",
        "service_anchor",
        "submission_anchor",
        "derived",
    )


def receivable_facts(frames: Frames, as_of: datetime, params: KpiParams, at: date) -> pl.DataFrame:
    """One row per receivable balance at day ``at`` (insurance and patient apart), with its age
    in whole days from the anchor (date of service by default)."""
    if frames.receivable.height:
        rows = _erp_receivables(frames, as_of, at)
    else:
        rows = _derived_receivables(frames, as_of, at)
    anchor = "service_anchor" if params.ar_age_anchor == "service" else "submission_anchor"
    rows = rows.with_columns(
        (pl.lit(at) - pl.col(anchor)).dt.total_days().fill_null(0).cast(pl.Int64).alias("age"),
        pl.lit(at).alias("day"),
        pl.lit(at).dt.truncate("1mo").alias("month"),
        (pl.col("cents") > 0).alias("open"),
        (pl.col("cents") < 0).alias("credit"),
    )
    return with_payer_class(rows, frames)


def ar_facts(frames: Frames, as_of: datetime, params: KpiParams, at: date) -> pl.DataFrame:
    """Receivable rows (part 'ar') and, for the average daily revenue, gross charges and net
    revenue of the ADR window (parts 'gross' and 'net'), one frame so cuts apply to both."""
    ar = receivable_facts(frames, as_of, params, at).with_columns(
        pl.lit("ar").alias("part"), pl.col("cents").alias("net_cents")
    )
    first, last = adr_window(at)
    days = (last - first).days + 1
    if frames.revenue.height:
        rev = frames.revenue.filter(pl.col("period").is_between(first, last))
        ar = _with_expected_net(ar, frames, rev, at)
        gross = rev.select(
            "facility_id",
            pl.col("gross_charges_cents").alias("cents"),
            pl.lit("gross").alias("part"),
            pl.lit(False).alias("derived"),
        )
        net = rev.select(
            "facility_id",
            pl.col("net_revenue_cents").alias("cents"),
            pl.lit("net").alias("part"),
            pl.lit(False).alias("derived"),
        )
        window = pl.concat([gross, net]).with_columns(
            pl.lit(None, dtype=pl.Int64).alias("payer_id")
        )
    else:
        charges = frames.claim.filter(
            pl.col("first_submitted_at").is_not_null()
            & pl.col("first_submitted_at").dt.date().is_between(first, last)
        ).select(
            pl.col("id").alias("claim_id"),
            "facility_id",
            "payer_id",
            pl.col("first_submitted_at").dt.date().alias("day"),
        )
        charges = charges.join(_claim_charges(frames, end_of_day(last)), on="claim_id", how="left")
        charges = drop_voided(charges, void_dates(frames, as_of), "day")
        window = charges.select(
            "facility_id",
            "payer_id",
            pl.col("charge_cents").fill_null(0).alias("cents"),
            pl.lit("gross").alias("part"),
            pl.lit(True).alias("derived"),
        )
    window = with_payer_class(window, frames).with_columns(
        pl.lit(at).alias("day"), pl.lit(at).dt.truncate("1mo").alias("month")
    )
    out = pl.concat([ar, window], how="diagonal_relaxed")
    return out.with_columns(pl.lit(days).alias("window_days"))


PPM = 1_000_000


def _with_expected_net(
    ar: pl.DataFrame, frames: Frames, rev: pl.DataFrame, at: date
) -> pl.DataFrame:
    """``net_cents``: each receivable net of the contractual allowance still to come.

    The ERP carries an insurance receivable at its gross charge until the payer's adjudication
    is posted (payment or adjustment); from then on its balance is already net. Until then its
    expected net is the charge times the facility's net-to-gross revenue ratio over the ADR
    window (whole-system ratio for a facility without revenue), in integer parts per million —
    the allowance-for-contractual-adjustments estimate finance makes. Patient A/R is not
    subject to contractual allowances."""
    gross_total = rev["gross_charges_cents"].sum()
    if not gross_total:
        return ar
    default_ppm = rev["net_revenue_cents"].sum() * PPM // gross_total
    ratios = (
        rev.group_by("facility_id")
        .agg(pl.col("net_revenue_cents").sum().alias("n"), pl.col("gross_charges_cents").sum())
        .filter(pl.col("gross_charges_cents") > 0)
        .select("facility_id", (pl.col("n") * PPM // pl.col("gross_charges_cents")).alias("ppm"))
    )
    adjudicated = (
        frames.posting.filter(
            pl.col("claim_id").is_not_null()
            & pl.col("kind").is_in(["payment", "adjustment"])
            & (pl.col("posted_at") < pl.lit(end_of_day(at)))
        )
        .select("claim_id")
        .unique()
        .with_columns(pl.lit(True).alias("_adjudicated"))
    )
    pending = (pl.col("kind") == "insurance") & ~pl.col("_adjudicated").fill_null(False)
    return (
        ar.join(adjudicated, on="claim_id", how="left")
        .join(ratios, on="facility_id", how="left")
        .with_columns(
            pl.when(pending)
            .then(pl.col("cents") * pl.col("ppm").fill_null(default_ppm) // PPM)
            .otherwise(pl.col("cents"))
            .alias("net_cents")
        )
        .drop("_adjudicated", "ppm")
    )


_AR = dict(
    family="receivables",
    facts="ar",
    owner=OWNER_AR,
    id_columns=("receivable_id", "claim_id"),
    point_in_time=True,
    dims=AR_DIMS,
)
_AR_INPUTS = ("receivable", "posting", "write_off", "payment", "revenue", "claim", "claim_payment")
_OPEN_AR = (pl.col("part") == "ar") & pl.col("open")


def _ar_numerator() -> pl.Expr:
    return sum_cents(pl.when(_OPEN_AR).then(pl.col("cents")))


def _ar_derived_flag() -> pl.Expr:
    return pl.col("derived").filter(pl.col("part") == "ar").any().alias("flag_source_derived")


@kpi(
    shape="days",
    unit="days",
    title="Days in A/R (gross)",
    inputs=_AR_INPUTS,
    numerator_rows=_OPEN_AR,
    denominator_rows=pl.col("part") == "gross",
    **_AR,
)
def days_in_ar_gross(facts: pl.DataFrame, by: list[str]) -> pl.DataFrame:
    """Gross A/R at period end / gross average daily revenue.

    Numerator: A/R (insurance + patient, credit balances aside) at the end of the period
    (capped at as-of): the ERP's receivables, else billed A/R derived from claims and remits.
    Denominator: gross average daily revenue: gross charges (ERP revenue, else claim charges by
    first submission date) of the last three complete calendar months ending on or before the
    measurement day, divided by the days of those months.
    Date basis: A/R at period end; charges by month (ERP) or submission date.
    Exclusions: test data; voided claims; credit balances.
    Choices: when the measurement day is not a month end (the current month), the ADR window
    is the three months before it, so it never holds a partial month; a payer cut needs
    claim charges (ERP revenue has no payer), so with ERP revenue a payer cut is null.
    """
    return aggregate(
        facts,
        by,
        _ar_numerator().alias("numerator"),
        sum_cents(pl.when(pl.col("part") == "gross").then(pl.col("cents"))).alias("denominator"),
        pl.col("window_days").max().fill_null(0).alias("window_days"),
        _ar_derived_flag(),
    )


@kpi(
    shape="days",
    unit="days",
    title="Days in A/R (net)",
    inputs=_AR_INPUTS,
    target=Target(45, "<="),
    numerator_rows=_OPEN_AR,
    denominator_rows=pl.col("part") == "net",
    **_AR,
)
def days_in_ar_net(facts: pl.DataFrame, by: list[str]) -> pl.DataFrame:
    """Net A/R at period end / net average daily revenue (needs the ERP's net revenue).

    Numerator: A/R at period end as for days_in_ar_gross, net of the contractual allowance still
    to come: an insurance receivable whose claim has no payer payment or adjustment posted by
    then is carried at gross by the ERP, so it counts at its charge × the facility's net-to-gross
    revenue ratio over the ADR window (the allowance estimate; whole-system ratio for a facility
    without revenue); once adjudicated its balance is already net.
    Denominator: net patient service revenue (ERP revenue) of the last three complete calendar
    months ending on or before the measurement day, divided by their days.
    Date basis: A/R at period end; revenue by month.
    Exclusions: as days_in_ar_gross.
    Choices: null with a note when no ERP revenue is collected; no unbilled (DNFB) balances
    are added until an encounter source provides them; gross A/R with net revenue would count
    every unadjudicated claim at its full charge (118 days on the generated system, against 51
    gross) — KPI.md leaves the net A/R estimate open, this is finance's usual one.
    """
    return aggregate(
        facts,
        by,
        sum_cents(pl.when(_OPEN_AR).then(pl.col("net_cents"))).alias("numerator"),
        sum_cents(pl.when(pl.col("part") == "net").then(pl.col("cents"))).alias("denominator"),
        pl.col("window_days").max().fill_null(0).alias("window_days"),
        _ar_derived_flag(),
    )


@kpi(
    shape="rate_money",
    unit="fraction",
    title="A/R over 90 days",
    inputs=_AR_INPUTS,
    target=Target(0.20, "<="),
    numerator_rows=_OPEN_AR & (pl.col("age") > 90),
    denominator_rows=_OPEN_AR,
    **_AR,
)
def ar_over_90_pct(facts: pl.DataFrame, by: list[str]) -> pl.DataFrame:
    """A/R of claims more than 90 days from date of service / total A/R (MAP AR-1..3).

    Numerator: A/R at period end of receivables aged 91 days or more (whole days from the
    anchor to the measurement day).
    Denominator: A/R at period end (credit balances aside).
    Date basis: A/R at period end.
    Exclusions: as days_in_ar_gross.
    Choices: the anchor is the date of service (RCMWATCH_AR_AGE_ANCHOR=submission uses the
    first submission date); a receivable with no date of service ages from its submission (or
    ERP opening) date.
    """
    return aggregate(
        facts,
        by,
        sum_cents(pl.when(_OPEN_AR & (pl.col("age") > 90)).then(pl.col("cents"))).alias(
            "numerator"
        ),
        _ar_numerator().alias("denominator"),
        _ar_derived_flag(),
    )


def _bucket_expr() -> pl.Expr:
    expr = pl.lit(AR_OVER[1])
    for low, high, label in reversed(AR_BUCKETS):
        expr = pl.when(pl.col("age").is_between(low, high)).then(pl.lit(label)).otherwise(expr)
    return pl.when(pl.col("age") < 0).then(pl.lit(AR_BUCKETS[0][2])).otherwise(expr)


AR_BUCKET_LABELS = (*tuple(label for _, _, label in AR_BUCKETS), AR_OVER[1])


@kpi(
    shape="object",
    unit="dollars",
    title="A/R aging buckets",
    inputs=_AR_INPUTS,
    numerator_rows=_OPEN_AR,
    denominator_rows=_OPEN_AR,
    **_AR,
)
def ar_aging_buckets(facts: pl.DataFrame, by: list[str]) -> pl.DataFrame:
    """A/R in 0-30, 31-60, 61-90, 91-120 and 121+ days, insurance and patient apart:
    {"insurance": {bucket: dollars}, "patient": {bucket: dollars}}; cut by payer class and
    facility with --by.

    Value: A/R at period end per receivable kind and age bucket (inclusive whole days from the
    anchor; buckets never overlap).
    Date basis: A/R at period end.
    Exclusions: as days_in_ar_gross; credit balances (see credit_balances).
    Choices: a receivable dated after the measurement day (negative age) is in 0-30.
    """
    rows = facts.filter(_OPEN_AR).with_columns(_bucket_expr().alias("bucket"))
    return aggregate(
        rows,
        [*by, "kind", "bucket"],
        sum_cents(pl.col("cents")).alias("cents"),
        pl.col("derived").any().alias("flag_source_derived"),
    )


@kpi(
    shape="count_money",
    unit="dollars",
    title="Credit balances",
    inputs=_AR_INPUTS,
    numerator_rows=(pl.col("part") == "ar") & pl.col("credit"),
    denominator_rows=(pl.col("part") == "ar") & pl.col("credit"),
    **_AR,
)
def credit_balances(facts: pl.DataFrame, by: list[str]) -> pl.DataFrame:
    """Receivables below zero at period end, reported apart from A/R: {"count", "dollars"}.

    Value: the number of receivable balances below zero and their sum (a negative amount).
    Date basis: A/R at period end.
    Exclusions: as days_in_ar_gross.
    Choices: one older than 30 days with no refund work item is the data-quality check
    negative_ar, not this KPI.
    """
    credit = (pl.col("part") == "ar") & pl.col("credit")
    return aggregate(
        facts,
        by,
        count_true(credit).alias("count"),
        sum_cents(pl.when(credit).then(pl.col("cents"))).alias("cents"),
        _ar_derived_flag(),
    )
