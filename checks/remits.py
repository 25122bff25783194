"""Remit suite (835): balancing at transaction, claim and line level, remits without a claim.

Balancing is recomputed from the amounts as sent — never read from the ``balanced`` flags ingest
stores — so a check catches what ingest missed or a later correction broke.
"""

from __future__ import annotations

from checks.catalog import Check, SqlContext, register
from checks.sql import day_literal, file_key

_REMIT_GUARDS = ("remit_transaction", "claim_payment")


def _transaction_failing(ctx: SqlContext) -> str:
    return f"""
WITH t AS (SELECT * FROM {{batch}})
SELECT t.id AS row_id, {file_key()} || ':' || t.seq AS row_key, NULL AS facility_id,
       t.payer_id AS payer_id, t.production_date AS period, t.payment_cents AS amount_cents
FROM t JOIN inbound_file f ON f.id = t.inbound_file_id
WHERE ({ctx.scope}) AND NOT t.is_test
  AND t.payment_cents <>
      (SELECT COALESCE(SUM(c.paid_cents), 0) FROM claim_payment c
        WHERE c.remit_transaction_id = t.id)
    - (SELECT COALESCE(SUM(p.amount_cents), 0) FROM provider_adjustment p
        WHERE p.remit_transaction_id = t.id)
"""


def _transaction_population(ctx: SqlContext) -> str:
    return (
        "SELECT COUNT(*) AS n, COALESCE(SUM(ABS(payment_cents)), 0) AS cents "
        "FROM remit_transaction WHERE NOT is_test"
    )


register(
    Check(
        id="remit_transaction_balanced",
        suite="remits",
        table="remit_transaction",
        severity="error",
        threshold=0.0,
        basis="rows",
        owner="cash posting",
        description="835 transaction balances: BPR02 = ΣCLP04 − ΣPLB, to the cent.",
        guards=_REMIT_GUARDS,
        failing_sql=_transaction_failing,
        population_sql=_transaction_population,
        work_item=True,
        noun="remit transactions",
    )
)


def _claim_failing(ctx: SqlContext) -> str:
    return f"""
WITH t AS (SELECT * FROM {{batch}})
SELECT t.id AS row_id, {file_key()} || ':' || r.seq || ':' || t.seq AS row_key,
       c.facility_id AS facility_id, COALESCE(t.payer_id, r.payer_id) AS payer_id,
       r.production_date AS period, t.charge_cents AS amount_cents
FROM t JOIN remit_transaction r ON r.id = t.remit_transaction_id
JOIN inbound_file f ON f.id = r.inbound_file_id
LEFT JOIN claim c ON c.id = t.claim_id
WHERE ({ctx.scope}) AND NOT r.is_test
  AND t.charge_cents - t.paid_cents <>
      (SELECT COALESCE(SUM(a.amount_cents), 0) FROM adjustment a
        WHERE a.claim_payment_id = t.id)
"""


def _claim_population(ctx: SqlContext) -> str:
    return (
        "SELECT COUNT(*) AS n, COALESCE(SUM(ABS(t.charge_cents)), 0) AS cents "
        "FROM claim_payment t JOIN remit_transaction r ON r.id = t.remit_transaction_id "
        "WHERE NOT r.is_test"
    )


register(
    Check(
        id="remit_claim_balanced",
        suite="remits",
        table="claim_payment",
        severity="error",
        threshold=0.0,
        basis="rows",
        owner="cash posting",
        description="835 claim balances: CLP03 − CLP04 = claim-level CAS + every line's CAS.",
        guards=_REMIT_GUARDS,
        failing_sql=_claim_failing,
        population_sql=_claim_population,
        work_item=True,
        noun="claim payments",
    )
)


