"""KPI.md §4 — work queues, deadlines, interfaces, governance and freshness.

Queue state, deadlines, backlog and freshness are measured at the end of the period (capped at
as-of): a work item is open at that instant when it was opened by then and not resolved by then
(a closed item with no resolution time counts as resolved). Work items, decisions and messages
come from the workflow source, the decision log and the integration engine's message log.
"""

from __future__ import annotations

from datetime import date, datetime

import polars as pl

from metrics.adjudication import pair_facts
from metrics.common import (
    PAYER_ACCEPT_277,
    KpiParams,
    adjudications,
    aggregate,
    as_utc,
    count_true,
    end_of_day,
    remit_loops,
    shared_intermediate,
    sum_cents,
    void_dates,
    with_payer_class,
)
from metrics.frames import Frames
from metrics.front_end import claim_facts
from metrics.receivables import _claim_charges, posted_facts
from metrics.registry import Target, kpi

QUEUE_BUCKETS = ((0, 1, "0-1"), (2, 3, "2-3"), (4, 7, "4-7"), (8, 14, "8-14"), (15, 30, "15-30"))
QUEUE_OVER = "31+"
QUEUE_BUCKET_LABELS = (*tuple(label for _, _, label in QUEUE_BUCKETS), QUEUE_OVER)
RED_DAYS, AMBER_DAYS = 7, 30
DEADLINE_BANDS = ("red", "amber", "expired")
FAILED_STATUSES = ("failed", "dead_lettered")
WAITING_STATUSES = ("received", "retrying", "failed")
WORK_DIMS = ("facility_id", "payer_id", "payer_class", "exception_type", "month")
OWNER_WORK = "Revenue cycle operations manager"
OWNER_OPS = "Integration operations lead"
OWNER_BOARD = "Automation control board"


def _instant(as_of: datetime, at: date) -> datetime:
    return min(end_of_day(at), as_utc(as_of))


# --- work queues -------------------------------------------------------------------------


def open_work_facts(frames: Frames, as_of: datetime, params: KpiParams, at: date) -> pl.DataFrame:
    """Work items open at the end of ``at`` (capped at as-of), with age and SLA state."""
    instant = pl.lit(_instant(as_of, at))
    resolved_by_then = (pl.col("resolved_at").is_not_null() & (pl.col("resolved_at") < instant)) | (
        pl.col("resolved_at").is_null() & (pl.col("status") == "closed")
    )
    items = frames.work_item.filter((pl.col("opened_at") < instant) & ~resolved_by_then)
    items = items.select(
        pl.col("id").alias("work_item_id"),
        "type",
        "stage",
        "exception_type",
        "facility_id",
        "payer_id",
        "assignee",
        pl.col("amount_cents").fill_null(0).alias("cents"),
        ((instant - pl.col("opened_at")).dt.total_days()).cast(pl.Int64).alias("age"),
        (pl.col("due_at").is_not_null() & (pl.col("due_at") < instant)).alias("past_due"),
        pl.lit(at).alias("day"),
        pl.lit(at).dt.truncate("1mo").alias("month"),
    )
    return with_payer_class(items, frames)


_OPEN = dict(
    family="operations",
    facts="open_work",
    owner=OWNER_WORK,
    id_columns=("work_item_id",),
    point_in_time=True,
    dims=(*WORK_DIMS, "stage", "type", "assignee"),
)


@kpi(
    shape="object",
    unit="mixed",
    title="Open work items",
    inputs=("work_item",),
    denominator_rows=pl.lit(True),
    **_OPEN,
)
def queue_open(facts: pl.DataFrame, by: list[str]) -> pl.DataFrame:
    """Open work items by type, stage, facility, assignee: count and dollars at stake:
    {"count", "dollars", "by_stage": {stage: {"count", "dollars"}}}.

    Value: work items open at period end (opened by then, not resolved by then), their count
    and the sum of their amounts; per stage in by_stage. Breakdowns by type and assignee are
    the same rows grouped (dashboard and Python API).
    Date basis: at period end (as-of).
    Exclusions: items removed at the source.
    """
    return aggregate(
        facts,
        [*by, "stage"],
        pl.len().cast(pl.Int64).alias("count"),
        sum_cents(pl.col("cents")).alias("cents"),
    )


