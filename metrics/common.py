"""What every KPI family shares: aggregation by dimensions, nearest-rank percentiles, the payer
class lookup and the void rule."""

from __future__ import annotations

import functools
from collections.abc import Callable, Hashable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, TypeVar

import polars as pl

from metrics.frames import Frames

# 277CA claim-level status categories (STC01-1), KPI.md §1.
REJECT_277 = ("A3", "A4", "A6", "A7", "A8")
ACCEPT_277 = ("A1", "A2", "A5")
PAYER_ACCEPT_277 = ("A2", "A5")  # A1 is the clearinghouse's: it does not stop the filing clock
REJECT_999 = ("R", "M", "W", "X")
ACCEPT_999 = ("A", "E")
DENIAL_KINDS = ("full", "partial")
SECONDS_PER_HOUR = 3600


def as_utc(at: datetime) -> datetime:
    if at.tzinfo is None:
        return at.replace(tzinfo=UTC)
    return at.astimezone(UTC)


# --- intermediates shared within one computation ------------------------------------------


class Intermediates:
    """Intermediate frames that several fact builders need (the remit loops, the adjudications
    and their pair ranks, void dates, claim charges, the claim and payment facts...), built at
    most once per computation instead of once per caller.

    One instance belongs to one computation (:class:`metrics.engine.FactCache` owns it and
    activates it around every fact builder), so nothing outlives the run and a later run on
    the same frames starts afresh. ``as_of`` is the run's as-of: loops known at an earlier
    instant (a point-in-time KPI measured at a past period end) are a filter of those known
    at as-of rather than a new join and sort."""

    def __init__(self, frames: Any, as_of: datetime) -> None:
        self.frames = frames
        self.as_of = as_utc(as_of)
        self._built: dict[tuple, Any] = {}

    def get(self, key: tuple, build: Callable[[], Any]) -> Any:
        if key not in self._built:
            self._built[key] = build()
        return self._built[key]

    def clear(self) -> None:
        self._built.clear()

    def keep_only(self, names: set[str]) -> None:
        """Drop every intermediate whose function is not in ``names`` (to free its memory; a
        later caller would only rebuild it)."""
        for key in [k for k in self._built if k[0] not in names]:
            del self._built[key]

    def __len__(self) -> int:
        return len(self._built)


_ACTIVE: ContextVar[Intermediates | None] = ContextVar("rcmwatch_kpi_intermediates", default=None)
T = TypeVar("T")
FrameT = TypeVar("FrameT", pl.DataFrame, pl.LazyFrame)


def active_intermediates(frames: Any) -> Intermediates | None:
    """The intermediates of the computation running on ``frames``, if any."""
    shared = _ACTIVE.get()
    return shared if shared is not None and shared.frames is frames else None


@contextmanager
def sharing(shared: Intermediates) -> Iterator[Intermediates]:
    """Within the block, :func:`shared_intermediate` functions called on ``shared.frames``
    build each result once and hand the same frame to every caller."""
    token = _ACTIVE.set(shared)
    try:
        yield shared
    finally:
        _ACTIVE.reset(token)


def shared_intermediate(fn: Callable[..., T]) -> Callable[..., T]:
    """Memoise ``fn(frames, *args)`` (hashable args: instants, days, numbers) in the active
    :class:`Intermediates`; outside a computation it is a plain call. The functions decorated
    are pure, so sharing their result changes no value."""
    name = fn.__name__

    @functools.wraps(fn)
    def wrapper(frames: Any, *args: Hashable) -> T:
        shared = active_intermediates(frames)
        if shared is None:
            return fn(frames, *args)
        key = (name, *(as_utc(a) if isinstance(a, datetime) else a for a in args))
        return shared.get(key, lambda: fn(frames, *args))

    return wrapper


def aggregate(facts: pl.DataFrame, by: Sequence[str], *aggs: pl.Expr) -> pl.DataFrame:
    """One row per group of ``by`` (one row overall when ``by`` is empty, even for no facts)."""
    if not by:
        return facts.select(*aggs)
    return facts.group_by(list(by), maintain_order=False).agg(*aggs)


def count_true(expr: pl.Expr) -> pl.Expr:
    return expr.fill_null(False).cast(pl.Int64).sum()


def sum_cents(expr: pl.Expr) -> pl.Expr:
    return expr.fill_null(0).sum().cast(pl.Int64)


def nearest_rank(expr: pl.Expr, numerator: int, denominator: int) -> pl.Expr:
    """The p-th percentile (p = numerator/denominator) by the nearest-rank method: the smallest
    value such that at least p of the values are at or below it (exact integer arithmetic; the
    median is the lower middle value for an even count). Nulls are ignored; null when none."""
    values = expr.drop_nulls().sort()
    n = values.len()
    rank = (n * numerator + denominator - 1) // denominator  # ceil(p * n), 1-based
    return values.get((rank - 1).clip(lower_bound=0), null_on_oob=True)


def nearest_rank_list(values: Sequence[int], numerator: int, denominator: int) -> int | None:
    ordered = sorted(v for v in values if v is not None)
    if not ordered:
        return None
    rank = (len(ordered) * numerator + denominator - 1) // denominator
    return ordered[max(rank, 1) - 1]


