"""KPI.md §1 — the front end: claims submitted and what the clearinghouse and payer answered.

Facts: one row per claim whose first original (frequency 1) 837 submission is known at as-of,
dated by that submission's day (BHT04, else GS04, in UTC). The outcome is the first
submission's: **rejected** if a 999 rejected its transaction set (IK5 R/M/W/X, or a group-level
AK9 R with no AK2 loops) or a claim-level 277CA status rejects the claim (A3/A4/A6/A7/A8, or a
rejection at a level above it); else **accepted** if a 999 accepted the set (IK5 A/E, or a
group-level AK9 A/E) or a 277CA accepted the claim (A1/A2/A5); else no outcome yet. The 999 →
837 and 277CA → claim links are resolved by ingest (``ack_link``, ``claim_status.claim_id`` and
``submission_id``); only acknowledgments dated at or before as-of count.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import polars as pl

from metrics.common import (
    ACCEPT_277,
    ACCEPT_999,
    REJECT_277,
    REJECT_999,
    adjudications,
    aggregate,
    as_utc,
    count_true,
    drop_voided,
    remit_loops,
    shared_intermediate,
    void_dates,
    with_payer_class,
)
from metrics.frames import Frames
from metrics.registry import Target, kpi

ACK_WAIT = timedelta(hours=48)
CLAIM_DIMS = ("facility_id", "payer_id", "payer_class", "payer_sequence", "month")
CLAIM_IDS = ("claim_id", "pcn")
OWNER = "Patient financial services (billing) manager"
_COMMON = dict(family="front_end", facts="claims", id_columns=CLAIM_IDS, dims=CLAIM_DIMS)
_INPUTS = ("claim", "claim_version", "submission", "ack_set", "ack_link", "claim_status")


def _submission_outcomes(frames: Frames, as_of: datetime) -> pl.DataFrame:
    acks = frames.ack_set.filter(
        pl.col("acknowledged_at").is_null() | (pl.col("acknowledged_at") <= pl.lit(as_of))
    )
    group_level = pl.col("ak2_set_control").is_null()
    rejects = (~group_level & pl.col("ik5_code").is_in(REJECT_999)) | (
        group_level & (pl.col("ak9_code") == "R")
    )
    accepts = (~group_level & pl.col("ik5_code").is_in(ACCEPT_999)) | (
        group_level & pl.col("ak9_code").is_in(ACCEPT_999)
    )
    return (
        frames.ack_link.join(acks, left_on="ack_set_id", right_on="id", how="inner")
        .group_by("submission_id")
        .agg(rejects.any().alias("rejected_999"), accepts.any().alias("accepted_999"))
    )


def _status_outcomes(frames: Frames, as_of: datetime) -> pl.DataFrame:
    statuses = frames.claim_status.filter(
        pl.col("claim_id").is_not_null()
        & pl.col("submission_id").is_not_null()
        & (pl.col("reported_at").is_null() | (pl.col("reported_at") <= pl.lit(as_of)))
    )
    above = pl.col("rejected_above").fill_null(False)
    return statuses.group_by(["claim_id", "submission_id"]).agg(
        (pl.col("status_category").is_in(REJECT_277) | above).any().alias("rejected_277"),
        (pl.col("status_category").is_in(ACCEPT_277) & ~above).any().alias("accepted_277"),
    )


@shared_intermediate
def first_adjudication_days(frames: Frames, as_of: datetime) -> pl.DataFrame:
    """``claim_id`` → the production day of its first adjudication by any payer."""
    # Lazy over the shared loops: only two columns are materialised, not a filtered copy of
    # every loop (at 10M claims that copy was the run's memory peak).
    return (
        adjudications(remit_loops(frames, as_of))
        .filter(pl.col("claim_id").is_not_null())
        .group_by("claim_id")
        .agg(pl.col("production_date").min().alias("first_adjudicated_on"))
        .collect()
    )


def pre_bill_touches(frames: Frames, as_of: datetime) -> pl.DataFrame:
    """``pcn`` → first pre-bill work item opened for the claim (subject_type 'claim', subject_key
    = the patient control number)."""
    return (
        frames.work_item.filter(
            (pl.col("stage") == "pre_bill")
            & (pl.col("subject_type") == "claim")
            & (pl.col("opened_at") <= pl.lit(as_of))
        )
        .group_by(pl.col("subject_key").alias("pcn"))
        .agg(pl.col("opened_at").min().alias("first_touch_at"))
    )


@shared_intermediate
def claim_facts(frames: Frames, as_of: datetime) -> pl.DataFrame:
    """One row per submitted claim (see the module docstring)."""
    as_of = as_utc(as_of)
    claims = (
        frames.claim.lazy()
        .filter(
            pl.col("first_submitted_at").is_not_null()
            & (pl.col("first_submitted_at") <= pl.lit(as_of))
        )
        .select(
            pl.col("id").alias("claim_id"),
            "pcn",
            "facility_id",
            "payer_id",
            "first_submission_id",
            pl.col("first_submitted_at").alias("submitted_at"),
            pl.col("first_submitted_at").dt.date().alias("day"),
        )
    )
    first_version = frames.claim_version.select(
        "claim_id", pl.col("submission_id").alias("first_submission_id"), "payer_sequence"
    ).unique(subset=["claim_id", "first_submission_id"], keep="first")
    replacements = (
        frames.claim_version.filter(pl.col("frequency_code") == "7")
        .join(frames.submission, left_on="submission_id", right_on="id", how="inner")
        .filter(pl.col("submitted_at") <= pl.lit(as_of))
        .group_by("claim_id")
        .agg(pl.col("submitted_at").min().dt.date().alias("first_replacement_on"))
    )
    facts = (
        claims.join(first_version.lazy(), on=["claim_id", "first_submission_id"], how="left")
        .join(
            _submission_outcomes(frames, as_of).lazy(),
            left_on="first_submission_id",
            right_on="submission_id",
            how="left",
        )
        .join(
            _status_outcomes(frames, as_of).lazy(),
            left_on=["claim_id", "first_submission_id"],
            right_on=["claim_id", "submission_id"],
            how="left",
        )
        .join(first_adjudication_days(frames, as_of).lazy(), on="claim_id", how="left")
        .join(replacements.lazy(), on="claim_id", how="left")
        .join(pre_bill_touches(frames, as_of).lazy(), on="pcn", how="left")
    )
    rejected = pl.col("rejected_999").fill_null(False) | pl.col("rejected_277").fill_null(False)
    accepted = ~rejected & (
        pl.col("accepted_999").fill_null(False) | pl.col("accepted_277").fill_null(False)
    )
    adjudicated = pl.col("first_adjudicated_on")
    replaced = pl.col("first_replacement_on").is_not_null() & (
        adjudicated.is_null() | (pl.col("first_replacement_on") < adjudicated)
    )
    held = pl.col("first_touch_at").is_not_null() & (
        adjudicated.is_null() | (pl.col("first_touch_at").dt.date() < adjudicated)
    )
    old_enough = pl.col("submitted_at") < pl.lit(as_of - ACK_WAIT)
    facts = facts.with_columns(
        rejected.alias("rejected"),
        accepted.alias("accepted"),
        (rejected | accepted).alias("has_outcome"),
    ).with_columns(
        (~pl.col("has_outcome") & old_enough).alias("ack_missing"),
        (~pl.col("has_outcome") & ~old_enough).alias("young_no_outcome"),
        (pl.col("first_touch_at") <= pl.col("submitted_at")).fill_null(False).alias("touched"),
        (pl.col("accepted") & ~held & ~replaced).alias("clean"),
        pl.col("day").dt.truncate("1mo").alias("month"),
    )
    facts = drop_voided(facts, void_dates(frames, as_of), "day")
    return (
        with_payer_class(facts, frames)
        .select(
            "claim_id",
            "pcn",
            "day",
            "month",
            "submitted_at",
            "facility_id",
            "payer_id",
            "payer_class",
            "payer_sequence",
            "has_outcome",
            "accepted",
            "rejected",
            "ack_missing",
            "young_no_outcome",
            "touched",
            "clean",
        )
        .collect()
    )


@kpi(
    shape="count",
    unit="count",
    title="Claims submitted",
    owner=OWNER,
    inputs=("claim", "submission"),
    denominator_rows=pl.lit(True),
    snapshot=True,
    **_COMMON,
)
def claims_submitted(facts: pl.DataFrame, by: list[str]) -> pl.DataFrame:
    """Distinct claims whose first 837 submission (frequency 1) falls in the period.

    Value: the number of distinct claims (patient control numbers), never of CLM loops;
    replacements (7) and voids (8) do not add claims.
    Date basis: submission date of the claim's first original submission (BHT04, else GS04),
    as a UTC day.
    Exclusions: test interchanges (ISA15 = T); a voided claim is excluded from facts dated on
    or after its void day (KPI.md: it leaves every denominator from the void date).
    Choices: the first submission is the earliest frequency-1 submission ingest recorded for
    the claim (claim.first_submission_id); a claim with no original (only a replacement) is
    not counted as submitted.
    """
    return aggregate(facts, by, pl.len().cast(pl.Int64).alias("count"))


@kpi(
    shape="rate",
    unit="fraction",
    title="First-pass acceptance rate",
    owner=OWNER,
    inputs=_INPUTS,
    target=Target(0.95, ">="),
    numerator_rows=pl.col("accepted"),
    denominator_rows=pl.col("has_outcome"),
    snapshot=True,
    **_COMMON,
)
def first_pass_acceptance_rate(facts: pl.DataFrame, by: list[str]) -> pl.DataFrame:
    """Claims accepted on first submission / claims submitted that have a front-end outcome.

    Numerator: claims whose first submission is accepted: no rejection by a 999 (IK5 R, M, W,
    X; a group-level AK9 R) or a claim-level 277CA (A3, A4, A6, A7, A8, or a rejection at a
    level above the claim), and at least one acceptance (999 IK5 A or E, a group-level AK9 A
    or E with no AK2 loops, or 277CA A1, A2, A5).
    Denominator: claims submitted in the period whose first submission has an outcome
    (accepted or rejected) known at as-of; claims with no outcome yet are left out here and
    counted in acks_missing.
    Date basis: submission date.
    Exclusions: test interchanges and test acknowledgments; acknowledgments dated after as-of;
    voided claims from their void day.
    Choices: a rejection wins over an acceptance of the same submission (a 999 that accepts
    the set and a 277CA that rejects the claim make a rejection); only the first submission's
    acknowledgments count, not those of a later replacement.
    """
    return aggregate(
        facts,
        by,
        count_true(pl.col("accepted")).alias("numerator"),
        count_true(pl.col("has_outcome")).alias("denominator"),
    )


@kpi(
    shape="rate",
    unit="fraction",
    title="Rejection rate",
    owner=OWNER,
    inputs=_INPUTS,
    numerator_rows=pl.col("rejected"),
    denominator_rows=pl.col("has_outcome"),
    snapshot=True,
    **_COMMON,
)
def rejection_rate(facts: pl.DataFrame, by: list[str]) -> pl.DataFrame:
    """1 − first_pass_acceptance_rate: claims rejected on first submission / claims with a
    front-end outcome. Rejections are not denials: the claim never reached adjudication.

    Numerator: claims whose first submission was rejected by a 999 or a 277CA.
    Denominator: claims submitted in the period with a front-end outcome (as for
    first_pass_acceptance_rate), so the two always add up to 1.
    Date basis: submission date.
    Exclusions: as first_pass_acceptance_rate.
    """
    return aggregate(
        facts,
        by,
        count_true(pl.col("rejected")).alias("numerator"),
        count_true(pl.col("has_outcome")).alias("denominator"),
    )


@kpi(
    shape="count",
    unit="count",
    title="Claims without acknowledgment after 48 h",
    owner=OWNER,
    inputs=_INPUTS,
    denominator_rows=pl.col("ack_missing"),
    **_COMMON,
)
def acks_missing(facts: pl.DataFrame, by: list[str]) -> pl.DataFrame:
    """Claims submitted more than 48 hours before as-of with no front-end outcome.

    Value: claims submitted in the period whose first submission has neither a rejection nor
    an acceptance (999 or 277CA) known at as-of, and was submitted strictly more than 48 hours
    before as-of.
    Date basis: submission date (the 48 hours are measured from the submission time to as-of).
    Exclusions: test data; voided claims from their void day.
    Choices: the outcome is the first submission's; an answer to a later replacement does not
    clear a missing acknowledgment of the original. Not snapshotted: it changes with as-of.
    """
    return aggregate(facts, by, count_true(pl.col("ack_missing")).alias("count"))


@kpi(
    shape="rate",
    unit="fraction",
    title="Clean claim rate",
    owner=OWNER,
    inputs=(*_INPUTS, "work_item", "remit_transaction", "claim_payment"),
    target=Target(0.95, ">="),
    numerator_rows=pl.col("clean"),
    denominator_rows=pl.lit(True),
    snapshot=True,
    **_COMMON,
)
def clean_claim_rate(facts: pl.DataFrame, by: list[str]) -> pl.DataFrame:
    """Claims accepted on first submission and never held, edited or resubmitted before their
    first adjudication / claims submitted. The period is marked provisional while any of its
    claims has no outcome and is younger than 48 hours.

    Numerator: claims accepted on first submission (as first_pass_acceptance_rate) with no
    pre-bill work item opened before the day of their first adjudication and no replacement
    claim (frequency 7) submitted before that day (or ever, when not yet adjudicated).
    Denominator: every claim submitted in the period, with or without an outcome.
    Date basis: submission date.
    Exclusions: test data; voided claims from their void day.
    Choices: a pre-bill work item belongs to a claim when its subject_type is 'claim' and its
    subject_key is the patient control number; the first adjudication is the earliest by any
    payer (835 production day); a replacement or work item on that same day counts as after
    it. HFMA CL-1 measures the scrubber before submission: touchless_claim_rate is that view.
    """
    return aggregate(
        facts,
        by,
        count_true(pl.col("clean")).alias("numerator"),
        pl.len().cast(pl.Int64).alias("denominator"),
        pl.col("young_no_outcome").any().alias("flag_provisional"),
    )


@kpi(
    shape="rate",
    unit="fraction",
    title="Touchless claim rate",
    owner=OWNER,
    inputs=("claim", "submission", "work_item"),
    numerator_rows=~pl.col("touched"),
    denominator_rows=pl.lit(True),
    snapshot=True,
    **_COMMON,
)
def touchless_claim_rate(facts: pl.DataFrame, by: list[str]) -> pl.DataFrame:
    """Claims submitted with no touch before submission / claims submitted.

    Numerator: claims with no pre-bill work item opened at or before their first submission.
    Denominator: claims submitted in the period.
    Date basis: submission date.
    Exclusions: test data; voided claims from their void day.
    Choices: a touch is a pre-bill work item of the workflow source (stage 'pre_bill',
    subject_type 'claim', subject_key = patient control number); without a workflow source
    every claim counts as touchless.
    """
    return aggregate(
        facts,
        by,
        count_true(~pl.col("touched")).alias("numerator"),
        pl.len().cast(pl.Int64).alias("denominator"),
    )
