"""The KPI engine: frames in, KPI values (with notes, flags and the rows behind them) out.

    result = compute_kpis(frames, as_of, Period.parse("2024-05", as_of))
    result.values["initial_denial_rate"]            # 0.666...
    result.frame("initial_denial_rate")             # Polars: numerator, denominator
    drill(frames, as_of, "initial_denial_rate", period, part="numerator")  # the pairs behind it

Each KPI's facts (one row per claim, pair, payment, work item... with its date basis in ``day``
and its dimensions) are built once per computation; a KPI value is an aggregation of the facts
that fall in the period and survive the cuts, so any cut or breakdown sums back to the total.
Point-in-time KPIs build their facts at the measurement day (period end, capped at as-of).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import polars as pl

from metrics import adjudication, front_end, operations, receivables
from metrics.common import Intermediates, KpiParams, as_utc, seconds_to_hours, sharing
from metrics.frames import Frames
from metrics.periods import UNMAPPED, Cuts, Period, apply_cuts
from metrics.registry import KpiDef, registry
from rcmwatch.money import format_cents

DATED_FACTS: dict[str, Callable[[Frames, datetime, KpiParams], pl.DataFrame | pl.LazyFrame]] = {
    "claims": lambda f, a, p: front_end.claim_facts(f, a),
    "pairs": lambda f, a, p: adjudication.pair_facts(f, a),
    "unmatched": lambda f, a, p: adjudication.unmatched_facts(f, a),
    "remit_balance": lambda f, a, p: adjudication.balance_facts(f, a),
    "write_offs": lambda f, a, p: adjudication.write_off_facts(f, a),
    "underpayments": lambda f, a, p: adjudication.underpayment_facts(
        f, a, p.underpayment_tolerance_cents
    ),
    "payments": lambda f, a, p: receivables.payment_facts(f, a),
    # Postings and touches are lazy views of shared facts (payment facts; claim, payment and
    # resolved-work facts), not frames of their own: a run holds those rows once (10M claims:
    # about 2 GiB less at the peak).
    "postings": lambda f, a, p: receivables.posted_facts(f, a),
    "cash": lambda f, a, p: receivables.cash_facts(f, a),
    "resolved_work": lambda f, a, p: operations.resolved_work_facts(f, a),
    "messages": lambda f, a, p: operations.message_facts(f, a),
    "touches": lambda f, a, p: operations.touch_facts(f, a),
    "decisions": lambda f, a, p: operations.decision_facts(f, a),
    "rework": lambda f, a, p: operations.rework_facts(f, a),
}
POINT_FACTS: dict[str, Callable[[Frames, datetime, KpiParams, date], pl.DataFrame]] = {
    "ar": receivables.ar_facts,
    "open_work": operations.open_work_facts,
    "filing": operations.filing_facts,
    "appeals": operations.appeal_facts,
    "backlog": operations.backlog_facts,
    "freshness": operations.freshness_facts,
}
# The order in which one computation builds its facts, and the shared intermediates (see
# metrics.common.Intermediates) each kind of facts is built from: once no later kind needs an
# intermediate it is dropped, and each kind's facts are dropped once its KPIs are computed, so
# a run holds a few wide frames at a time rather than all of them. (A kind missing here keeps
# everything; an intermediate missing from a kind's set is merely rebuilt.)
FACT_ORDER: tuple[str, ...] = (
    "pairs",
    "appeals",
    "unmatched",
    "underpayments",
    "claims",
    "payments",
    "postings",
    "touches",
    "resolved_work",
    "cash",
    "remit_balance",
    "ar",
    "filing",
)
_ADJ = {"remit_loops", "_adjudication_flags", "void_dates"}
_PAYMENTS = {"remit_loops", "payment_facts", "void_dates"}
_CLAIMS = {"remit_loops", "first_adjudication_days", "claim_facts", "void_dates"}
FACT_NEEDS: dict[str, set[str]] = {
    "pairs": {*_ADJ, "pair_facts"},
    "appeals": {*_ADJ, "pair_facts"},
    "unmatched": _ADJ,
    "underpayments": _ADJ,
    "claims": _CLAIMS,
    "payments": _PAYMENTS,
    "postings": _PAYMENTS,
    # The claim facts themselves, not what they are built from (first adjudication days).
    "touches": {"claim_facts", *_PAYMENTS, "resolved_work_facts"},
    "resolved_work": {"resolved_work_facts"},
    "cash": {"remit_loops"},
    "remit_balance": {"remit_loops"},
    "ar": {"remit_loops", "_claim_charges", "_adjustment_sums", "void_dates"},
    "filing": {"remit_loops", "_claim_charges", "void_dates"},
    "write_offs": set(),
    "messages": set(),
    "decisions": set(),
    "rework": {"void_dates"},
    "open_work": set(),
    "backlog": set(),
    "freshness": set(),
}
# KPIs that need a source's records at all: without any, null and a note rather than a number
# that would only reflect the missing source.
REQUIRES: dict[str, tuple[str, str]] = {
    "posting_latency": ("posting", "no ERP postings collected"),
    "unposted_remits": ("posting", "no ERP postings collected"),
    "auto_posting_rate": ("posting", "no ERP postings collected"),
    "auto_posting_rate_dollars": ("posting", "no ERP postings collected"),
    "days_in_ar_net": ("revenue", "no ERP net revenue collected"),
    "final_denial_writeoff_rate": ("revenue", "no ERP net revenue collected"),
}
FLAG_NAMES = {
    "flag_provisional": "provisional",
    "flag_immature": "immature",
    "flag_source_derived": "source:derived",
}
BY_CHOICES = ("facility", "payer", "payer_class", "payer_sequence", "month", "exception_type")
BY_DIMENSION = {
    "facility": "facility_id",
    "payer": "payer_id",
    "payer_class": "payer_class",
    "payer_sequence": "payer_sequence",
    "month": "month",
    "exception_type": "exception_type",
}


@dataclass
class KpiResult:
    """What one computation produced. ``values`` hold JSON-ready values (fractions, integer
    counts, two-decimal money strings, objects); ``frames`` the aggregated Polars frames."""

    as_of: datetime
    period: Period
    carc_map_version: int | None
    values: dict[str, Any]
    notes: dict[str, str]
    flags: dict[str, list[str]]
    frames: dict[str, pl.DataFrame] = field(default_factory=dict, repr=False)
    by: str | None = None
    groups: list[dict[str, Any]] = field(default_factory=list)

    def frame(self, name: str) -> pl.DataFrame:
        return self.frames[name]

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "as_of": self.as_of.isoformat().replace("+00:00", "Z"),
            "period": self.period.label,
            "carc_map_version": self.carc_map_version,
        }
        if self.by is None:
            out["kpis"] = self.values
        else:
            out["by"] = self.by
            out["groups"] = self.groups
        out["notes"] = self.notes
        out["flags"] = self.flags
        return out


class FactCache:
    """Facts built once per (kind, measurement day) for one as-of, and the intermediates they
    share (remit loops, adjudications, claim and payment facts...) built once per run."""

    def __init__(self, frames: Frames, as_of: datetime, params: KpiParams) -> None:
        self.frames, self.as_of, self.params = frames, as_utc(as_of), params
        self.shared = Intermediates(frames, self.as_of)
        self._dated: dict[str, pl.DataFrame | pl.LazyFrame] = {}
        self._point: dict[tuple[str, date], pl.DataFrame] = {}

    def dated(self, kind: str) -> pl.DataFrame:
        facts = self._dated_facts(kind)
        return facts.collect() if isinstance(facts, pl.LazyFrame) else facts

    def dated_lazy(self, kind: str) -> pl.LazyFrame:
        """``kind``'s facts as a lazy frame: a kind whose builder returns a lazy view (postings,
        touches) is never materialised whole; each KPI reads only what it needs."""
        return self._dated_facts(kind).lazy()

    def _dated_facts(self, kind: str) -> pl.DataFrame | pl.LazyFrame:
        if kind not in self._dated:
            with sharing(self.shared):
                self._dated[kind] = DATED_FACTS[kind](self.frames, self.as_of, self.params)
        return self._dated[kind]

    def point(self, kind: str, at: date) -> pl.DataFrame:
        key = (kind, at)
        if key not in self._point:
            with sharing(self.shared):
                self._point[key] = POINT_FACTS[kind](self.frames, self.as_of, self.params, at)
        return self._point[key]

    def release(self, kind: str, later_kinds: Iterable[str]) -> None:
        """Forget ``kind``'s facts (every measurement day) and the intermediates that none of
        ``later_kinds`` is built from."""
        self._dated.pop(kind, None)
        for key in [k for k in self._point if k[0] == kind]:
            del self._point[key]
        needed: set[str] = set()
        for later in later_kinds:
            if later not in FACT_NEEDS:
                return
            needed |= FACT_NEEDS[later]
        self.shared.keep_only(needed)

    def first_day(self) -> date | None:
        days = []
        for kind in ("claims", "pairs", "payments"):
            facts = self.dated(kind)
            if facts.height:
                days.append(facts["day"].min())
        return min(days) if days else None


def _cut_problem(defn: KpiDef, cuts: Cuts, by: Sequence[str]) -> str | None:
    for dim in sorted(cuts.dims_used() | set(by)):
        if dim not in defn.dims:
            return f"cannot be cut by {dim.removesuffix('_id')}"
    return None


def kpi_frame(
    defn: KpiDef, cache: FactCache, period: Period, cuts: Cuts, by: Sequence[str] = ()
) -> pl.DataFrame:
    """The aggregated frame of one KPI: one row per group of ``by`` (long format for object
    KPIs), from the facts in ``period`` that ``cuts`` select."""
    if defn.point_in_time:
        facts = cache.point(defn.facts, period.measure_day(cache.as_of)).lazy()
    else:
        facts = cache.dated_lazy(defn.facts).filter(period.contains(pl.col("day")))
    # Lazily: the period filter and the cuts gather only the columns the KPI reads.
    out = defn.compute(apply_cuts(facts, cuts), list(by))
    return out.collect() if isinstance(out, pl.LazyFrame) else out


def period_facts(defn: KpiDef, cache: FactCache, period: Period) -> pl.DataFrame:
    if defn.point_in_time:
        return cache.point(defn.facts, period.measure_day(cache.as_of))
    facts = cache.dated(defn.facts)
    return facts.filter(period.contains(pl.col("day")))


def compute_kpis(
    frames: Frames,
    as_of: datetime,
    period: Period,
    cuts: Cuts | None = None,
    by: str | None = None,
    names: Iterable[str] | None = None,
    params: KpiParams | None = None,
    targets: str | None = None,
    default_carc_map_version: int | None = 1,
    source_gaps: Mapping[str, tuple[str, str]] | None = None,
) -> KpiResult:
    """Every KPI (or ``names``) for ``period`` as of ``as_of``, optionally broken down ``by``
    facility, payer, payer_class, payer_sequence, month or exception_type.

    ``source_gaps`` (KPI → (input frame, reason)), recorded by imports of sources that cannot
    feed a KPI (e.g. Synthea has no acknowledgments): while that frame is empty the KPI is null
    with the reason as its note, not a zero that would only reflect the missing source."""
    as_of = as_utc(as_of)
    cuts = cuts or Cuts()
    params = params or KpiParams()
    defs = registry(targets)
    chosen = list(defs) if names is None else list(names)
    unknown = [n for n in chosen if n not in defs]
    if unknown:
        raise ValueError(f"unknown KPIs: {unknown}")
    if by is not None and by not in BY_CHOICES:
        raise ValueError(f"--by must be one of {', '.join(BY_CHOICES)}")
    cache = FactCache(frames, as_of, params)
    result = KpiResult(as_of, period, None, {}, {}, {}, by=by)
    result.carc_map_version = _carc_version(cache, period, cuts, default_carc_map_version, result)
    if by is None:
        computed = {}
        for names_of_kind, later_kinds in _by_fact_kind(defs, chosen):
            for name in names_of_kind:
                computed[name] = _one(defs[name], cache, period, cuts, frames, source_gaps)
            cache.release(defs[names_of_kind[0]].facts, later_kinds)
        for name in chosen:  # in the order asked for
            value, note, flags, frame = computed[name]
            result.values[name] = value
            result.frames[name] = frame
            _record(result.notes, result.flags, name, note, flags)
        return result
    _grouped(result, defs, chosen, cache, period, cuts, frames, BY_DIMENSION[by], source_gaps)
    return result


def _by_fact_kind(defs: dict[str, KpiDef], chosen: Sequence[str]) -> list[tuple[list[str], list]]:
    """``chosen`` grouped by the facts they read, in :data:`FACT_ORDER` (then first use), each
    group with the fact kinds still to come after it."""
    groups: dict[str, list[str]] = {}
    for name in chosen:
        groups.setdefault(defs[name].facts, []).append(name)
    rank = {kind: i for i, kind in enumerate(FACT_ORDER)}
    kinds = sorted(groups, key=lambda k: (rank.get(k, len(rank)), list(groups).index(k)))
    return [(groups[kind], kinds[i + 1 :]) for i, kind in enumerate(kinds)]


def _unavailable(
    defn: KpiDef,
    cuts: Cuts,
    by: Sequence[str],
    frames: Frames,
    gaps: Mapping[str, tuple[str, str]] | None = None,
) -> str | None:
    problem = _cut_problem(defn, cuts, by)
    if problem:
        return problem
    for need in (REQUIRES.get(defn.name), (gaps or {}).get(defn.name)):
        if need and getattr(frames, need[0]).height == 0:
            return need[1]
    return None


def _one(defn, cache, period, cuts, frames, gaps=None):
    reason = _unavailable(defn, cuts, (), frames, gaps)
    if reason:
        return empty_value(defn), reason, [], pl.DataFrame()
    frame = kpi_frame(defn, cache, period, cuts)
    value, note, flags = render(defn, frame)
    return value, note, flags, frame


def _record(notes: dict, flags: dict, name: str, note: str | None, marks: list[str]) -> None:
    if note:
        notes[name] = note
    if marks:
        flags[name] = marks


def _grouped(result, defs, chosen, cache, period, cuts, frames, dim, gaps=None) -> None:
    per_kpi: dict[str, dict[Any, pl.DataFrame]] = {}
    keys: set = set()
    skipped = []
    available = []
    for name in chosen:
        reason = _unavailable(defs[name], cuts, (dim,), frames, gaps)
        if reason:
            skipped.append(name)
            result.notes[name] = reason
        else:
            available.append(name)
    months = period.months(cache.first_day()) if dim == "month" else []
    keys.update(m.start for m in months)
    frames_of: dict[str, pl.DataFrame] = {}
    for names_of_kind, later_kinds in _by_fact_kind(defs, available):
        kind = defs[names_of_kind[0]].facts
        if dim == "month":
            # Month by month, every KPI of this kind: a point-in-time kind's facts at one
            # month end are dropped before the next month's are built.
            parts: dict[str, list[pl.DataFrame]] = {name: [] for name in names_of_kind}
            for m in months:
                for name in names_of_kind:
                    parts[name].append(
                        kpi_frame(defs[name], cache, m, cuts).with_columns(
                            pl.lit(m.start).alias("month")
                        )
                    )
                if defs[names_of_kind[0]].point_in_time:
                    cache.release(kind, [kind, *later_kinds])
            for name in names_of_kind:
                frames_of[name] = (
                    pl.concat(parts[name], how="diagonal_relaxed") if months else pl.DataFrame()
                )
        else:
            for name in names_of_kind:
                frames_of[name] = kpi_frame(defs[name], cache, period, cuts, [dim])
                frame = frames_of[name]
                keys.update(frame[dim].unique().to_list() if frame.height else [])
        cache.release(kind, later_kinds)
    for name in available:
        frame = frames_of[name]
        result.frames[name] = frame
        per_kpi[name] = (
            {k[0]: sub for k, sub in frame.partition_by(dim, as_dict=True).items()}
            if frame.height
            else {}
        )
    labels = _labels(cache.frames)
    for key in sorted(keys, key=lambda k: (k is None, str(k))):
        group: dict[str, Any] = {
            _by_label(result.by): _key_text(dim, key, labels),
            "kpis": {},
            "notes": {},
            "flags": {},
        }
        for name in chosen:
            if name in skipped:
                continue
            defn = defs[name]
            sub = per_kpi[name].get(key)
            if sub is None:
                value, note, marks = render(defn, None)
            else:
                value, note, marks = render(defn, sub.drop(dim))
            group["kpis"][name] = value
            _record(group["notes"], group["flags"], name, note, marks)
        result.groups.append(group)


def _by_label(by: str | None) -> str:
    return by or ""


def _labels(frames: Frames) -> dict[str, dict[int, str]]:
    return {
        "facility_id": dict(frames.facility.select("id", "code").iter_rows()),
        "payer_id": dict(frames.payer.select("id", "code").iter_rows()),
    }


def _key_text(dim: str, key: Any, labels: dict[str, dict[int, str]]) -> str:
    if key is None:
        return UNMAPPED
    if dim == "month":
        return f"{key:%Y-%m}"
    if dim in labels:
        return labels[dim].get(key, str(key))
    return str(key)


def _carc_version(cache, period, cuts, default, result) -> int | None:
    pairs = cache.dated("pairs").filter(period.contains(pl.col("day")))
    if "facility_id" in cuts.dims_used() or cuts.filters():
        with contextlib.suppress(pl.exceptions.ColumnNotFoundError):
            pairs = apply_cuts(pairs, cuts)
    versions = sorted(v for v in pairs["carc_map_version"].unique().to_list() if v is not None)
    if not versions:
        return default
    if len(versions) > 1:
        result.notes["carc_map_version"] = (
            "initial adjudications of this period were classified with CARC map versions "
            + ", ".join(str(v) for v in versions)
            + f"; the newest ({versions[-1]}) is named"
        )
    return versions[-1]


# --- rendering ---------------------------------------------------------------------------


def _ratio(numerator: int, denominator: int) -> float | None:
    return None if not denominator else numerator / denominator


def _first_sentence(text: str) -> str:
    return text.split(". ")[0].rstrip(".")


def _zero_note(defn: KpiDef) -> str:
    what = defn.sections.get("Denominator", "")
    return f"denominator is 0 ({_first_sentence(what)})" if what else "denominator is 0"


def _flags(frame: pl.DataFrame | None) -> list[str]:
    if frame is None or frame.height == 0:
        return []
    out = []
    for column, name in FLAG_NAMES.items():
        if column in frame.columns and frame[column].fill_null(False).any():
            out.append(name)
    return out


def _int(frame: pl.DataFrame | None, column: str) -> int:
    if frame is None or frame.height == 0 or column not in frame.columns:
        return 0
    return int(frame[column].fill_null(0).sum())


def _opt(frame: pl.DataFrame | None, column: str) -> Any:
    if frame is None or frame.height == 0 or column not in frame.columns:
        return None
    return frame[column][0]


def empty_value(defn: KpiDef) -> Any:
    value, _, _ = render(defn, None)
    return value


def render(defn: KpiDef, frame: pl.DataFrame | None) -> tuple[Any, str | None, list[str]]:
    """JSON value, note and flags of a KPI from its aggregated frame (rows of one group)."""
    flags = _flags(frame)
    shape = defn.shape
    if shape in ("rate", "rate_money"):
        num, den = _int(frame, "numerator"), _int(frame, "denominator")
        value = _ratio(num, den)
        return value, (_zero_note(defn) if value is None else None), flags
    if shape == "days":
        num, den = _int(frame, "numerator"), _int(frame, "denominator")
        days = _int(frame, "window_days")
        if not den:
            return None, _zero_note(defn), flags
        return round(num * days / den, 2), None, flags
    if shape == "count":
        return _int(frame, "count"), None, flags
    if shape == "money":
        return format_cents(_int(frame, "cents")), None, flags
    if shape == "count_money":
        return (
            {"count": _int(frame, "count"), "dollars": format_cents(_int(frame, "cents"))},
            (None),
            flags,
        )
    return OBJECT_RENDERERS[defn.name](defn, frame, flags)


def _rows(frame: pl.DataFrame | None) -> list[dict]:
    return [] if frame is None else frame.to_dicts()


def _count_money_by(frame, key: str, labels: Sequence[str]) -> dict[str, dict]:
    out = {label: {"count": 0, "cents": 0} for label in labels}
    for row in _rows(frame):
        slot = out.setdefault(
            row[key] if row[key] is not None else UNMAPPED, {"count": 0, "cents": 0}
        )
        slot["count"] += int(row.get("count") or 0)
        slot["cents"] += int(row.get("cents") or 0)
    return {k: {"count": v["count"], "dollars": format_cents(v["cents"])} for k, v in out.items()}


def _render_categories(defn, frame, flags):
    from rcmwatch.reference.carc_map import CATEGORIES

    value = _count_money_by(frame, "category", CATEGORIES)
    return value, None, flags


def _render_latency(defn, frame, flags):
    n = _int(frame, "n")
    value = {
        "median_h": seconds_to_hours(_opt(frame, "median_s")),
        "p90_h": seconds_to_hours(_opt(frame, "p90_s")),
        "n": n,
    }
    return value, (None if n else "no claim payments received in the period"), flags


def _render_unposted(defn, frame, flags):
    value = {
        "count": _int(frame, "count"),
        "dollars": format_cents(_int(frame, "cents")),
        "oldest_age_h": seconds_to_hours(_opt(frame, "oldest_s")),
        "p90_age_h": seconds_to_hours(_opt(frame, "p90_s")),
    }
    return value, None, flags


def _render_aging(defn, frame, flags):
    value = {
        kind: dict.fromkeys(receivables.AR_BUCKET_LABELS, 0) for kind in ("insurance", "patient")
    }
    for row in _rows(frame):
        value.setdefault(row["kind"], dict.fromkeys(receivables.AR_BUCKET_LABELS, 0))
        value[row["kind"]][row["bucket"]] += int(row["cents"] or 0)
    rendered = {k: {b: format_cents(c) for b, c in v.items()} for k, v in value.items()}
    return rendered, None, flags


def _render_queue_open(defn, frame, flags):
    by_stage = _count_money_by(frame, "stage", ())
    value = {
        "count": _int(frame, "count"),
        "dollars": format_cents(_int(frame, "cents")),
        "by_stage": dict(sorted(by_stage.items())),
    }
    return value, None, flags


def _render_queue_aging(defn, frame, flags):
    return _count_money_by(frame, "bucket", operations.QUEUE_BUCKET_LABELS), None, flags


def _render_bands(defn, frame, flags):
    return _count_money_by(frame, "band", operations.DEADLINE_BANDS), None, flags


def _render_backlog(defn, frame, flags):
    value = {
        "waiting": _int(frame, "waiting"),
        "dead_letters": _int(frame, "dead_letters"),
        "oldest_waiting_h": seconds_to_hours(_opt(frame, "oldest_waiting_s")),
    }
    return value, None, flags


def _render_touch(defn, frame, flags):
    value: dict[str, float | None] = dict.fromkeys(operations.MANUAL_TOUCH_DOMAINS)
    for row in _rows(frame):
        value[row["domain"]] = _ratio(int(row["numerator"]), int(row["denominator"]))
    empty = [d for d, v in value.items() if v is None]
    note = f"no records in the period for: {', '.join(empty)}" if empty else None
    return value, note, flags


def _render_rework(defn, frame, flags):
    value = {
        "work_items_opened": _int(frame, "work_items_opened"),
        "claims_resubmitted": _int(frame, "claims_resubmitted"),
    }
    return value, None, flags


def _render_freshness(defn, frame, flags):
    value = {}
    for row in sorted(_rows(frame), key=lambda r: r["source"]):
        value[row["source"]] = {
            "since_success_h": seconds_to_hours(row["since_s"]),
            "newest_record_age_h": seconds_to_hours(row["newest_s"]),
            "cadence_h": seconds_to_hours(row["cadence_seconds"]),
            "stale": bool(row["stale"]),
        }
    stale = [s for s, v in value.items() if v["stale"]]
    note = f"stale: {', '.join(stale)}" if stale else (None if value else "no sources collected")
    return value, note, flags


OBJECT_RENDERERS = {
    "denials_by_category": _render_categories,
    "posting_latency": _render_latency,
    "unposted_remits": _render_unposted,
    "ar_aging_buckets": _render_aging,
    "queue_open": _render_queue_open,
    "queue_aging": _render_queue_aging,
    "timely_filing_at_risk": _render_bands,
    "appeal_deadline_at_risk": _render_bands,
    "interface_backlog": _render_backlog,
    "manual_touch_rate": _render_touch,
    "denial_rework_volume": _render_rework,
    "source_freshness": _render_freshness,
}


# --- drill-down --------------------------------------------------------------------------


def drill(
    frames: Frames,
    as_of: datetime,
    name: str,
    period: Period,
    cuts: Cuts | None = None,
    part: str = "denominator",
    where: pl.Expr | None = None,
    params: KpiParams | None = None,
    cache: FactCache | None = None,
) -> pl.DataFrame:
    """The records behind a KPI value: the fact rows of the period and cuts that the value
    counts (``part='denominator'``: the population; ``'numerator'``: those counted above the
    line), narrowed by ``where`` (e.g. ``pl.col('denial_category') == 'authorization'`` or a
    group's dimension). Id columns first (claim ids, pcns, claim payment ids, work item ids...),
    then the date basis and dimensions."""
    defn = registry()[name]
    cache = cache or FactCache(frames, as_of, params or KpiParams())
    facts = apply_cuts(period_facts(defn, cache, period), cuts or Cuts())
    selector = defn.numerator_rows if part == "numerator" else defn.denominator_rows
    if part not in ("numerator", "denominator"):
        raise ValueError("part is numerator or denominator")
    if selector is not None:
        facts = facts.filter(selector.fill_null(False))
    if where is not None:
        facts = facts.filter(where)
    first = [c for c in defn.id_columns if c in facts.columns]
    rest = [c for c in ("day", *defn.dims) if c in facts.columns and c not in first]
    return facts.select(*first, *rest, *[c for c in facts.columns if c not in first + rest])
