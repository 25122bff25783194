"""Claim suite (837 and acknowledgments): acknowledgments overdue, NPI check digits, code
formats, patient control numbers unique per submission, service dates."""

from __future__ import annotations

from datetime import timedelta

from checks.catalog import Check, FrameRule, SqlContext, register
from checks.rules import CPT_HCPCS, ICD10_CM, ICD10_QUALIFIERS, REVENUE_CODE, npi_luhn_sql
from checks.sql import day_literal, day_of, digits, file_key, ts

_CLAIM_GUARDS = ("claim", "claim_version", "submission")
ACK_WAIT = timedelta(hours=48)


def _version_key() -> str:
    return f"{file_key()} || ':' || s.seq || ':' || t.seq"


_VERSION_JOINS = """
JOIN submission s ON s.id = t.submission_id
JOIN inbound_file f ON f.id = s.inbound_file_id
JOIN claim c ON c.id = t.claim_id"""


def _version_select(amount: str = "t.charge_cents") -> str:
    return f"""SELECT t.id AS row_id, {_version_key()} AS row_key, t.facility_id AS facility_id,
       t.payer_id AS payer_id, {{day}} AS period, {amount} AS amount_cents"""


def _versions(ctx: SqlContext, condition: str) -> str:
    select = _version_select().replace("{day}", day_of(ctx, "s.submitted_at"))
    return f"""
WITH t AS (SELECT * FROM {{batch}})
{select}
FROM t {_VERSION_JOINS}
WHERE ({ctx.scope}) AND NOT s.is_test AND ({condition})
"""


def _versions_population(ctx: SqlContext) -> str:
    return (
        "SELECT COUNT(*) AS n, COALESCE(SUM(ABS(t.charge_cents)), 0) AS cents FROM claim_version t "
        "JOIN submission s ON s.id = t.submission_id WHERE NOT s.is_test"
    )


# --- acknowledgments ------------------------------------------------------------------------


def _no_ack_failing(ctx: SqlContext) -> str:
    cutoff = ts(ctx, ctx.as_of - ACK_WAIT)
    return f"""
WITH t AS (SELECT * FROM {{batch}})
SELECT t.id AS row_id, t.pcn AS row_key, t.facility_id AS facility_id, t.payer_id AS payer_id,
       {day_of(ctx, "t.first_submitted_at")} AS period,
       (SELECT v.charge_cents FROM claim_version v WHERE v.claim_id = t.id
         AND v.submission_id = t.first_submission_id ORDER BY v.seq LIMIT 1) AS amount_cents
FROM t
WHERE ({ctx.scope}) AND NOT t.is_test AND t.first_submission_id IS NOT NULL
  AND t.first_submitted_at < {cutoff}
  AND NOT EXISTS (SELECT 1 FROM claim_version v JOIN ack_link l ON l.submission_id = v.submission_id
                   WHERE v.claim_id = t.id)
  AND NOT EXISTS (SELECT 1 FROM claim_status cs WHERE cs.claim_id = t.id)
"""


def _no_ack_population(ctx: SqlContext) -> str:
    cutoff = ts(ctx, ctx.as_of - ACK_WAIT)
    return (
        "SELECT COUNT(*) AS n, 0 AS cents FROM claim t WHERE NOT t.is_test "
        f"AND t.first_submission_id IS NOT NULL AND t.first_submitted_at < {cutoff}"
    )


register(
    Check(
        id="claim_without_ack",
        suite="claims",
        table="claim",
        severity="error",
        threshold=0.02,
        basis="rows",
        owner="billing office (clearinghouse liaison)",
        description="Claims first submitted more than 48 hours before as-of with no 999 or 277CA "
        "answer for any of their submissions.",
        guards=("claim", "submission", "ack_set", "claim_status"),
        failing_sql=_no_ack_failing,
        population_sql=_no_ack_population,
        work_item=True,
        # As the clock moves, claims cross the 48-hour line: re-checked when they do.
        window_column="first_submitted_at",
        window=ACK_WAIT,
        noun="claims",
    )
)

# --- NPI ------------------------------------------------------------------------------------


def _npi_bad(ctx: SqlContext, column: str) -> str:
    return (
        f"(t.{column} IS NOT NULL AND NOT ({digits(ctx, f't.{column}', 10)} "
        f"AND {npi_luhn_sql(f't.{column}')}))"
    )


def _npi_failing(ctx: SqlContext) -> str:
    bad = " OR ".join(
        _npi_bad(ctx, col) for col in ("billing_npi", "service_facility_npi", "pay_to_npi")
    )
    return _versions(ctx, bad)


register(
    Check(
        id="npi_check_digit",
        suite="claims",
        table="claim_version",
        severity="error",
        threshold=0.01,
        basis="rows",
        owner="provider enrollment",
        description="Billing, pay-to and service facility NPIs are 10 digits with a valid Luhn "
        "check digit (computed with the 80840 prefix).",
        guards=_CLAIM_GUARDS,
        failing_sql=_npi_failing,
        population_sql=_versions_population,
        work_item=True,
        noun="claim versions",
    )
)

# --- code formats (frames: SQLite has no regular expressions) -------------------------------