def _queue_bucket() -> pl.Expr:
    expr = pl.lit(QUEUE_OVER)
    for low, high, label in reversed(QUEUE_BUCKETS):
        expr = pl.when(pl.col("age").is_between(low, high)).then(pl.lit(label)).otherwise(expr)
    return pl.when(pl.col("age") < 0).then(pl.lit(QUEUE_BUCKETS[0][2])).otherwise(expr)


@kpi(
    shape="object",
    unit="mixed",
    title="Work queue aging",
    inputs=("work_item",),
    denominator_rows=pl.lit(True),
    **_OPEN,
)
def queue_aging(facts: pl.DataFrame, by: list[str]) -> pl.DataFrame:
    """Open items by age: {bucket: {"count", "dollars"}} for 0-1, 2-3, 4-7, 8-14, 15-30 and 31+
    days.

    Value: work items open at period end by whole days since they were opened (inclusive
    buckets that never overlap: 0-1 is under two full days).
    Date basis: at period end (as-of).
    Exclusions: as queue_open.
    """
    rows = facts.with_columns(_queue_bucket().alias("bucket"))
    return aggregate(
        rows,
        [*by, "bucket"],
        pl.len().cast(pl.Int64).alias("count"),
        sum_cents(pl.col("cents")).alias("cents"),
    )


@kpi(
    shape="rate",
    unit="fraction",
    title="SLA breach rate (open items)",
    inputs=("work_item",),
    target=Target(0.10, "<="),
    numerator_rows=pl.col("past_due"),
    denominator_rows=pl.lit(True),
    **_OPEN,
)
def sla_breach_rate(facts: pl.DataFrame, by: list[str]) -> pl.DataFrame:
    """Open items past their due time / open items (sla_breach_rate_resolved gives the resolved
    part).

    Numerator: work items open at period end whose due time has passed.
    Denominator: work items open at period end.
    Date basis: at period end (as-of).
    Exclusions: as queue_open.
    Choices: an item without a due time never breaches but counts as open.
    """
    return aggregate(
        facts,
        by,
        count_true(pl.col("past_due")).alias("numerator"),
        pl.len().cast(pl.Int64).alias("denominator"),
    )


@shared_intermediate
def resolved_work_facts(frames: Frames, as_of: datetime) -> pl.DataFrame:
    """Work items resolved by as-of, dated by their resolution day."""
    as_of = as_utc(as_of)
    items = frames.work_item.filter(
        pl.col("resolved_at").is_not_null() & (pl.col("resolved_at") <= pl.lit(as_of))
    ).select(
        pl.col("id").alias("work_item_id"),
        "type",
        "stage",
        "exception_type",
        "facility_id",
        "payer_id",
        "assignee",
        "resolved_by_person",
        (pl.col("due_at").is_not_null() & (pl.col("resolved_at") > pl.col("due_at"))).alias("late"),
        pl.col("resolved_at").dt.date().alias("day"),
    )
    items = items.with_columns(pl.col("day").dt.truncate("1mo").alias("month"))
    return with_payer_class(items, frames)


@kpi(
    shape="rate",
    unit="fraction",
    title="SLA breach rate (resolved items)",
    inputs=("work_item",),
    family="operations",
    facts="resolved_work",
    owner=OWNER_WORK,
    id_columns=("work_item_id",),
    numerator_rows=pl.col("late"),
    denominator_rows=pl.lit(True),
    snapshot=True,
    dims=(*WORK_DIMS, "stage", "type", "assignee"),
)
def sla_breach_rate_resolved(facts: pl.DataFrame, by: list[str]) -> pl.DataFrame:
    """Items resolved late / items resolved.

    Numerator: work items resolved in the period after their due time.
    Denominator: work items resolved in the period.
    Date basis: resolution time.
    Exclusions: items removed at the source; items with no due time are never late.
    """
    return aggregate(
        facts,
        by,
        count_true(pl.col("late")).alias("numerator"),
        pl.len().cast(pl.Int64).alias("denominator"),
    )


