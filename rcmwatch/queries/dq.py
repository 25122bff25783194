"""Reading data-quality results from the store (no Great Expectations here): the latest result
of each check, its failing keys (for KPI gating and the Data quality page), results over time
and the work items the checks raised."""

from __future__ import annotations

from datetime import date

import polars as pl
from sqlalchemy import BigInteger, func, select, type_coerce

from metrics.gating import KEY_SCHEMA
from rcmwatch.store.engine import Store
from rcmwatch.store.models import DqFailingKey, DqResult, DqRun, WorkItem


def _latest_result_ids(judged_only: bool = False):
    """Each check's newest result; ``judged_only`` skips results of runs where the check could
    not run (an error says nothing about the data, so the previous verdict stands)."""
    q = select(func.max(DqResult.id).label("id"))
    if judged_only:
        q = q.where(DqResult.errored.is_(False))
    return q.group_by(DqResult.check_id).scalar_subquery()


def latest_results(store: Store) -> pl.DataFrame:
    """One row per check: its most recent stored result (full or incremental run)."""
    q = (
        select(
            DqResult.id.label("result_id"),
            DqResult.check_id,
            DqResult.suite,
            DqResult.table_name,
            DqResult.severity,
            DqResult.blocking,
            DqResult.success,
            DqResult.errored,
            DqResult.element_count,
            DqResult.unexpected_count,
            type_coerce(DqResult.__table__.c.unexpected_amount, BigInteger).label(
                "unexpected_amount_cents"
            ),
            DqResult.evidence,
            DqResult.error,
            DqRun.started_at,
            DqRun.mode,
        )
        .join(DqRun, DqRun.id == DqResult.run_id)
        .where(DqResult.id.in_(_latest_result_ids()))
        .order_by(DqResult.suite, DqResult.check_id)
    )
    with store.read() as conn:
        rows = [dict(r._mapping) for r in conn.execute(q)]
    return pl.DataFrame(rows, infer_schema_length=None) if rows else pl.DataFrame()


def latest_failing_keys(store: Store) -> pl.DataFrame:
    """Failing keys of each check's latest result that failed (errored checks judge nothing)."""
    q = (
        select(
            DqResult.check_id,
            DqResult.blocking,
            DqFailingKey.facility_id,
            DqFailingKey.payer_id,
            DqFailingKey.period,
        )
        .join(DqResult, DqResult.id == DqFailingKey.result_id)
        .where(DqResult.id.in_(_latest_result_ids(judged_only=True)), DqResult.success.is_(False))
    )
    with store.read() as conn:
        rows = conn.execute(q).all()
    return pl.DataFrame([tuple(r) for r in rows], schema=KEY_SCHEMA, orient="row")


def failing_rows(store: Store, check_id: str, limit: int = 1000) -> pl.DataFrame:
    """The stored failing keys of a check's latest result (the drill-down)."""
    q = (
        select(
            DqFailingKey.row_key,
            DqFailingKey.facility_id,
            DqFailingKey.payer_id,
            DqFailingKey.period,
        )
        .join(DqResult, DqResult.id == DqFailingKey.result_id)
        .where(DqResult.id.in_(_latest_result_ids()), DqResult.check_id == check_id)
        .order_by(DqFailingKey.id)
        .limit(limit)
    )
    with store.read() as conn:
        rows = [dict(r._mapping) for r in conn.execute(q)]
    return pl.DataFrame(rows, infer_schema_length=None) if rows else pl.DataFrame()


def history(store: Store, since: date | None = None) -> pl.DataFrame:
    """Failing rows per check per run over time."""
    q = select(
        DqRun.started_at, DqRun.mode, DqResult.check_id, DqResult.unexpected_count,
        DqResult.blocking, DqResult.errored,
    ).join(DqRun, DqRun.id == DqResult.run_id)  # fmt: skip
    if since is not None:
        q = q.where(DqRun.started_at >= since)
    with store.read() as conn:
        rows = [dict(r._mapping) for r in conn.execute(q.order_by(DqRun.started_at))]
    return pl.DataFrame(rows, infer_schema_length=None) if rows else pl.DataFrame()


def dq_work_items(store: Store) -> pl.DataFrame:
    """Work items raised or adopted by the checks."""
    q = select(
        WorkItem.id, WorkItem.check_id, WorkItem.stage, WorkItem.status, WorkItem.subject_type,
        WorkItem.subject_key, WorkItem.facility_id, WorkItem.payer_id, WorkItem.opened_at,
        WorkItem.due_at, WorkItem.assignee, WorkItem.resolved_at,
    ).where(WorkItem.check_id.is_not(None))  # fmt: skip
    with store.read() as conn:
        rows = [dict(r._mapping) for r in conn.execute(q.order_by(WorkItem.id))]
    return pl.DataFrame(rows, infer_schema_length=None) if rows else pl.DataFrame()
