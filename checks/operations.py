"""Operations suite: payers nobody mapped, overdue unassigned work, duplicate interchanges."""

from __future__ import annotations

from checks.catalog import Check, SqlContext, register
from checks.sql import day_of, file_key, ts


def _payer_failing(ctx: SqlContext) -> str:
    # Ingest adds a payer id it does not know (so nothing is lost) and marks it for mapping;
    # such a payer has no class, so payer-class cuts put its money under "other".
    return f"""
WITH t AS (SELECT * FROM {{batch}})
SELECT t.id AS row_id, t.code AS row_key, NULL AS facility_id, t.id AS payer_id,
       NULL AS period, NULL AS amount_cents
FROM t
WHERE ({ctx.scope}) AND t.origin <> 'seed' AND t.needs_mapping
"""


register(
    Check(
        id="payer_not_in_table",
        suite="operations",
        table="payer",
        severity="warn",
        threshold=0.0,
        basis="rows",
        owner="revenue-cycle systems (payer master)",
        description="Payer ids that arrived in claims or remits and are not in the payer table "
        "(added by ingest, awaiting mapping to a payer and payer class).",
        guards=("payer",),
        failing_sql=_payer_failing,
        population_sql=lambda ctx: "SELECT COUNT(*) AS n, 0 AS cents FROM payer",
        incremental=False,
        noun="payers",
    )
)


def _overdue_failing(ctx: SqlContext) -> str:
    now = ts(ctx, ctx.as_of)
    return f"""
WITH t AS (SELECT * FROM {{batch}})
SELECT t.id AS row_id, t.source || ':' || t.source_key AS row_key, t.facility_id AS facility_id,
       t.payer_id AS payer_id, {day_of(ctx, "t.due_at")} AS period, t.amount_cents AS amount_cents
FROM t
WHERE ({ctx.scope}) AND t.status <> 'closed' AND t.removed_at_source IS NULL
  AND t.due_at < {now} AND (t.assignee IS NULL OR t.assignee = '')
"""


register(
    Check(
        id="work_item_overdue_unassigned",
        suite="operations",
        table="work_item",
        severity="warn",
        threshold=0.10,
        basis="rows",
        owner="revenue-cycle operations",
        description="Open work items past their due time with nobody assigned.",
        guards=("work_item",),
        failing_sql=_overdue_failing,
        population_sql=lambda ctx: (
            "SELECT COUNT(*) AS n, COALESCE(SUM(ABS(amount_cents)), 0) AS cents FROM work_item "
            "WHERE status <> 'closed' AND removed_at_source IS NULL"
        ),
        incremental=False,
        noun="open work items",
    )
)


def _control_failing(ctx: SqlContext) -> str:
    return f"""
WITH t AS (SELECT * FROM {{batch}})
SELECT t.id AS row_id, {file_key()} || ':' || t.seq AS row_key, NULL AS facility_id,
       NULL AS payer_id, {day_of(ctx, "f.received_at")} AS period, NULL AS amount_cents
FROM t JOIN inbound_file f ON f.id = t.inbound_file_id
WHERE ({ctx.scope}) AND EXISTS (
  SELECT 1 FROM interchange o
  WHERE o.sender_id = t.sender_id AND o.receiver_id = t.receiver_id
    AND o.control_number = t.control_number AND o.id <> t.id)
"""


register(
    Check(
        id="duplicate_control_number",
        suite="operations",
        table="interchange",
        severity="error",
        threshold=0.0,
        basis="rows",
        owner="integration ops",
        description="Interchanges (ISA) repeating another's sender, receiver and control number "
        "in a different place: a resent or mis-numbered file.",
        guards=("submission", "remit_transaction", "ack_set", "claim_status"),
        failing_sql=_control_failing,
        population_sql=lambda ctx: "SELECT COUNT(*) AS n, 0 AS cents FROM interchange",
        work_item=True,
        incremental=False,  # a new file makes an old one a duplicate
        noun="interchanges",
    )
)