# --- deadlines ---------------------------------------------------------------------------


def _band(days_left: pl.Expr) -> pl.Expr:
    return (
        pl.when(days_left < 0)
        .then(pl.lit("expired"))
        .when(days_left <= RED_DAYS)
        .then(pl.lit("red"))
        .when(days_left <= AMBER_DAYS)
        .then(pl.lit("amber"))
    )


def filing_facts(frames: Frames, as_of: datetime, params: KpiParams, at: date) -> pl.DataFrame:
    """Claims without payer acceptance at the end of ``at`` and their filing deadline band."""
    instant = _instant(as_of, at)
    claims = frames.claim.filter(
        pl.col("first_submitted_at").is_not_null() & (pl.col("first_submitted_at") < instant)
    ).select(pl.col("id").alias("claim_id"), "pcn", "facility_id", "payer_id", "service_from")
    voids = void_dates(frames, instant)
    accepted = frames.claim_status.filter(
        pl.col("claim_id").is_not_null()
        & pl.col("status_category").is_in(PAYER_ACCEPT_277)
        & ~pl.col("rejected_above").fill_null(False)
        & (pl.col("reported_at").is_null() | (pl.col("reported_at") < pl.lit(instant)))
    ).select("claim_id")
    remitted = (
        adjudications(remit_loops(frames, instant))
        .filter(pl.col("claim_id").is_not_null() & (pl.col("production_date") <= pl.lit(at)))
        .select("claim_id")
        .collect()
    )
    pending = (
        claims.join(pl.concat([accepted, remitted]).unique(), on="claim_id", how="anti")
        .join(voids, on="claim_id", how="anti")
        .join(_claim_charges(frames, instant), on="claim_id", how="left")
    )
    limits = frames.payer.select(pl.col("id").alias("payer_id"), "timely_filing_days")
    pending = pending.join(limits, on="payer_id", how="left").filter(
        pl.col("timely_filing_days").is_not_null() & pl.col("service_from").is_not_null()
    )
    days_left = (
        pl.col("service_from") + pl.duration(days=pl.col("timely_filing_days")) - pl.lit(at)
    ).dt.total_days()
    facts = pending.with_columns(
        days_left.alias("days_left"),
        pl.col("charge_cents").fill_null(0).alias("cents"),
        pl.lit(at).alias("day"),
        pl.lit(at).dt.truncate("1mo").alias("month"),
    ).with_columns(_band(pl.col("days_left")).alias("band"))
    return with_payer_class(facts.filter(pl.col("band").is_not_null()), frames)


_DEADLINE = dict(
    family="operations",
    point_in_time=True,
    dims=("facility_id", "payer_id", "payer_class", "month"),
)


@kpi(
    shape="object",
    unit="mixed",
    title="Timely filing at risk",
    owner="Patient financial services (billing) manager",
    inputs=("claim", "claim_status", "claim_payment", "payer", "claim_version"),
    facts="filing",
    id_columns=("claim_id", "pcn"),
    numerator_rows=pl.col("band") == "red",
    denominator_rows=pl.lit(True),
    **_DEADLINE,
)
def timely_filing_at_risk(facts: pl.DataFrame, by: list[str]) -> pl.DataFrame:
    """Claims without payer acceptance whose filing deadline ends within 7 days (red) or 30
    days (amber): {"red": {"count", "dollars"}, "amber": {...}, "expired": {...}}.

    Value: claims with no payer acceptance (no 277CA A2 or A5, no 835 adjudication; a
    clearinghouse A1 does not stop the clock) at period end, whose date of service + the
    payer's timely filing limit is 0 to 7 days away (red) or 8 to 30 days away (amber); those
    already past it are listed as expired. Dollars = the claim's charge.
    Date basis: at period end (as-of).
    Exclusions: test data; voided claims; claims whose payer has no filing limit or that have
    no date of service (not assessable).
    Choices: the payer is the claim's payer of its first submission; the charge is that of
    its latest original or replacement.
    """
    return aggregate(
        facts,
        [*by, "band"],
        pl.len().cast(pl.Int64).alias("count"),
        sum_cents(pl.col("cents")).alias("cents"),
    )