def _line_failing(ctx: SqlContext) -> str:
    return f"""
WITH t AS (SELECT * FROM {{batch}})
SELECT t.id AS row_id,
       {file_key()} || ':' || r.seq || ':' || cp.seq || ':' || t.seq AS row_key,
       c.facility_id AS facility_id, COALESCE(cp.payer_id, r.payer_id) AS payer_id,
       r.production_date AS period, t.charge_cents AS amount_cents
FROM t JOIN claim_payment cp ON cp.id = t.claim_payment_id
JOIN remit_transaction r ON r.id = cp.remit_transaction_id
JOIN inbound_file f ON f.id = r.inbound_file_id
LEFT JOIN claim c ON c.id = cp.claim_id
WHERE ({ctx.scope}) AND NOT r.is_test
  AND t.charge_cents - t.paid_cents <>
      (SELECT COALESCE(SUM(a.amount_cents), 0) FROM adjustment a
        WHERE a.claim_payment_id = t.claim_payment_id AND a.service_line_payment_id = t.id)
"""


def _line_population(ctx: SqlContext) -> str:
    return (
        "SELECT COUNT(*) AS n, COALESCE(SUM(ABS(t.charge_cents)), 0) AS cents "
        "FROM service_line_payment t JOIN claim_payment cp ON cp.id = t.claim_payment_id "
        "JOIN remit_transaction r ON r.id = cp.remit_transaction_id WHERE NOT r.is_test"
    )


register(
    Check(
        id="remit_line_balanced",
        suite="remits",
        table="service_line_payment",
        severity="warn",
        threshold=0.01,
        basis="rows",
        owner="cash posting",
        description="835 service line balances: SVC02 − SVC03 = that line's CAS (a warning, as "
        "in `edi inspect`: the claim-level check decides postability).",
        guards=_REMIT_GUARDS,
        failing_sql=_line_failing,
        population_sql=_line_population,
        noun="service line payments",
    )
)


def _pre_watch(ctx: SqlContext) -> str:
    """True when the remit's source has a watch start and the claim's service began before it
    (from the setting, else the source's stored ``watch_start``)."""
    cases = " ".join(
        f"WHEN '{source}' THEN {day_literal(ctx, day)}"
        for source, day in sorted(ctx.watch_start.items())
    )
    start = "ss.watch_start"
    if cases:
        start = f"COALESCE(CASE f.source {cases} END, ss.watch_start)"
    return f"(t.service_from IS NOT NULL AND t.service_from < {start})"


def _unmatched_failing(ctx: SqlContext) -> str:
    return f"""
WITH t AS (SELECT * FROM {{batch}})
SELECT t.id AS row_id, {file_key()} || ':' || r.seq || ':' || t.seq AS row_key,
       NULL AS facility_id, COALESCE(t.payer_id, r.payer_id) AS payer_id,
       r.production_date AS period, t.charge_cents AS amount_cents
FROM t JOIN remit_transaction r ON r.id = t.remit_transaction_id
JOIN inbound_file f ON f.id = r.inbound_file_id
LEFT JOIN source_state ss ON ss.source = f.source
WHERE ({ctx.scope}) AND NOT r.is_test AND NOT t.is_reversal
  AND t.claim_id IS NULL
  AND NOT EXISTS (SELECT 1 FROM claim c WHERE c.pcn = t.pcn)
  AND NOT COALESCE({_pre_watch(ctx)}, FALSE)
"""


def _unmatched_population(ctx: SqlContext) -> str:
    return (
        "SELECT COUNT(*) AS n, COALESCE(SUM(ABS(t.charge_cents)), 0) AS cents "
        "FROM claim_payment t JOIN remit_transaction r ON r.id = t.remit_transaction_id "
        "WHERE NOT r.is_test AND NOT t.is_reversal"
    )


register(
    Check(
        id="remit_without_claim",
        suite="remits",
        table="claim_payment",
        severity="error",
        threshold=0.05,
        basis="rows",
        owner="cash posting",
        description="Claim payments whose CLP01 matches no 837 claim (reversals excluded; remits "
        "for claims served before the source's watch start are pre-watch, not failures).",
        guards=_REMIT_GUARDS,
        failing_sql=_unmatched_failing,
        population_sql=_unmatched_population,
        work_item=True,
        noun="claim payments",
    )
)
