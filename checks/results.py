"""Storing a run: ``dq_run``, one ``dq_result`` per check (with its markdown evidence line and
the query selecting every failing row), the failing rows' keys (capped at
:data:`checks.runner.KEY_CAP` per check) and the work items; plus the per-check state an
incremental run starts from (``app_state['dq_state']``: newest row id seen, ids failing)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, func, insert, select, text

from checks.catalog import Check
from checks.runner import Outcome
from checks.work_items import sync_work_items
from rcmwatch import audit
from rcmwatch.money import format_dollars, from_cents
from rcmwatch.store.engine import Store
from rcmwatch.store.models import AppState, DqFailingKey, DqResult, DqRun

STATE_KEY = "dq_state"


def evidence_line(outcome: Outcome) -> str:
    """One markdown line a person can read: what failed, how much, against which threshold."""
    check = outcome.check
    head = f"**{check.id}** ({check.severity}, owner: {check.owner})"
    if outcome.errored:
        return f"{head}: could not run — {outcome.error}"
    scope = " (incremental)" if outcome.mode == "incremental" else ""
    if outcome.success:
        if outcome.element_count == 0:
            return f"{head}: nothing to check yet (no {check.noun}){scope}."
        of = f" of {outcome.element_count:,} {check.noun}" if outcome.element_count else ""
        return f"{head}: passed{of}{scope}."
    of = f" of {outcome.element_count:,}" if outcome.element_count is not None else ""
    share = outcome.share
    shown = f" ({share:.2%})" if share is not None else ""
    money = ""
    if outcome.unexpected_cents:
        money = f", {format_dollars(outcome.unexpected_cents)} at stake"
    basis = "dollars" if check.basis == "dollars" else check.noun
    verdict = "blocking" if outcome.blocking else "below the blocking threshold"
    capped = "" if outcome.complete else f"; first {len(outcome.failing):,} keys kept, query stored"
    return (
        f"{head}: {outcome.unexpected_count:,}{of} {check.noun} fail{shown}{money}; threshold "
        f"{check.threshold:.0%} of {basis} → {verdict}{scope}{capped}."
    )


def _max_id(conn: Connection, table: str) -> int:
    return int(conn.execute(text(f"SELECT COALESCE(MAX(id), 0) FROM {table}")).scalar_one())


def load_state(conn: Connection) -> dict[str, Any]:
    row = conn.execute(select(AppState.value).where(AppState.key == STATE_KEY)).scalar()
    return dict(row or {})


def incremental_scopes(
    conn: Connection, checks: list[Check], as_of: datetime | None = None
) -> dict[str, str]:
    """Per incremental-capable check with a complete previous run: rows newer than the newest
    seen then, plus the rows that failed then (so a fixed row closes its work item), plus — for
    clock-dependent checks — rows whose window passed since the previous run's as-of."""
    from checks.catalog import SqlContext
    from checks.sql import ts

    state = load_state(conn)
    dialect = conn.dialect.name
    scopes = {}
    for check in checks:
        seen = state.get(check.id)
        if not check.incremental or not seen or not seen.get("complete"):
            continue
        ids = [int(i) for i in seen.get("failing_ids", [])]
        scope = f"t.id > {int(seen['max_id'])}"
        if ids:
            scope += f" OR t.id IN ({', '.join(str(i) for i in ids)})"
        if check.window_column:
            previous = seen.get("as_of")
            if previous is None or as_of is None:
                continue  # no clock to start from: run it in full
            since = datetime.fromisoformat(previous) - check.window
            ctx = SqlContext(dialect, as_of)
            scope += f" OR t.{check.window_column} >= {ts(ctx, since)}"
        scopes[check.id] = scope
    return scopes


def watermarks(conn: Connection, checks: list[Check]) -> dict[str, int]:
    """Newest id of each checked table, read before the checks run (rows landing during the run
    are checked next time)."""
    return {c.id: _max_id(conn, c.table) for c in checks}


def record_run(
    store: Store,
    outcomes: list[Outcome],
    *,
    mode: str,
    started_at: datetime,
    seconds: float,
    max_ids: dict[str, int],
) -> int:
    """Store one run and sync its work items, in one transaction; returns the run id."""
    with store.write() as conn:
        run_id = conn.execute(
            insert(DqRun)
            .values(
                started_at=started_at,
                finished_at=started_at + timedelta(seconds=seconds),
                mode=mode,
                status="errored" if any(o.errored for o in outcomes) else "ok",
            )
            .returning(DqRun.id)
        ).scalar_one()
        state = load_state(conn)
        changes_by_check = {}
        for outcome in outcomes:
            check = outcome.check
            result_id = conn.execute(
                insert(DqResult)
                .values(
                    run_id=run_id,
                    check_id=check.id,
                    suite=check.suite,
                    table_name=check.table,
                    severity=check.severity,
                    blocking=outcome.blocking,
                    success=outcome.success,
                    errored=outcome.errored,
                    element_count=outcome.element_count,
                    unexpected_count=outcome.unexpected_count,
                    unexpected_amount=(
                        None
                        if outcome.unexpected_cents is None
                        else from_cents(outcome.unexpected_cents)
                    ),
                    evidence=evidence_line(outcome),
                    query=outcome.query,
                    error=outcome.error,
                )
                .returning(DqResult.id)
            ).scalar_one()
            if outcome.failing:
                conn.execute(
                    insert(DqFailingKey),
                    [
                        {
                            "result_id": result_id,
                            "row_key": row.row_key[:200],
                            "facility_id": row.facility_id,
                            "payer_id": row.payer_id,
                            "period": row.period,
                        }
                        for row in outcome.failing
                    ],
                )
            if not outcome.errored:
                state[check.id] = {
                    "as_of": started_at.isoformat(),
                    "element_count": outcome.element_count,
                    "population_cents": outcome.population_cents,
                    "max_id": max_ids.get(check.id, 0),
                    "complete": outcome.complete,
                    "failing_ids": [r.row_id for r in outcome.failing if r.row_id is not None],
                }
            changes = sync_work_items(conn, outcome, started_at)
            if any(changes.as_dict().values()):
                changes_by_check[check.id] = changes.as_dict()
        _save_state(conn, state, started_at)
        if changes_by_check:
            audit.append(
                conn,
                actor="rcmwatch checks",
                action="dq_work_items",
                at=started_at,
                subject_type="dq_run",
                subject_key=str(run_id),
                reason=f"{mode} data-quality run",
                after=changes_by_check,
            )
    return run_id


def _save_state(conn: Connection, state: dict[str, Any], at: datetime) -> None:
    exists = conn.execute(select(func.count()).where(AppState.key == STATE_KEY)).scalar_one()
    if exists:
        conn.execute(
            AppState.__table__.update()
            .where(AppState.key == STATE_KEY)
            .values(value=state, updated_at=at)
        )
    else:
        conn.execute(insert(AppState).values(key=STATE_KEY, value=state, updated_at=at))


def incremental_populations(
    conn: Connection, scopes: dict[str, str], max_ids: dict[str, int]
) -> dict[str, tuple[int, int]]:
    """For scoped checks: the previous run's population plus the ids added since."""
    state = load_state(conn)
    out = {}
    for check_id in scopes:
        seen = state.get(check_id) or {}
        if seen.get("element_count") is None:
            continue
        added = max(0, max_ids.get(check_id, 0) - int(seen.get("max_id", 0)))
        out[check_id] = (int(seen["element_count"]) + added, int(seen.get("population_cents") or 0))
    return out