def appeal_facts(frames: Frames, as_of: datetime, params: KpiParams, at: date) -> pl.DataFrame:
    """Initially denied, not overturned pairs at the end of ``at`` with their appeal band."""
    instant = _instant(as_of, at)
    pairs = pair_facts(frames, instant).filter(
        pl.col("denied") & ~pl.col("overturned") & pl.col("standing_on").is_not_null()
    )
    limits = frames.payer.select(pl.col("id").alias("payer_id"), "appeal_limit_days")
    pairs = pairs.join(limits, on="payer_id", how="left").filter(
        pl.col("appeal_limit_days").is_not_null()
    )
    days_left = (
        pl.col("standing_on") + pl.duration(days=pl.col("appeal_limit_days")) - pl.lit(at)
    ).dt.total_days()
    facts = pairs.with_columns(
        days_left.alias("days_left"),
        pl.col("denied_cents").alias("cents"),
        pl.lit(at).alias("day"),
        pl.lit(at).dt.truncate("1mo").alias("month"),
    ).with_columns(_band(pl.col("days_left")).alias("band"))
    return facts.filter(pl.col("band").is_not_null())


@kpi(
    shape="object",
    unit="mixed",
    title="Appeal deadlines at risk",
    owner="Denials management manager",
    inputs=("claim_payment", "remit_transaction", "payer"),
    facts="appeals",
    id_columns=("claim_id", "pcn", "payer_id", "claim_payment_id"),
    numerator_rows=pl.col("band") == "red",
    denominator_rows=pl.lit(True),
    **_DEADLINE,
)
def appeal_deadline_at_risk(facts: pl.DataFrame, by: list[str]) -> pl.DataFrame:
    """Denied pairs not yet overturned whose remit date + the payer's appeal limit ends within 7
    (red) or 30 (amber) days: {"red": {"count", "dollars"}, "amber": {...}, "expired": {...}}.

    Value: initially denied (claim, payer) pairs not overturned at period end, by days left
    until their standing adjudication's 835 production date + the payer's appeal limit: 0 to
    7 red, 8 to 30 amber, below 0 expired. Dollars = the initially denied dollars.
    Date basis: at period end (as-of).
    Exclusions: as denial_overturn_rate; payers with no appeal limit.
    Choices: the remit date is that of the pair's latest adjudication not reversed (a
    re-denial restarts the clock); a pair whose only adjudications were all reversed has
    nothing to appeal.
    """
    return aggregate(
        facts,
        [*by, "band"],
        pl.len().cast(pl.Int64).alias("count"),
        sum_cents(pl.col("cents")).alias("cents"),
    )


# --- interfaces --------------------------------------------------------------------------


def message_facts(frames: Frames, as_of: datetime) -> pl.DataFrame:
    as_of = as_utc(as_of)
    return frames.interface_message.filter(pl.col("created_at") <= pl.lit(as_of)).select(
        pl.col("id").alias("message_id"),
        "interface",
        "queue",
        pl.col("status").is_in(FAILED_STATUSES).alias("failed"),
        pl.col("created_at").dt.date().alias("day"),
        pl.col("created_at").dt.truncate("1h").alias("hour"),
        pl.col("created_at").dt.date().dt.truncate("1mo").alias("month"),
    )


@kpi(
    shape="rate",
    unit="fraction",
    title="Interface failure rate",
    owner=OWNER_OPS,
    inputs=("interface_message",),
    family="operations",
    facts="messages",
    id_columns=("message_id",),
    numerator_rows=pl.col("failed"),
    denominator_rows=pl.lit(True),
    snapshot=True,
    dims=("month", "interface", "queue", "hour"),
)
def interface_failure_rate(facts: pl.DataFrame, by: list[str]) -> pl.DataFrame:
    """Failed or dead-lettered messages / messages, per interface and hour.

    Numerator: messages of the integration engine's log created in the period whose status is
    failed or dead_lettered.
    Denominator: messages created in the period (the engine's message log).
    Date basis: message time (created_at).
    Exclusions: rows removed at the source.
    Choices: a message's current status decides (a retried message that later succeeded is
    not a failure); per interface and per hour are breakdowns of the same rows.
    """
    return aggregate(
        facts,
        by,
        count_true(pl.col("failed")).alias("numerator"),
        pl.len().cast(pl.Int64).alias("denominator"),
    )