FrameT = TypeVar("FrameT", pl.DataFrame, pl.LazyFrame)


def _like(facts: FrameT, other: pl.DataFrame) -> FrameT:
    return other.lazy() if isinstance(facts, pl.LazyFrame) else other  # type: ignore[return-value]


def with_payer_class(facts: FrameT, frames: Frames) -> FrameT:
    """Adds ``payer_class`` from the payer table (null when the payer is unknown)."""
    classes = frames.payer.select(pl.col("id").alias("payer_id"), "payer_class")
    return facts.join(_like(facts, classes), on="payer_id", how="left")


@shared_intermediate
def void_dates(frames: Frames, as_of: datetime) -> pl.DataFrame:
    """``claim_id`` → ``void_date``: the UTC day a void (frequency 8) was submitted, if known at
    as-of. From that day on the claim leaves every denominator (KPI.md conventions)."""
    return frames.claim.filter(
        pl.col("voided_at").is_not_null() & (pl.col("voided_at") <= pl.lit(as_utc(as_of)))
    ).select(pl.col("id").alias("claim_id"), pl.col("voided_at").dt.date().alias("void_date"))


def drop_voided(facts: FrameT, voids: pl.DataFrame, day_column: str) -> FrameT:
    """Facts of a voided claim dated on or after its void day are dropped."""
    joined = facts.join(_like(facts, voids), on="claim_id", how="left")
    keep = pl.col("void_date").is_null() | (pl.col(day_column) < pl.col("void_date"))
    return joined.filter(keep).drop("void_date")


def seconds_to_hours(seconds: int | None) -> float | None:
    if seconds is None:
        return None
    return round(seconds / SECONDS_PER_HOUR, 2)


@shared_intermediate
def remit_loops(frames: Frames, as_of: datetime) -> pl.LazyFrame:
    """Every CLP loop known at as-of (its 835 received by then), with its transaction's
    production date (DTM*405, else BPR16, else the day it was received) and receipt time,
    ordered as the payer produced them (production date, transaction, position).

    A lazy view: what is kept is the order (a row index into ``claim_payment``) and the two
    transaction columns; each caller gathers only the columns it reads. A materialised copy
    of every loop cost 1.5 GiB at 10M claims for as long as any fact still needed it."""
    as_of = as_utc(as_of)
    shared = active_intermediates(frames)
    if shared is not None and as_of < shared.as_of:
        # Known at an earlier instant: the same rows as at the run's as-of, filtered (a filter
        # keeps the order).
        return remit_loops(frames, shared.as_of).filter(
            (pl.col("received_at") <= pl.lit(as_of))
            & (pl.col("production_date") <= pl.lit(as_of.date()))
        )
    remits = frames.remit_transaction.filter(pl.col("received_at") <= pl.lit(as_of)).select(
        pl.col("id").alias("remit_transaction_id"),
        pl.coalesce("production_date", pl.col("received_at").dt.date()).alias("production_date"),
        "received_at",
    )
    order = (
        frames.claim_payment.lazy()
        .select("remit_transaction_id", "seq")
        .with_row_index("row")
        .join(remits.lazy(), on="remit_transaction_id", how="inner")
        .filter(pl.col("production_date") <= pl.lit(as_of.date()))
        .sort(["production_date", "remit_transaction_id", "seq"])
        .select("row", "production_date", "received_at")
        .collect()
    )
    # status_code is read by no KPI: not carried through every fact built from the loops.
    return (
        frames.claim_payment.lazy()
        .select(pl.all().exclude("status_code").gather(order["row"]))
        .with_columns(
            pl.lit(order["production_date"]).alias("production_date"),
            pl.lit(order["received_at"]).alias("received_at"),
        )
    )


def adjudications(loops: FrameT) -> FrameT:
    """Loops that are adjudications: neither reversals (CLP02 = 22) nor predeterminations (25).
    Takes a frame or a lazy frame (then nothing is materialised here)."""
    return loops.filter(
        ~pl.col("is_reversal").fill_null(False) & ~pl.col("is_predetermination").fill_null(False)
    )


@dataclass(frozen=True)
class KpiParams:
    """The knobs KPI.md leaves to the installation (each fed by a setting)."""

    underpayment_tolerance_cents: int = 100
    ar_age_anchor: str = "service"  # service | submission

    def __post_init__(self) -> None:
        if self.ar_age_anchor not in ("service", "submission"):
            raise ValueError(
                f"A/R age anchor must be service or submission, not {self.ar_age_anchor!r}"
            )
        if self.underpayment_tolerance_cents < 0:
            raise ValueError("the underpayment tolerance cannot be negative")


def end_of_day(day: date) -> datetime:
    """The exclusive end of a UTC day."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=UTC)


def adr_window(at: date) -> tuple[date, date]:
    """The last three complete calendar months ending on or before ``at`` (first and last
    day): M-2..M when ``at`` is the last day of its month M, else the three months before."""
    first_of_month = at.replace(day=1)
    next_month = (first_of_month + timedelta(days=32)).replace(day=1)
    end_month = first_of_month if at == next_month - timedelta(days=1) else None
    last = first_of_month - timedelta(days=1) if end_month is None else at
    start = last.replace(day=1)
    for _ in range(2):
        start = (start - timedelta(days=1)).replace(day=1)
    return start, last
