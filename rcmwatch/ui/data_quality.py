"""The Data quality page's logic (the page itself only renders): latest result per check,
failures over time, the failing rows of a check (PHI masked through the export seam), the work
items the checks raised and the KPIs marked for the filters in force. Great Expectations is not
imported here: the page reads what the checks stored."""

from __future__ import annotations

from datetime import date

import polars as pl
from sqlalchemy import select

from checks.catalog import catalog
from metrics.gating import keys_in_cut, marks
from metrics.periods import Cuts, Period
from metrics.registry import registry
from rcmwatch.export import mask_phi
from rcmwatch.identity import User
from rcmwatch.money import format_dollars
from rcmwatch.queries import dq
from rcmwatch.store.engine import Store
from rcmwatch.store.models import Facility, Patient, PatientPhi, Payer


def _codes(store: Store) -> tuple[dict[int, str], dict[int, str], dict[int, str]]:
    with store.read() as conn:
        facilities = dict(conn.execute(select(Facility.id, Facility.code)).all())
        payers = conn.execute(select(Payer.id, Payer.code, Payer.payer_class)).all()
    return facilities, {p.id: p.code for p in payers}, {p.id: p.payer_class for p in payers}


def cuts_for(store: Store, filters, user: User) -> Cuts:
    facilities, payers, _ = _codes(store)
    fac_ids = {c: i for i, c in facilities.items()}
    pay_ids = {c: i for i, c in payers.items()}
    return Cuts(
        facility_allow=user.facility_ids,
        facility_ids=frozenset(fac_ids[c] for c in filters.facility_codes if c in fac_ids)
        if filters.facility_codes
        else None,
        payer_ids=frozenset(pay_ids[c] for c in filters.payer_codes if c in pay_ids)
        if filters.payer_codes
        else None,
    )


def period_for(filters, today: date) -> Period:
    bounds = filters.period_bounds()
    if bounds is None:
        return Period(None, today, "all")
    return Period(bounds[0], bounds[1], filters.period)


def latest_table(store: Store) -> pl.DataFrame:
    """One row per check (catalogue order) with its latest verdict; checks never run say so."""
    latest = dq.latest_results(store)
    by_id = {r["check_id"]: r for r in latest.iter_rows(named=True)} if latest.height else {}
    rows = []
    for check in catalog().values():
        r = by_id.get(check.id)
        if r is None:
            status = "not run yet"
        elif r["errored"]:
            status = "could not run"
        elif r["success"]:
            status = "passed"
        else:
            status = "BLOCKING" if r["blocking"] else "failing (below threshold)"
        rows.append(
            {
                "check": check.id,
                "status": status,
                "severity": check.severity,
                "suite": check.suite,
                "table": check.table,
                "failing rows": None if r is None else r["unexpected_count"],
                "of rows": None if r is None else r["element_count"],
                # A check without a dollar basis (a code format, a duplicate patient) has no
                # dollars at stake: a dash, not "None" or a misleading $0.00.
                "dollars at stake": "—"
                if r is None or r["unexpected_amount_cents"] is None
                else format_dollars(r["unexpected_amount_cents"]),
                "threshold": f"{check.threshold:.0%} of {check.basis}",
                "owner": check.owner,
                "checked at": None if r is None else r["started_at"],
                "run": None if r is None else r["mode"],
            }
        )
    return pl.DataFrame(rows, infer_schema_length=None)


def evidence_lines(store: Store) -> list[str]:
    latest = dq.latest_results(store)
    if latest.height == 0:
        return []
    return [e for e in latest["evidence"].to_list() if e]


def flagged_kpis(store: Store, cuts: Cuts, period: Period) -> pl.DataFrame:
    """KPIs whose inputs fail a check in the cut shown, and how (the same marks as
    ``rcmwatch kpi --json``)."""
    keys = dq.latest_failing_keys(store)
    if keys.height == 0:
        return pl.DataFrame()
    _, _, classes = _codes(store)
    rows = []
    for name, defn in registry().items():
        if not defn.guarded_by:
            continue
        mine = keys.filter(pl.col("check_id").is_in(list(defn.guarded_by)))
        cut = keys_in_cut(
            mine, period, cuts, point_in_time=defn.point_in_time, payer_classes=classes
        )
        found = marks(cut, defn.guarded_by)
        if found:
            rows.append({"kpi": name, "title": defn.title, "marks": ", ".join(found)})
    return pl.DataFrame(rows)


def failing_rows(
    store: Store, check_id: str, user: User, cuts: Cuts, period: Period
) -> tuple[pl.DataFrame, list[str]]:
    """The failing rows of a check's latest result in the cut shown, with facility and payer
    codes; duplicate patients carry the names and birth date that matched — masked unless the
    user may see PHI (``rcmwatch.export.mask_phi``). Returns the frame and the masked columns."""
    rows = dq.failing_rows(store, check_id, limit=5000)
    if rows.height == 0:
        return rows, []
    rows = rows.with_columns(
        pl.col("facility_id").cast(pl.Int64),
        pl.col("payer_id").cast(pl.Int64),
        pl.col("period").cast(pl.Date),
    )
    _, _, classes = _codes(store)
    rows = keys_in_cut(
        rows.with_columns(pl.lit(check_id).alias("check_id"), pl.lit(True).alias("blocking")),
        period,
        cuts,
        point_in_time=True,
        payer_classes=classes,
    ).drop("check_id", "blocking")
    facilities, payers, _ = _codes(store)
    rows = rows.with_columns(
        pl.col("facility_id").replace_strict(facilities, default=None, return_dtype=pl.String)
        .alias("facility"),
        pl.col("payer_id").replace_strict(payers, default=None, return_dtype=pl.String)
        .alias("payer"),
    ).drop("facility_id", "payer_id")  # fmt: skip
    if check_id == "duplicate_patient" and rows.height:
        with store.read() as conn:
            people = conn.execute(
                select(
                    Patient.patient_key, PatientPhi.last_name, PatientPhi.first_name,
                    PatientPhi.birth_date,
                )
                .join(PatientPhi, PatientPhi.patient_id == Patient.id)
                .where(Patient.patient_key.in_(rows["row_key"].to_list()))
            ).all()  # fmt: skip
        phi = pl.DataFrame(
            [tuple(p) for p in people],
            schema={
                "row_key": pl.String, "last_name": pl.String, "first_name": pl.String,
                "birth_date": pl.Date,
            },
            orient="row",
        )  # fmt: skip
        rows = rows.join(phi, on="row_key", how="left")
    return mask_phi(rows, user)


def work_items(store: Store) -> pl.DataFrame:
    items = dq.dq_work_items(store)
    if items.height == 0:
        return items
    return items.select(
        "check_id", "status", "stage", "subject_type", "subject_key", "opened_at", "due_at",
        "assignee", "resolved_at",
    )  # fmt: skip


def history(store: Store) -> pl.DataFrame:
    return dq.history(store)