def backlog_facts(frames: Frames, as_of: datetime, params: KpiParams, at: date) -> pl.DataFrame:
    instant = pl.lit(_instant(as_of, at))
    messages = frames.interface_message.filter(pl.col("created_at") < instant)
    waiting = (pl.col("completed_at").is_not_null() & (pl.col("completed_at") >= instant)) | (
        pl.col("completed_at").is_null() & pl.col("status").is_in(WAITING_STATUSES)
    )
    return messages.select(
        pl.col("id").alias("message_id"),
        "interface",
        "queue",
        waiting.alias("waiting"),
        (pl.col("status") == "dead_lettered").alias("dead_letter"),
        (instant - pl.col("created_at")).dt.total_seconds().cast(pl.Int64).alias("age_s"),
        pl.lit(at).alias("day"),
        pl.lit(at).dt.truncate("1mo").alias("month"),
    ).filter(pl.col("waiting") | pl.col("dead_letter"))


@kpi(
    shape="object",
    unit="mixed",
    title="Interface backlog",
    owner=OWNER_OPS,
    inputs=("interface_message",),
    family="operations",
    facts="backlog",
    id_columns=("message_id",),
    numerator_rows=pl.col("dead_letter"),
    denominator_rows=pl.col("waiting"),
    point_in_time=True,
    dims=("month", "interface", "queue"),
)
def interface_backlog(facts: pl.DataFrame, by: list[str]) -> pl.DataFrame:
    """Messages waiting per queue, dead letters, and age of the oldest: {"waiting",
    "dead_letters", "oldest_waiting_h"}.

    Value: messages created by period end and not completed by then (received, retrying or
    failed and not yet processed), messages in dead-letter state, and the age in hours of the
    oldest waiting message; per queue as a breakdown.
    Date basis: at period end (as-of).
    Exclusions: rows removed at the source.
    Choices: dead letters are counted by their current state (the log keeps no history of
    states).
    """
    return aggregate(
        facts,
        by,
        count_true(pl.col("waiting")).alias("waiting"),
        count_true(pl.col("dead_letter")).alias("dead_letters"),
        pl.col("age_s").filter(pl.col("waiting")).max().alias("oldest_waiting_s"),
    )


# --- governance --------------------------------------------------------------------------


MANUAL_TOUCH_DOMAINS = ("claims", "remits", "work_items")
# An enum, not text: 1 byte a row instead of a 16-byte string on ~20M rows at 10M claims.
DOMAIN = pl.Enum(MANUAL_TOUCH_DOMAINS)


def touch_facts(frames: Frames, as_of: datetime) -> pl.LazyFrame:
    """Per domain, the records that could be touched and whether a person touched them: a lazy
    view of the shared claim, payment and resolved-work facts (never a copy of them)."""
    claims = (
        claim_facts(frames, as_of)
        .lazy()
        .select(
            pl.lit("claims", DOMAIN).alias("domain"),
            pl.col("claim_id").alias("record_id"),
            "day",
            "facility_id",
            "payer_id",
            "payer_class",
            pl.col("touched"),
        )
    )
    remits = posted_facts(frames, as_of).select(
        pl.lit("remits", DOMAIN).alias("domain"),
        pl.col("claim_payment_id").alias("record_id"),
        "day",
        "facility_id",
        "payer_id",
        "payer_class",
        pl.col("manual").alias("touched"),
    )
    items = (
        resolved_work_facts(frames, as_of)
        .lazy()
        .filter(pl.col("resolved_by_person").is_not_null())
        .select(
            pl.lit("work_items", DOMAIN).alias("domain"),
            pl.col("work_item_id").alias("record_id"),
            "day",
            "facility_id",
            "payer_id",
            "payer_class",
            pl.col("resolved_by_person").alias("touched"),
        )
    )
    out = pl.concat([claims, remits, items])
    return out.with_columns(pl.col("day").dt.truncate("1mo").alias("month"))


