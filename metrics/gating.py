"""Data-quality gating of KPI values: a KPI whose inputs have failing rows *in the cut being
shown* (facility, payer, payer class, period; each ``--by`` group on its own) is marked — the
value itself never changes.

- ``inputs_failing:<check id>`` when that check's latest result is blocking (its failing share
  is above the check's threshold) and at least one of its failing rows falls in the cut;
- ``inputs_warning:<check id>:<n>`` when the check failed below its threshold: ``n`` failing
  rows fall in the cut.

Input: the failing keys of each check's latest result (one row per key: ``check_id``,
``blocking``, ``facility_id``, ``payer_id``, ``period``). Choices: a key without a facility (an
835 transaction spans the facilities of its claims) or without a payer touches every facility
or payer; a key without a date (a duplicate patient) touches every period; point-in-time KPIs
are touched by keys dated up to the period end; cuts by payer sequence or exception type are not
narrowed (every group is touched).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import polars as pl

from metrics.periods import UNMAPPED, Cuts, Period, in_set, month_bounds

KEY_SCHEMA = {
    "check_id": pl.String,
    "blocking": pl.Boolean,
    "facility_id": pl.Int64,
    "payer_id": pl.Int64,
    "period": pl.Date,
}


def _either_null(column: str, values: frozenset) -> pl.Expr:
    return pl.col(column).is_null() | in_set(column, values)


def keys_in_cut(
    keys: pl.DataFrame,
    period: Period,
    cuts: Cuts,
    *,
    point_in_time: bool,
    payer_classes: dict[int, str] | None = None,
) -> pl.DataFrame:
    """The failing keys that fall in ``period`` and survive ``cuts``."""
    out = keys
    day = pl.col("period")
    inside = day <= pl.lit(period.end)
    if period.start is not None and not point_in_time:
        inside = inside & (day >= pl.lit(period.start))
    out = out.filter(day.is_null() | inside)
    if cuts.facility_allow is not None:
        out = out.filter(_either_null("facility_id", frozenset(cuts.facility_allow)))
    if cuts.facility_ids is not None:
        out = out.filter(_either_null("facility_id", cuts.facility_ids))
    if cuts.payer_ids is not None:
        out = out.filter(_either_null("payer_id", cuts.payer_ids))
    if cuts.payer_classes is not None:
        classes = payer_classes or {}
        wanted = {pid for pid, cls in classes.items() if cls in cuts.payer_classes}
        out = out.filter(_either_null("payer_id", frozenset(wanted)))
    return out


def marks(keys: pl.DataFrame, guarded_by: Iterable[str]) -> list[str]:
    """The flags for the keys of one cut, in the order of ``guarded_by``."""
    if keys.height == 0:
        return []
    counts = {
        (row["check_id"], row["blocking"]): row["n"]
        for row in keys.group_by("check_id", "blocking").len("n").iter_rows(named=True)
    }
    out = []
    for check in guarded_by:
        if counts.get((check, True)):
            out.append(f"inputs_failing:{check}")
        elif counts.get((check, False)):
            out.append(f"inputs_warning:{check}:{counts[(check, False)]}")
    return out


def _group_filter(dim: str, key: Any, labels: dict[str, dict[str, int]]) -> pl.Expr | None:
    if dim == "facility_id":
        if key == UNMAPPED:
            return pl.col("facility_id").is_null()
        fid = labels["facility_id"].get(key)
        return pl.col("facility_id").is_null() | (pl.col("facility_id") == fid)
    if dim == "payer_id":
        pid = labels["payer_id"].get(key)
        return pl.col("payer_id").is_null() | (pl.col("payer_id") == pid)
    if dim == "month":
        first, last = month_bounds(int(key[:4]), int(key[5:7]))
        return pl.col("period").is_null() | pl.col("period").is_between(first, last)
    return None


def flag_result(
    result,
    keys: pl.DataFrame,
    defs: dict,
    cuts: Cuts,
    *,
    facility_codes: dict[int, str] | None = None,
    payer_codes: dict[int, str] | None = None,
    payer_classes: dict[int, str] | None = None,
) -> None:
    """Add the input flags to a :class:`metrics.engine.KpiResult` (in place)."""
    if keys.height == 0:
        return
    by = result.by
    labels = {
        "facility_id": {v: k for k, v in (facility_codes or {}).items()},
        "payer_id": {v: k for k, v in (payer_codes or {}).items()},
    }
    dim = {"facility": "facility_id", "payer": "payer_id", "month": "month"}.get(by or "")
    names = (
        list(result.values)
        if by is None
        else list(result.notes) + [n for g in result.groups for n in g["kpis"]]
    )
    for name in dict.fromkeys(names):
        defn = defs.get(name)
        if defn is None or not defn.guarded_by:
            continue
        mine = keys.filter(pl.col("check_id").is_in(list(defn.guarded_by)))
        if mine.height == 0:
            continue
        cut = keys_in_cut(
            mine,
            result.period,
            cuts,
            point_in_time=defn.point_in_time,
            payer_classes=payer_classes,
        )
        if by is None:
            _add(result.flags, name, marks(cut, defn.guarded_by))
            continue
        for group in result.groups:
            if name not in group["kpis"]:
                continue
            narrowed = cut
            if by == "payer_class":
                wanted = {p for p, c in (payer_classes or {}).items() if c == group[by]}
                narrowed = cut.filter(_either_null("payer_id", frozenset(wanted)))
            elif dim is not None:
                expr = _group_filter(dim, group[by], labels)
                if expr is not None:
                    narrowed = cut.filter(expr)
            _add(group["flags"], name, marks(narrowed, defn.guarded_by))


def _add(flags: dict[str, list[str]], name: str, new: list[str]) -> None:
    if new:
        flags[name] = [*flags.get(name, []), *new]
