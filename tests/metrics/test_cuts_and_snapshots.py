"""Properties over random worlds: cutting by facility or payer and summing gives the totals;
snapshot cells rolled up give the direct computation exactly; the facility allow-list applies
before aggregating; --by month is the trend of the monthly values."""

from __future__ import annotations

from datetime import timedelta

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from metrics.common import KpiParams
from metrics.engine import FactCache, compute_kpis, kpi_frame
from metrics.periods import Cuts, Period
from metrics.registry import registry
from metrics.snapshots import cells, latency_from_samples, rollup
from tests.metrics.world import World, at, day

AS_OF = at("2024-07-20 12:00")
KINDS = st.sampled_from(["none", "full", "partial", "zero_pay"])


@st.composite
def worlds(draw) -> World:
    w = World()
    facilities = [w.facility(f"F{i}") for i in range(2)]
    payers = [w.payer(f"P{i}", ["medicare", "commercial"][i % 2]) for i in range(3)]
    n = draw(st.integers(min_value=0, max_value=14))
    for i in range(n):
        pcn = f"C{i}"
        submitted = at("2024-04-25 00:00") + timedelta(hours=draw(st.integers(0, 24 * 70)))
        facility = draw(st.sampled_from([None, *facilities]))
        payer = draw(st.sampled_from(payers))
        w.claim(pcn, submitted, facility=facility, payer=payer, charge=draw(st.integers(1, 9_999)))
        answer = draw(st.sampled_from(["A", "R", "-", "277"]))
        if answer in ("A", "R"):
            w.ack(pcn, answer)
        elif answer == "277":
            w.status(pcn, draw(st.sampled_from(["A1", "A2", "A3", "A7"])))
        for k in range(draw(st.integers(0, 2))):
            produced = submitted.date() + timedelta(days=draw(st.integers(1, 40)))
            remit = w.remit(produced, payer=payer, balanced=draw(st.booleans()))
            kind = draw(KINDS)
            denied = draw(st.integers(1, 500)) if kind in ("full", "partial") else 0
            cp = w.loop(
                remit,
                pcn,
                charge=1_000,
                paid=0 if kind == "full" else 700,
                denial=kind,
                denied=denied,
                category=draw(st.sampled_from(["coding", "eligibility"])),
                sequence=["primary", "secondary"][k],
                matched=draw(st.booleans()),
            )
            if draw(st.booleans()):
                w.posting(
                    cp,
                    at(f"{produced} 00:00") + timedelta(hours=draw(st.integers(1, 99))),
                    manual=draw(st.booleans()),
                )
    for _ in range(draw(st.integers(0, 4))):
        opened = at("2024-05-01 00:00") + timedelta(hours=draw(st.integers(0, 1500)))
        resolved = opened + timedelta(hours=draw(st.integers(1, 300)))
        w.work_item(
            opened,
            facility=draw(st.sampled_from([None, *facilities])),
            resolved_at=resolved if resolved < AS_OF else None,
            due_at=opened + timedelta(hours=48),
            by_person=draw(st.booleans()),
            cents=draw(st.integers(0, 999)),
        )
    return w


NUMERIC = (pl.Int64, pl.Int32, pl.UInt32, pl.UInt64)


def _sums(frame: pl.DataFrame, keep: list[str], drop: tuple[str, ...] = ()) -> dict:
    numeric = [c for c, t in frame.schema.items() if t in NUMERIC and c not in keep + list(drop)]
    numeric = [c for c in numeric if c not in ("window_days",)]
    if keep:
        return {
            tuple(r[: len(keep)]): tuple(r[len(keep) :])
            for r in frame.group_by(keep).agg(pl.col(numeric).sum()).sort(keep).iter_rows()
        }
    return dict(zip(numeric, frame.select(pl.col(numeric).sum()).row(0), strict=True))