@kpi(
    shape="object",
    unit="fraction",
    title="Manual touch rate",
    owner=OWNER_BOARD,
    inputs=("claim", "work_item", "posting", "claim_payment"),
    family="operations",
    facts="touches",
    id_columns=("domain", "record_id"),
    numerator_rows=pl.col("touched"),
    denominator_rows=pl.lit(True),
    snapshot=True,
    dims=("facility_id", "payer_id", "payer_class", "month"),
)
def manual_touch_rate(facts: pl.DataFrame, by: list[str]) -> pl.DataFrame:
    """Per domain: {"claims", "remits", "work_items"} fractions — claims touched before
    submission / claims submitted; remits posted manually / remits posted; work items
    resolved by a person / work items resolved.

    Numerator: per domain, claims with a pre-bill work item opened by their first submission;
    claim payments with a manual ERP posting; work items resolved by a person.
    Denominator: per domain, claims submitted (submission date); claim payments first posted
    (ERP posting date); work items resolved (resolution time) in the period.
    Date basis: submission date, ERP posting date, resolution time respectively.
    Exclusions: test data; work items whose resolver kind is unknown.
    """
    return aggregate(
        facts,
        [*by, "domain"],
        count_true(pl.col("touched")).alias("numerator"),
        pl.len().cast(pl.Int64).alias("denominator"),
    )


def decision_facts(frames: Frames, as_of: datetime) -> pl.DataFrame:
    as_of = as_utc(as_of)
    overridden = (
        frames.override.filter(pl.col("overridden_at") <= pl.lit(as_of))
        .select(pl.col("decision_id").alias("decision_id"))
        .unique()
        .with_columns(pl.lit(True).alias("overridden"))
    )
    decisions = frames.automated_decision.filter(pl.col("decided_at") <= pl.lit(as_of)).select(
        pl.col("id").alias("decision_id"),
        "decider_kind",
        "decider_id",
        "decider_version",
        "facility_id",
        "exception_type",
        pl.col("decided_at").dt.date().alias("day"),
    )
    return decisions.join(overridden, on="decision_id", how="left").with_columns(
        pl.col("overridden").fill_null(False),
        pl.col("day").dt.truncate("1mo").alias("month"),
        pl.concat_str(["decider_kind", "decider_id", "decider_version"], separator=":").alias(
            "decider"
        ),
    )


@kpi(
    shape="rate",
    unit="fraction",
    title="Override rate",
    owner=OWNER_BOARD,
    inputs=("automated_decision", "override"),
    family="operations",
    facts="decisions",
    id_columns=("decision_id",),
    numerator_rows=pl.col("overridden"),
    denominator_rows=pl.lit(True),
    snapshot=True,
    dims=("facility_id", "exception_type", "month", "decider", "decider_kind"),
)
def override_rate(facts: pl.DataFrame, by: list[str]) -> pl.DataFrame:
    """Automated decisions (rule or model) that a person reversed or changed / automated
    decisions; by rule or model version, facility, exception type.

    Numerator: automated decisions made in the period with at least one override recorded by
    as-of (each override carries a user and a reason code).
    Denominator: automated decisions made in the period.
    Date basis: decision time.
    Exclusions: rows removed at the source.
    Choices: a decision overridden twice counts once; the per-user view counts overrides by
    user (the dashboard's breakdown), with this same denominator.
    """
    return aggregate(
        facts,
        by,
        count_true(pl.col("overridden")).alias("numerator"),
        pl.len().cast(pl.Int64).alias("denominator"),
    )


