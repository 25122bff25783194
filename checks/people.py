"""People and balances suite: duplicate patients and old credit balances."""

from __future__ import annotations

from datetime import timedelta

from checks.catalog import Check, SqlContext, register
from checks.sql import day_of, ts

CREDIT_AGE = timedelta(days=30)


_IDENTITY = (
    "COALESCE('mrn:' || NULLIF(TRIM(mrn), ''), 'member:' || UPPER(NULLIF(TRIM(member_id), '')), "
    "'record:' || CAST(patient_id AS TEXT))"
)


def _duplicate_failing(ctx: SqlContext) -> str:
    # Patient keys come from MRN or member id per payer, never from name + birth date
    # (DESIGN.md), so the same person registered under two identities shows up here. The same
    # member id at two payers is one person known to both (Medicare Part A and Part B bill under
    # one MBI), not a second registration: a group counts its distinct identities, where an
    # identity is the MRN, else the member id, else the patient record itself. Incremental runs
    # group only the
    # names of patients in scope (new ones and those failing before), then report every patient
    # in those groups — old ones included.
    touched = ""
    if ctx.scope != "1 = 1":
        touched = f"""
    AND (lower(last_name), lower(first_name), birth_date) IN (
      SELECT lower(p2.last_name), lower(p2.first_name), p2.birth_date
      FROM patient_phi p2 JOIN t ON t.id = p2.patient_id WHERE ({ctx.scope}))"""
    return f"""
WITH t AS (SELECT * FROM {{batch}}),
same AS (
  SELECT lower(last_name) AS ln, lower(first_name) AS fn, birth_date AS bd
  FROM patient_phi
  WHERE last_name IS NOT NULL AND first_name IS NOT NULL AND birth_date IS NOT NULL{touched}
  GROUP BY lower(last_name), lower(first_name), birth_date
  HAVING COUNT(DISTINCT {_IDENTITY}) > 1
)
SELECT t.id AS row_id, t.patient_key AS row_key, NULL AS facility_id, NULL AS payer_id,
       NULL AS period, NULL AS amount_cents
FROM t JOIN patient_phi ph ON ph.patient_id = t.id
JOIN same ON same.ln = lower(ph.last_name) AND same.fn = lower(ph.first_name)
          AND same.bd = ph.birth_date
"""


register(
    Check(
        id="duplicate_patient",
        suite="people",
        table="patient",
        severity="warn",
        threshold=0.01,
        basis="rows",
        owner="patient access (HIM)",
        description="Patients sharing last name, first name and birth date under different "
        "identities (different MRNs or member ids): likely one person registered twice. One member "
        "id at two payers (Medicare Part A and B share the MBI) is one person, not a duplicate.",
        guards=("patient",),
        failing_sql=_duplicate_failing,
        population_sql=lambda ctx: "SELECT COUNT(*) AS n, 0 AS cents FROM patient",
        noun="patients",
    )
)


def _credit_failing(ctx: SqlContext) -> str:
    cutoff = ts(ctx, ctx.as_of - CREDIT_AGE)
    since = "COALESCE(t.last_activity_at, CAST(t.opened_on AS TIMESTAMP))"
    if ctx.dialect == "sqlite":
        since = "COALESCE(t.last_activity_at, t.opened_on || ' 00:00:00.000000')"
    return f"""
WITH t AS (SELECT * FROM {{batch}})
SELECT t.id AS row_id, t.source || ':' || t.source_key AS row_key, t.facility_id AS facility_id,
       t.payer_id AS payer_id, {day_of(ctx, since)} AS period, -t.balance_cents AS amount_cents
FROM t
WHERE ({ctx.scope}) AND t.removed_at_source IS NULL AND t.balance_cents < 0
  AND {since} < {cutoff}
  AND NOT EXISTS (
    SELECT 1 FROM work_item w
    WHERE (w.type = 'refund' OR w.exception_type = 'refund')
      AND ((w.subject_type = 'receivable' AND w.subject_key = t.source_key)
           OR (w.subject_type = 'claim' AND w.subject_key = t.pcn)))
"""


register(
    Check(
        id="negative_ar",
        suite="people",
        table="receivable",
        severity="error",
        threshold=0.0,
        basis="dollars",
        owner="patient financial services (refunds)",
        description="Credit balances (ERP receivable < 0) older than 30 days with no refund work "
        "item (KPI.md §3); age from the receivable's last activity, else its opening.",
        guards=("receivable", "posting", "payment"),
        failing_sql=_credit_failing,
        population_sql=lambda ctx: (
            "SELECT COUNT(*) AS n, COALESCE(SUM(ABS(balance_cents)), 0) AS cents "
            "FROM receivable WHERE removed_at_source IS NULL"
        ),
        work_item=True,
        incremental=False,  # balances age with the clock
        noun="receivables",
    )
)