ADDITIVE_SHAPES = ("rate", "rate_money", "count", "money", "count_money", "days")
PART_COLUMNS = {
    "denials_by_category": ["category"],
    "queue_open": ["stage"],
    "queue_aging": ["bucket"],
    "ar_aging_buckets": ["kind", "bucket"],
    "timely_filing_at_risk": ["band"],
    "appeal_deadline_at_risk": ["band"],
    "manual_touch_rate": ["domain"],
}


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(worlds())
def test_cuts_by_facility_and_payer_sum_to_the_totals(world):
    cache = FactCache(world.frames(), AS_OF, KpiParams())
    period = Period.days(day("2024-05-01"), day("2024-06-30"))
    for name, defn in registry().items():
        if defn.shape not in ADDITIVE_SHAPES and name not in PART_COLUMNS:
            continue
        if name == "denial_rework_volume":
            continue
        parts = PART_COLUMNS.get(name, [])
        total = _sums(kpi_frame(defn, cache, period, Cuts()), parts)
        for dim in ("facility_id", "payer_id"):
            if dim not in defn.dims:
                continue
            cut = kpi_frame(defn, cache, period, Cuts(), [dim])
            assert _sums(cut, parts, (dim,)) == total, (name, dim)
            # One facility (or payer) at a time, through the filter, sums the same way.
            keys = cut[dim].unique().to_list() if cut.height else []
            pieces = [
                kpi_frame(defn, cache, period, Cuts(**{f"{dim}s": frozenset({k})})) for k in keys
            ]
            if pieces:
                assert _sums(pl.concat(pieces, how="diagonal_relaxed"), parts) == total, name


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(worlds(), st.sampled_from(["2024-05", "2024-06", "2024-05-10..2024-06-20", "all"]))
def test_snapshot_rollups_equal_direct_computation(world, period_text):
    frames = world.frames()
    period = Period.parse(period_text, AS_OF)
    cache = FactCache(frames, AS_OF, KpiParams())
    all_cells = pl.concat(
        [cells(d, cache.dated(d.facts)) for d in registry().values() if d.snapshot]
    )
    in_period = all_cells.filter(period.contains(pl.col("day")))
    rolled = {r["kpi"]: r for r in rollup(in_period).to_dicts()}
    direct = compute_kpis(frames, AS_OF, period)
    for name, defn in registry().items():
        if not defn.snapshot:
            continue
        frame = direct.frame(name)
        if frame.width == 0:  # not computable here (e.g. no ERP postings): nothing to roll up
            continue
        if defn.shape in ("rate",):
            got = rolled.get(name, {"numerator": 0, "denominator": 0})
            assert (got["numerator"], got["denominator"]) == frame.row(0)[:2], name
        elif defn.shape == "rate_money":
            got = rolled.get(name, {"amount_cents": 0, "amount_denominator_cents": 0})
            want = frame.select("numerator", "denominator").row(0)
            assert (got["amount_cents"] or 0, got["amount_denominator_cents"] or 0) == want
        elif defn.shape == "count":
            assert rolled.get(name, {"numerator": 0})["numerator"] == frame["count"][0], name
        elif defn.shape == "money":
            assert (rolled.get(name, {}).get("amount_cents") or 0) == frame["cents"][0], name
        elif defn.shape == "count_money":
            got = rolled.get(name, {"numerator": 0, "amount_cents": 0})
            assert (got["numerator"], got["amount_cents"] or 0) == frame.select(
                "count", "cents"
            ).row(0)
        elif name == "posting_latency":
            samples = rolled.get(name, {"samples": []})["samples"]
            assert latency_from_samples(samples, AS_OF) == direct.values[name]
        elif name == "denials_by_category":
            for row in frame.iter_rows(named=True):
                got = rolled[f"{name}:{row['category']}"]
                assert (got["numerator"], got["amount_cents"]) == (row["count"], row["cents"])
        elif name == "manual_touch_rate":
            for row in frame.iter_rows(named=True):
                got = rolled[f"{name}:{row['domain']}"]
                assert (got["numerator"], got["denominator"]) == (
                    row["numerator"],
                    row["denominator"],
                )


def test_facility_allow_list_applies_before_aggregating():
    w = World()
    north, south = w.facility("NORTH"), w.facility("SOUTH")
    w.claim("N", at("2024-05-02 08:00"), facility=north)
    w.claim("S", at("2024-05-02 08:00"), facility=south)
    w.claim("U", at("2024-05-02 08:00"))
    w.ack("N", "A")
    w.ack("S", "R")
    period = Period.month(2024, 5)
    scoped = compute_kpis(w.frames(), AS_OF, period, cuts=Cuts(facility_allow=frozenset({north})))
    assert scoped.values["claims_submitted"] == 1
    assert scoped.values["first_pass_acceptance_rate"] == 1.0
    assert scoped.notes["remit_balance_exceptions"] == "cannot be cut by facility"
    everyone = compute_kpis(w.frames(), AS_OF, period, by="facility")
    assert [(g["facility"], g["kpis"]["claims_submitted"]) for g in everyone.groups] == [
        ("NORTH", 1),
        ("SOUTH", 1),
        ("unmapped", 1),
    ]
    unmapped = compute_kpis(w.frames(), AS_OF, period, cuts=Cuts(facility_ids=frozenset({None})))
    assert unmapped.values["claims_submitted"] == 1


def test_by_month_is_the_trend_of_monthly_values():
    w = World()
    for i, when in enumerate(["2024-04-03", "2024-05-03", "2024-05-04", "2024-06-30"]):
        w.claim(f"C{i}", at(f"{when} 10:00"))
    trend = compute_kpis(w.frames(), AS_OF, Period.parse("all", AS_OF), by="month")
    assert [(g["month"], g["kpis"]["claims_submitted"]) for g in trend.groups] == [
        ("2024-04", 1),
        ("2024-05", 2),
        ("2024-06", 1),
        ("2024-07", 0),
    ]
    for g in trend.groups:
        month = compute_kpis(w.frames(), AS_OF, Period.parse(g["month"], AS_OF))
        assert month.values["claims_submitted"] == g["kpis"]["claims_submitted"]
        assert month.values["queue_open"] == g["kpis"]["queue_open"]
