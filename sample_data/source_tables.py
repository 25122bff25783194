"""The source systems' tables: what the integration engine, the workflow system and the ERP keep,
column by column. One declaration feeds the SQLite schemas under ``sources/``, the CSV exports
under ``exports/`` and the documentation (``SOURCES.md`` is checked against it in the tests).

Conventions for every table: a stable text primary key (the first column), an ``updated_at``
(the last time the row changed at the source; collectors poll on it), timestamps as ISO 8601
``YYYY-MM-DDTHH:MM:SS`` in UTC, dates as ``YYYY-MM-DD``, money as signed integer cents in
``*_cents`` columns, empty = null.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # TEXT | INTEGER | REAL
    doc: str


@dataclass(frozen=True)
class Table:
    system: str  # engine | workflow | erp
    name: str
    doc: str
    columns: tuple[Column, ...]

    @property
    def key(self) -> str:
        return self.columns[0].name

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)


def _c(name: str, doc: str, type_: str = "TEXT") -> Column:
    return Column(name, type_, doc)


def _i(name: str, doc: str) -> Column:
    return Column(name, "INTEGER", doc)


UPDATED = _c("updated_at", "last change of the row at the source (incremental polling)")

MESSAGE_LOG = Table("engine", "message_log", "The integration engine's message log: one row per "
    "message, updated as it is retried, dead-lettered or republished.", (
    _c("message_id", "engine message id (primary key)"),
    _c("interface", "adt_in | dft_charges | claims_out | acks_in | era_in | gl_export"),
    _c("direction", "in | out"),
    _c("queue", "queue the message was consumed from"),
    _c("exchange", "exchange it was published to"),
    _c("routing_key", "routing key"),
    _c("message_type", "ADT^A04, DFT^P03, X12-837, X12-999, X12-277, X12-835, GL-BATCH"),
    _c("control_id", "HL7 MSH-10 or the file name"),
    _c("subject_type", "claim | account | file"),
    _c("subject_key", "patient control number, self-pay account or file name"),
    _c("facility_code", "facility (reference/facilities.csv)"),
    _c("status", "processed | failed | dead_lettered"),
    _c("error_signature", "normalised error of the last failed attempt"),
    _c("error_text", "raw error text of the last failed attempt"),
    _i("attempts", "delivery attempts so far"),
    _c("created_at", "when the engine received the message"),
    _c("last_attempt_at", "last delivery attempt"),
    _c("completed_at", "when it was processed (after republishing for dead letters)"),
    _c("dead_lettered_at", "when it went to the dead-letter queue"),
    _c("republished_at", "when an operator republished it"),
    UPDATED,
))  # fmt: skip

WORK_ITEM = Table("workflow", "work_item", "Exception work items of the central business office.", (
    _c("work_item_id", "primary key"),
    _c("type", "what must be done, e.g. scrubber_hold, claim_rejected, denial, manual_posting"),
    _c("stage", "pre_bill | front_end_reject | denial | posting | interface | data_quality"),
    _c("exception_type", "finer reason: the rule, the rejection code or the denial category"),
    _c("subject_type", "claim | remit | message"),
    _c("subject_key", "claim: patient control number; remit: erp remit_import_id; "
                      "message: engine message_id"),
    _c("facility_code", "facility of the subject"),
    _c("payer_code", "payer of the subject, if any"),
    _i("amount_cents", "dollars at stake"),
    _c("opened_at", "when the item was created"),
    _c("due_at", "SLA due time"),
    _c("assignee", "user working it (empty = unassigned)"),
    _c("status", "open | in_progress | closed"),
    _c("resolved_at", "when it was closed"),
    _c("resolved_by", "user or automation that closed it"),
    _c("resolution", "resubmitted | corrected_claim | appealed | written_off | posted_manually | "
                     "released | republished | fixed | takeback_accepted"),
    UPDATED,
))  # fmt: skip

AUTOMATED_DECISION = Table("workflow", "automated_decision", "Decisions of rules and models.", (
    _c("decision_id", "primary key"),
    _c("decider_kind", "rule | model"),
    _c("decider_id", "rule or model name (decider_version.name)"),
    _c("decider_version", "version in force when it decided"),
    _c("subject_type", "claim | account"),
    _c("subject_key", "patient control number or account"),
    _c("work_item_id", "work item the decision opened or routed, if any"),
    _c("decision", "hold | appeal | corrected_claim | write_off"),
    Column("confidence", "REAL", "model confidence in [0, 1]; 1 for rules"),
    _c("decided_at", "decision time"),
    _c("facility_code", "facility of the subject"),
    _c("exception_type", "what the decision is about (rule reason or denial category)"),
    UPDATED,
))  # fmt: skip

OVERRIDE = Table("workflow", "override", "People reversing or changing automated decisions.", (
    _c("override_id", "primary key"),
    _c("decision_id", "automated_decision.decision_id"),
    _c("user_name", "who overrode (reference/users.csv)"),
    _c("previous_outcome", "the automated decision"),
    _c("new_outcome", "what the person decided instead"),
    _c("reason_code", "FALSE_POSITIVE | PAYER_POLICY | CLINICAL_REVIEW | PATIENT_HARDSHIP | "
                      "DOCUMENTATION_FOUND | OTHER"),
    _c("overridden_at", "when"),
    UPDATED,
))  # fmt: skip

DECIDER_VERSION = Table("workflow", "decider_version", "Versions of rules and models.", (
    _c("decider_version_id", "primary key: kind:name:version"),
    _c("kind", "rule | model"),
    _c("name", "rule or model name"),
    _c("version", "version"),
    _c("content_hash", "SHA-256 of the rule/model content"),
    _c("author", "who wrote it"),
    _c("approver", "who approved it"),
    _c("effective_from", "first day it decides"),
    _c("description", "what it does"),
    UPDATED,
))  # fmt: skip

RECEIVABLE = Table("erp", "receivable", "Accounts receivable: one row per claim and kind "
    "(insurance or patient); balance = Σ posting.amount_cents − Σ write_off.amount_cents of "
    "that row.", (
    _c("receivable_id", "primary key: <pcn>-I (insurance) or <pcn>-P (patient)"),
    _c("pcn", "patient control number (837 CLM01) or self-pay account"),
    _c("kind", "insurance | patient"),
    _c("facility_code", "facility of the claim"),
    _c("payer_code", "payer (SELF for patient balances)"),
    _c("patient_mrn", "MRN of the patient"),
    _c("service_date", "first date of service"),
    _c("opened_on", "date the charge (or the first patient transfer) was posted"),
    _i("charge_cents", "original charge (insurance rows and self-pay accounts)"),
    _i("balance_cents", "balance at the as-of date"),
    _c("status", "open | closed | credit"),
    _c("last_activity_at", "last posting or write-off"),
    UPDATED,
))  # fmt: skip

REMIT_IMPORT = Table("erp", "remit_import", "ERA (835) claim payments imported for posting; "
    "status 'unposted' is the ERP's unposted-remits list.", (
    _c("remit_import_id", "primary key"),
    _c("file_name", "835 file (clearinghouse/inbound)"),
    _c("trace_number", "TRN02 of the 835 transaction (the EFT or check number)"),
    _c("payer_code", "payer (reference/payers.csv)"),
    _c("payer_id_835", "payer id as sent in the 835"),
    _c("facility_code", "facility of the claim"),
    _c("pcn", "CLP01"),
    _c("clp_status", "CLP02"),
    _c("payer_claim_number", "CLP07"),
    _i("charge_cents", "CLP03"),
    _i("paid_cents", "CLP04"),
    _i("patient_resp_cents", "CLP05"),
    _c("production_date", "DTM*405 of the 835"),
    _c("received_at", "when the 835 file arrived"),
    _c("status", "posted | unposted"),
    _c("posted_at", "when it was posted"),
    _i("is_manual", "1 when a person posted it"),
    UPDATED,
))  # fmt: skip

POSTING = Table("erp", "posting", "Transactions against receivables (signed: + increases the "
    "balance). Write-offs are in write_off.", (
    _c("posting_id", "primary key"),
    _c("receivable_id", "receivable.receivable_id"),
    _c("pcn", "patient control number"),
    _c("remit_import_id", "remit_import row it came from (remit postings)"),
    _c("remit_trace_number", "835 TRN02"),
    _c("payer_code", "payer"),
    _c("facility_code", "facility"),
    _c("kind", "charge | payment | adjustment | transfer | reversal | takeback"),
    _c("group_code", "CAS group for adjustments (CO, OA, PI; PR on transfers; SP self-pay "
                     "discount)"),
    _c("carc", "CARC for adjustments"),
    _i("amount_cents", "signed effect on the receivable's balance"),
    _c("posted_at", "posting time"),
    _i("is_manual", "1 when a person posted it"),
    _c("posted_by", "user or ERA-AUTOPOST"),
    UPDATED,
))  # fmt: skip

WRITE_OFF = Table("erp", "write_off", "Write-offs (positive amounts reduce the balance).", (
    _c("write_off_id", "primary key"),
    _c("receivable_id", "receivable.receivable_id"),
    _c("pcn", "patient control number"),
    _c("facility_code", "facility"),
    _c("payer_code", "payer (SELF for patient balances)"),
    _c("reason", "denial | bad_debt | small_balance | charity"),
    _c("carc", "the denial CARC for denial write-offs"),
    _i("amount_cents", "amount written off"),
    _c("posted_at", "posting time"),
    _c("posted_by", "user or rule"),
    UPDATED,
))  # fmt: skip

PAYMENT = Table("erp", "payment", "Cash applied: payer payments per claim payment (negative for "
    "reversals) and patient payments.", (
    _c("payment_id", "primary key"),
    _c("payer_type", "payer | patient"),
    _c("payer_code", "payer (SELF for patients)"),
    _c("pcn", "patient control number"),
    _c("facility_code", "facility"),
    _c("method", "EFT | CHK | CARD | CASH | ONLINE"),
    _i("amount_cents", "amount"),
    _c("received_on", "date the money was received (835 payment date for payers)"),
    _c("posted_at", "posting time"),
    _c("remit_trace_number", "835 TRN02 (payer payments)"),
    _c("remit_import_id", "remit_import row (payer payments)"),
    UPDATED,
))  # fmt: skip

PROVIDER_ADJUSTMENT = Table("erp", "provider_adjustment", "835 PLB provider-level adjustments as "
    "the ERP recorded them (interest to a GL account, take-backs against the claim).", (
    _c("provider_adjustment_id", "primary key"),
    _c("file_name", "835 file"),
    _c("trace_number", "835 TRN02"),
    _c("payer_code", "payer"),
    _c("facility_code", "payee facility (billing entity)"),
    _c("reason_code", "PLB03-1: L6 interest | WO overpayment recovery | FB forward balance"),
    _c("reference", "PLB03-2 (the patient control number)"),
    _i("amount_cents", "as sent: positive = taken back, negative = paid (interest)"),
    _c("production_date", "835 production date"),
    _c("posted_at", "posting time"),
    UPDATED,
))  # fmt: skip

REVENUE = Table("erp", "revenue", "GL export: gross charges and net patient service revenue per "
    "month and facility.", (
    _c("revenue_id", "primary key: <facility>-<YYYY-MM>"),
    _c("facility_code", "facility"),
    _c("period", "first day of the month"),
    _i("gross_charges_cents", "charges posted in the month"),
    _i("contractual_allowance_cents", "expected contractual allowances and self-pay discounts"),
    _i("net_revenue_cents", "net patient service revenue = gross − allowances"),
    UPDATED,
))  # fmt: skip

TABLES: tuple[Table, ...] = (
    MESSAGE_LOG, WORK_ITEM, AUTOMATED_DECISION, OVERRIDE, DECIDER_VERSION, RECEIVABLE,
    REMIT_IMPORT, POSTING, WRITE_OFF, PAYMENT, PROVIDER_ADJUSTMENT, REVENUE,
)  # fmt: skip
TABLE_BY_NAME = {t.name: t for t in TABLES}
SYSTEMS = ("engine", "workflow", "erp")


def create_sql(table: Table) -> str:
    cols = ", ".join(
        f"{c.name} {c.type}{' PRIMARY KEY' if i == 0 else ''}" for i, c in enumerate(table.columns)
    )
    return f"CREATE TABLE IF NOT EXISTS {table.name} ({cols})"


def insert_sql(table: Table) -> str:
    marks = ", ".join("?" for _ in table.columns)
    return f"INSERT INTO {table.name} VALUES ({marks})"