def rework_facts(frames: Frames, as_of: datetime) -> pl.DataFrame:
    as_of = as_utc(as_of)
    items = frames.work_item.filter(
        (pl.col("stage") == "denial") & (pl.col("opened_at") <= pl.lit(as_of))
    ).select(
        pl.lit("denial_work_item").alias("part"),
        pl.col("id").alias("record_id"),
        "facility_id",
        "payer_id",
        "exception_type",
        pl.col("opened_at").dt.date().alias("day"),
    )
    replacements = (
        frames.claim_version.filter(pl.col("frequency_code") == "7")
        .join(frames.submission, left_on="submission_id", right_on="id", how="inner")
        .filter(pl.col("submitted_at") <= pl.lit(as_of))
        .join(
            frames.claim.select(pl.col("id").alias("claim_id"), "facility_id"),
            on="claim_id",
            how="inner",
        )
        .select(
            pl.lit("resubmission").alias("part"),
            pl.col("claim_id").alias("record_id"),
            "facility_id",
            "payer_id",
            pl.lit(None, dtype=pl.String).alias("exception_type"),
            pl.col("submitted_at").dt.date().alias("day"),
        )
    )
    voids = void_dates(frames, as_of).rename({"claim_id": "record_id"})
    replacements = (
        replacements.join(voids, on="record_id", how="left")
        .filter(pl.col("void_date").is_null() | (pl.col("day") < pl.col("void_date")))
        .drop("void_date")
    )
    out = pl.concat([items, replacements]).with_columns(
        pl.col("day").dt.truncate("1mo").alias("month")
    )
    return with_payer_class(out, frames)


@kpi(
    shape="object",
    unit="count",
    title="Denial rework volume",
    owner="Denials management manager",
    inputs=("work_item", "claim_version", "submission"),
    family="operations",
    facts="rework",
    id_columns=("part", "record_id"),
    denominator_rows=pl.lit(True),
    dims=("facility_id", "payer_id", "payer_class", "month"),
)
def denial_rework_volume(facts: pl.DataFrame, by: list[str]) -> pl.DataFrame:
    """Denial work items opened and claims resubmitted per period: {"work_items_opened",
    "claims_resubmitted"}.

    Value: work items of stage 'denial' opened in the period, and distinct claims with a
    replacement (frequency 7) submitted in the period.
    Date basis: the work item's open date; the replacement's submission date.
    Exclusions: test data; replacements of voided claims from the void day.
    Choices: a claim resubmitted twice in the period counts once (so this KPI is not kept in
    daily snapshots).
    """
    return aggregate(
        facts,
        by,
        count_true(pl.col("part") == "denial_work_item").alias("work_items_opened"),
        pl.col("record_id")
        .filter(pl.col("part") == "resubmission")
        .n_unique()
        .cast(pl.Int64)
        .alias("claims_resubmitted"),
    )


def freshness_facts(frames: Frames, as_of: datetime, params: KpiParams, at: date) -> pl.DataFrame:
    instant = _instant(as_of, at)
    now = pl.lit(instant)
    state = frames.source_state.select(
        "source",
        "kind",
        "cadence_seconds",
        (now - pl.col("last_success_at")).dt.total_seconds().cast(pl.Int64).alias("since_s"),
        (now - pl.col("newest_record_at")).dt.total_seconds().cast(pl.Int64).alias("newest_s"),
    )
    stale = pl.col("since_s").is_null() | (pl.col("since_s") > 2 * pl.col("cadence_seconds"))
    return state.with_columns(
        stale.alias("stale"), pl.lit(at).alias("day"), pl.lit(at).dt.truncate("1mo").alias("month")
    )


@kpi(
    shape="object",
    unit="hours",
    title="Source freshness",
    owner=OWNER_OPS,
    inputs=("source_state", "collector_run"),
    family="operations",
    facts="freshness",
    id_columns=("source",),
    numerator_rows=pl.col("stale"),
    denominator_rows=pl.lit(True),
    point_in_time=True,
    dims=(),
)
def source_freshness(facts: pl.DataFrame, by: list[str]) -> pl.DataFrame:
    """Per source: time since its last successful collection and its newest record, against
    its declared cadence (stale at twice the cadence): {source: {"since_success_h",
    "newest_record_age_h", "cadence_h", "stale"}}.

    Value: for each collected source, hours since its last successful run and since its newest
    record, its cadence in hours, and stale = no success within twice the cadence (or never).
    Date basis: at period end (as-of).
    Exclusions: none.
    Choices: the target (≤ 2 × cadence) is per source, so it is the stale mark rather than one
    number.
    """
    return aggregate(
        facts,
        [*by, "source"],
        pl.col("since_s").first(),
        pl.col("newest_s").first(),
        pl.col("cadence_seconds").first(),
        pl.col("stale").first(),
    )