def _diagnosis_rows(ctx: SqlContext) -> str:
    qualifiers = ", ".join(f"'{q}'" for q in ICD10_QUALIFIERS)
    return f"""
SELECT d.id AS row_id,
       {file_key()} || ':' || s.seq || ':' || v.seq || ':' || 'dx' || d.seq AS row_key,
       v.facility_id AS facility_id, v.payer_id AS payer_id,
       {day_of(ctx, "s.submitted_at")} AS period, CAST(NULL AS BIGINT) AS amount_cents,
       d.code AS value
FROM diagnosis d JOIN claim_version v ON v.id = d.claim_version_id
JOIN submission s ON s.id = v.submission_id JOIN inbound_file f ON f.id = s.inbound_file_id
WHERE ({ctx.scope.replace("t.", "d.")}) AND NOT s.is_test AND d.qualifier IN ({qualifiers})
"""


def _line_rows(ctx: SqlContext, condition: str, value: str) -> str:
    return f"""
SELECT l.id AS row_id,
       {file_key()} || ':' || s.seq || ':' || v.seq || ':' || l.line_number AS row_key,
       v.facility_id AS facility_id, v.payer_id AS payer_id,
       {day_of(ctx, "s.submitted_at")} AS period, l.charge_cents AS amount_cents, {value} AS value
FROM claim_line l JOIN claim_version v ON v.id = l.claim_version_id
JOIN submission s ON s.id = v.submission_id JOIN inbound_file f ON f.id = s.inbound_file_id
WHERE ({ctx.scope.replace("t.", "l.")}) AND NOT s.is_test AND ({condition})
"""


register(
    Check(
        id="icd10_format",
        suite="claims",
        table="diagnosis",
        severity="error",
        threshold=0.01,
        basis="rows",
        owner="coding",
        description="ICD-10-CM diagnosis codes (qualifiers ABK, ABF, ABJ, APR, ABN) are well "
        "formed: a letter other than U, a digit, an alphanumeric, then up to 4 more.",
        guards=_CLAIM_GUARDS,
        frame=FrameRule(_diagnosis_rows, "value", ICD10_CM),
        work_item=True,
        noun="diagnoses",
    )
)
register(
    Check(
        id="cpt_hcpcs_format",
        suite="claims",
        table="claim_line",
        severity="error",
        threshold=0.01,
        basis="rows",
        owner="coding",
        description="Procedure codes qualified HC are CPT (5 digits, or 4 digits + F/T/U) or "
        "HCPCS level II (a letter A-V + 4 digits).",
        guards=_CLAIM_GUARDS,
        frame=FrameRule(
            lambda ctx: _line_rows(
                ctx,
                "l.procedure_code IS NOT NULL AND COALESCE(l.procedure_qualifier, 'HC') = 'HC'",
                "l.procedure_code",
            ),
            "value",
            CPT_HCPCS,
        ),
        work_item=True,
        noun="claim lines",
    )
)
register(
    Check(
        id="revenue_code_format",
        suite="claims",
        table="claim_line",
        severity="error",
        threshold=0.01,
        basis="rows",
        owner="coding",
        description="Revenue codes on institutional lines are 4 digits (e.g. 0450).",
        guards=_CLAIM_GUARDS,
        frame=FrameRule(
            lambda ctx: _line_rows(ctx, "l.revenue_code IS NOT NULL", "l.revenue_code"),
            "value",
            REVENUE_CODE,
        ),
        work_item=True,
        noun="claim lines",
    )
)

# --- uniqueness and dates -------------------------------------------------------------------


def _pcn_failing(ctx: SqlContext) -> str:
    return _versions(
        ctx,
        "EXISTS (SELECT 1 FROM claim_version o WHERE o.claim_id = t.claim_id "
        "AND o.submission_id = t.submission_id AND o.id <> t.id)",
    )


register(
    Check(
        id="pcn_unique_per_submission",
        suite="claims",
        table="claim_version",
        severity="error",
        threshold=0.0,
        basis="rows",
        owner="billing office",
        description="A patient control number (CLM01) appears once per 837 transaction set "
        "(custom SQL: GX's compound-unique expectation returns no keys on SQL sources).",
        guards=_CLAIM_GUARDS,
        failing_sql=_pcn_failing,
        population_sql=_versions_population,
        work_item=True,
        noun="claim versions",
    )
)


def _future_failing(ctx: SqlContext) -> str:
    today = day_literal(ctx, ctx.as_of.date())
    return _versions(
        ctx, f"t.service_from > {today} OR (t.service_to IS NOT NULL AND t.service_to > {today})"
    )


register(
    Check(
        id="service_date_future",
        suite="claims",
        table="claim_version",
        severity="error",
        threshold=0.0,
        basis="rows",
        owner="billing office",
        description="Claim service dates (from or to) after the as-of day.",
        guards=_CLAIM_GUARDS,
        failing_sql=_future_failing,
        population_sql=_versions_population,
        work_item=True,
        # A moving clock only turns failing rows (re-checked) into passing ones.
        noun="claim versions",
    )
)


def _before_birth_failing(ctx: SqlContext) -> str:
    return _versions(
        ctx,
        "EXISTS (SELECT 1 FROM patient_phi ph WHERE ph.patient_id = t.patient_id "
        "AND ph.birth_date IS NOT NULL AND t.service_from < ph.birth_date)",
    )


register(
    Check(
        id="service_before_birth",
        suite="claims",
        table="claim_version",
        severity="error",
        threshold=0.0,
        basis="rows",
        owner="patient access",
        description="Claims whose service starts before the patient's birth date.",
        guards=_CLAIM_GUARDS,
        failing_sql=_before_birth_failing,
        population_sql=_versions_population,
        work_item=True,
        noun="claim versions",
    )
)
