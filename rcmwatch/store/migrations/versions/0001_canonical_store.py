"""Canonical store: every table of DESIGN.md's model, plus append-only triggers on audit_event

Revision ID: 0001
Revises:
Create Date: 2026-11-27 09:10:52.328245
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


# The audit log is append-only: refuse UPDATE and DELETE in the database itself, so no code path
# (or hand-written SQL) can rewrite history without dropping the trigger, which leaves a trace.
SQLITE_AUDIT_TRIGGERS = (
    """CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event
       BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END""",
    """CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event
       BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END""",
)
PG_AUDIT_TRIGGER = (
    """CREATE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN RAISE EXCEPTION 'audit_event is append-only'; END $$""",
    """CREATE TRIGGER audit_event_no_change BEFORE UPDATE OR DELETE ON audit_event
       FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()""",
)


def _audit_triggers() -> None:
    statements = (
        SQLITE_AUDIT_TRIGGERS if op.get_bind().dialect.name == "sqlite" else PG_AUDIT_TRIGGER
    )
    for statement in statements:
        op.execute(statement)


def upgrade() -> None:

    op.create_table(
        "app_state",
        sa.Column("key", sa.String(length=60), nullable=False),
        sa.Column(
            "value",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_app_state")),
    )
    op.create_table(
        "app_user",
        sa.Column("username", sa.String(), nullable=False),
        sa.Column("display_name", sa.String(), nullable=False),
        sa.Column("password_hash", sa.String(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("is_demo", sa.Boolean(), nullable=False),
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_app_user")),
        sa.UniqueConstraint("username", name=op.f("uq_app_user_username")),
    )
    op.create_table(
        "audit_anchor",
        sa.Column("head_event_id", sa.BigInteger(), nullable=False),
        sa.Column("head_hash", sa.String(length=64), nullable=False),
        sa.Column("anchored_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("anchored_to", sa.String(length=200), nullable=False),
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_anchor")),
    )
    op.create_table(
        "audit_event",
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=120), nullable=False),
        sa.Column("action", sa.String(length=60), nullable=False),
        sa.Column("subject_type", sa.String(length=30), nullable=True),
        sa.Column("subject_key", sa.String(length=200), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column(
            "before",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column(
            "after",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_event")),
        sa.UniqueConstraint("hash", name=op.f("uq_audit_event_hash")),
    )
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_event_at"), ["at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_audit_event_subject_type_subject_key"),
            ["subject_type", "subject_key"],
            unique=False,
        )

    op.create_table(
        "collector_quarantine",
        sa.Column("source", sa.String(length=60), nullable=False),
        sa.Column("stream", sa.String(length=60), nullable=False),
        sa.Column("source_key", sa.String(length=200), nullable=True),
        sa.Column("row_hash", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column(
            "row",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("run_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("quarantined_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_collector_quarantine")),
        sa.UniqueConstraint(
            "source",
            "stream",
            "row_hash",
            name=op.f("uq_collector_quarantine_source_stream_row_hash"),
        ),
    )
    with op.batch_alter_table("collector_quarantine", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_collector_quarantine_source_resolved_at"),
            ["source", "resolved_at"],
            unique=False,
        )

    op.create_table(
        "collector_run",
        sa.Column("source", sa.String(length=60), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("rows_read", sa.Integer(), nullable=False),
        sa.Column("rows_written", sa.Integer(), nullable=False),
        sa.Column("rows_quarantined", sa.Integer(), nullable=False),
        sa.Column("error_kind", sa.String(length=30), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("newest_record_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("watermark", sa.String(length=120), nullable=True),
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_collector_run")),
    )
    with op.batch_alter_table("collector_run", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_collector_run_source_started_at"), ["source", "started_at"], unique=False
        )

    op.create_table(
        "dq_run",
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("mode", sa.String(length=12), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dq_run")),
    )
    with op.batch_alter_table("dq_run", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_dq_run_started_at"), ["started_at"], unique=False)

    op.create_table(
        "facility",
        sa.Column("code", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("go_live_date", sa.Date(), nullable=True),
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_facility")),
        sa.UniqueConstraint("code", name=op.f("uq_facility_code")),
    )
    op.create_table(
        "governed_version",
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("version", sa.String(), nullable=False),
        sa.Column("content_hash", sa.String(), nullable=False),
        sa.Column("author", sa.String(), nullable=False),
        sa.Column("approver", sa.String(), nullable=True),
        sa.Column("effective_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_governed_version")),
        sa.UniqueConstraint(
            "kind", "name", "version", name=op.f("uq_governed_version_kind_name_version")
        ),
    )
    op.create_table(
        "inbound_file",
        sa.Column("sha256", sa.String(), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source", sa.String(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=True),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("quarantine_reason", sa.Text(), nullable=True),
        sa.Column("file_kind", sa.String(), nullable=True),
        sa.Column("parsed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("is_test", sa.Boolean(), nullable=False),
        sa.Column(
            "warnings",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inbound_file")),
        sa.UniqueConstraint("sha256", name=op.f("uq_inbound_file_sha256")),
    )
    with op.batch_alter_table("inbound_file", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_inbound_file_received_at"), ["received_at"], unique=False
        )

    op.create_table(
        "interface_message",
        sa.Column("interface", sa.String(), nullable=False),
        sa.Column("queue", sa.String(), nullable=True),
        sa.Column("exchange", sa.String(), nullable=True),
        sa.Column("routing_key", sa.String(), nullable=True),
        sa.Column("message_id", sa.String(), nullable=True),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("error_signature", sa.String(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("subject_type", sa.String(), nullable=True),
        sa.Column("subject_key", sa.String(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("source", sa.String(), nullable=False),
        sa.Column("source_key", sa.String(), nullable=False),
        sa.Column("removed_at_source", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_interface_message")),
        sa.UniqueConstraint(
            "source", "source_key", name=op.f("uq_interface_message_source_source_key")
        ),
    )
    with op.batch_alter_table("interface_message", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_interface_message_interface_created_at"),
            ["interface", "created_at"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_interface_message_status_created_at"),
            ["status", "created_at"],
            unique=False,
        )

    op.create_table(
        "job",
        sa.Column("type", sa.String(length=60), nullable=False),
        sa.Column("idempotency_key", sa.String(length=64), nullable=False),
        sa.Column(
            "cohort",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "parameters",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("dry_run_count", sa.Integer(), nullable=True),
        sa.Column("dry_run_amount_cents", sa.BigInteger(), nullable=True),
        sa.Column("requested_by", sa.String(length=120), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("approved_by", sa.String(length=120), nullable=True),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "result",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column(
            "verification",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("verified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_job")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_job_idempotency_key")),
    )
    with op.batch_alter_table("job", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_job_status_requested_at"), ["status", "requested_at"], unique=False
        )

    op.create_table(
        "metric_invalidation",
        sa.Column("family", sa.String(length=20), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("marked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=True),
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_metric_invalidation")),
        sa.UniqueConstraint("family", "day", name=op.f("uq_metric_invalidation_family_day")),
    )
    op.create_table(
        "metric_snapshot",
        sa.Column("kpi", sa.String(length=60), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("facility_key", sa.String(length=60), nullable=False),
        sa.Column("payer_key", sa.String(length=60), nullable=False),
        sa.Column("payer_sequence", sa.String(length=10), nullable=False),
        sa.Column("numerator", sa.BigInteger(), nullable=False),
        sa.Column("denominator", sa.BigInteger(), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=True),
        sa.Column("amount_denominator_cents", sa.BigInteger(), nullable=True),
        sa.Column(
            "samples",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("inputs_hash", sa.String(length=64), nullable=True),
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_metric_snapshot")),
        sa.UniqueConstraint(
            "kpi",
            "day",
            "facility_key",
            "payer_key",
            "payer_sequence",
            name="uq_metric_snapshot_cell",
        ),
    )
    with op.batch_alter_table("metric_snapshot", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_metric_snapshot_kpi_day"), ["kpi", "day"], unique=False
        )

    op.create_table(
        "patient",
        sa.Column("patient_key", sa.String(), nullable=False),
        sa.Column("key_kind", sa.String(), nullable=False),
        sa.Column("source", sa.String(), nullable=False),
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patient")),
        sa.UniqueConstraint("patient_key", name=op.f("uq_patient_patient_key")),
    )
    op.create_table(
        "payer",
        sa.Column("code", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("payer_class", sa.String(), nullable=False),
        sa.Column("timely_filing_days", sa.Integer(), nullable=True),
        sa.Column("appeal_limit_days", sa.Integer(), nullable=True),
        sa.Column("origin", sa.String(), nullable=False),
        sa.Column("needs_mapping", sa.Boolean(), nullable=False),
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payer")),
        sa.UniqueConstraint("code", name=op.f("uq_payer_code")),
    )
    op.create_table(
        "queue_sample",
        sa.Column("source", sa.String(length=60), nullable=False),
        sa.Column("vhost", sa.String(length=120), nullable=False),
        sa.Column("queue", sa.String(length=200), nullable=False),
        sa.Column("sampled_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("is_dead_letter", sa.Boolean(), nullable=False),
        sa.Column("messages", sa.Integer(), nullable=False),
        sa.Column("messages_ready", sa.Integer(), nullable=True),
        sa.Column("messages_unacked", sa.Integer(), nullable=True),
        sa.Column("consumers", sa.Integer(), nullable=True),
        sa.Column("publish_rate", sa.Double(), nullable=True),
        sa.Column("deliver_rate", sa.Double(), nullable=True),
        sa.Column("oldest_message_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("via", sa.String(length=12), nullable=False),
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_queue_sample")),
    )
    with op.batch_alter_table("queue_sample", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_queue_sample_queue_sampled_at"), ["queue", "sampled_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_queue_sample_source_sampled_at"), ["source", "sampled_at"], unique=False
        )

    op.create_table(
        "role",
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("description", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_role")),
    )
    op.create_table(
        "scheduler_lock",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("holder", sa.String(length=120), nullable=False),
        sa.Column("acquired_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_scheduler_lock")),
    )
    op.create_table(
        "source_cursor",
        sa.Column("source", sa.String(length=60), nullable=False),
        sa.Column("stream", sa.String(length=60), nullable=False),
        sa.Column("watermark", sa.Text(), nullable=True),
        sa.Column("last_full_scan_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("source", "stream", name=op.f("pk_source_cursor")),
    )
    op.create_table(
        "source_snapshot_row",
        sa.Column("source", sa.String(length=60), nullable=False),
        sa.Column("stream", sa.String(length=60), nullable=False),
        sa.Column("source_key", sa.String(length=200), nullable=False),
        sa.Column("row_hash", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint(
            "source", "stream", "source_key", name=op.f("pk_source_snapshot_row")
        ),
    )
    op.create_table(
        "source_state",
        sa.Column("source", sa.String(length=60), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("cadence_seconds", sa.Integer(), nullable=False),
        sa.Column("watermark", sa.String(length=120), nullable=True),
        sa.Column("last_success_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_full_scan_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("newest_record_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("healthy", sa.Boolean(), nullable=False),
        sa.Column("notice", sa.Text(), nullable=True),
        sa.Column("watch_start", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("source", name=op.f("pk_source_state")),
    )
    op.create_table(
        "ack_set",
        sa.Column(
            "inbound_file_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("interchange_sender", sa.String(), nullable=False),
        sa.Column("interchange_receiver", sa.String(), nullable=False),
        sa.Column("gs_sender", sa.String(), nullable=True),
        sa.Column("gs_receiver", sa.String(), nullable=True),
        sa.Column("is_test", sa.Boolean(), nullable=False),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ak1_functional_id", sa.String(), nullable=True),
        sa.Column("ak1_group_control", sa.String(), nullable=True),
        sa.Column("ak2_set_id", sa.String(), nullable=True),
        sa.Column("ak2_set_control", sa.String(), nullable=True),
        sa.Column("ik5_code", sa.String(), nullable=True),
        sa.Column("ak9_code", sa.String(), nullable=True),
        sa.Column("link_status", sa.String(), nullable=False),
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["inbound_file_id"],
            ["inbound_file.id"],
            name=op.f("fk_ack_set_inbound_file_id_inbound_file"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ack_set")),
        sa.UniqueConstraint("inbound_file_id", "seq", name=op.f("uq_ack_set_inbound_file_id_seq")),
    )
    with op.batch_alter_table("ack_set", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_ack_set_interchange_sender_interchange_receiver_ak1_group_control"),
            ["interchange_sender", "interchange_receiver", "ak1_group_control"],
            unique=False,
        )

    op.create_table(
        "automated_decision",
        sa.Column("decider_kind", sa.String(), nullable=False),
        sa.Column("decider_id", sa.String(), nullable=False),
        sa.Column("decider_version", sa.String(), nullable=False),
        sa.Column("subject_type", sa.String(), nullable=False),
        sa.Column("subject_key", sa.String(), nullable=False),
        sa.Column("decision", sa.String(), nullable=False),
        sa.Column("confidence", sa.Double(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "facility_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("exception_type", sa.String(), nullable=True),
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("source", sa.String(), nullable=False),
        sa.Column("source_key", sa.String(), nullable=False),
        sa.Column("removed_at_source", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["facility_id"],
            ["facility.id"],
            name=op.f("fk_automated_decision_facility_id_facility"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_automated_decision")),
        sa.UniqueConstraint(
            "source", "source_key", name=op.f("uq_automated_decision_source_source_key")
        ),
    )
    with op.batch_alter_table("automated_decision", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_automated_decision_decided_at"), ["decided_at"], unique=False
        )

    op.create_table(
        "carc_category",
        sa.Column(
            "version_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("carc", sa.String(), nullable=False),
        sa.Column("category", sa.String(), nullable=False),
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["governed_version.id"],
            name=op.f("fk_carc_category_version_id_governed_version"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_carc_category")),
        sa.UniqueConstraint("version_id", "carc", name=op.f("uq_carc_category_version_id_carc")),
    )
    op.create_table(
        "dq_result",
        sa.Column("run_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("check_id", sa.String(length=60), nullable=False),
        sa.Column("suite", sa.String(length=60), nullable=False),
        sa.Column("table_name", sa.String(length=60), nullable=False),
        sa.Column("severity", sa.String(length=5), nullable=False),
        sa.Column("blocking", sa.Boolean(), nullable=False),
        sa.Column("success", sa.Boolean(), nullable=False),
        sa.Column("errored", sa.Boolean(), nullable=False),
        sa.Column("element_count", sa.Integer(), nullable=True),
        sa.Column("unexpected_count", sa.Integer(), nullable=False),
        sa.Column("unexpected_amount_cents", sa.BigInteger(), nullable=True),
        sa.Column("evidence", sa.Text(), nullable=True),
        sa.Column("query", sa.Text(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.ForeignKeyConstraint(["run_id"], ["dq_run.id"], name=op.f("fk_dq_result_run_id_dq_run")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dq_result")),
    )
    with op.batch_alter_table("dq_result", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_dq_result_check_id_run_id"), ["check_id", "run_id"], unique=False
        )

    op.create_table(
        "encounter",
        sa.Column("source", sa.String(), nullable=False),
        sa.Column("source_key", sa.String(), nullable=False),
        sa.Column(
            "patient_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column(
            "facility_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("encounter_class", sa.String(), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attending_npi", sa.String(), nullable=True),
        sa.Column("billed", sa.Boolean(), nullable=False),
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["facility_id"], ["facility.id"], name=op.f("fk_encounter_facility_id_facility")
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patient.id"], name=op.f("fk_encounter_patient_id_patient")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_encounter")),
        sa.UniqueConstraint("source", "source_key", name=op.f("uq_encounter_source_source_key")),
    )
    with op.batch_alter_table("encounter", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_encounter_patient_id"), ["patient_id"], unique=False)

    op.create_table(
        "facility_npi",
        sa.Column("npi", sa.String(), nullable=False),
        sa.Column(
            "facility_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("role", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(
            ["facility_id"], ["facility.id"], name=op.f("fk_facility_npi_facility_id_facility")
        ),
        sa.PrimaryKeyConstraint("npi", name=op.f("pk_facility_npi")),
    )
    with op.batch_alter_table("facility_npi", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_facility_npi_facility_id"), ["facility_id"], unique=False
        )

    op.create_table(
        "fee_schedule_entry",
        sa.Column("payer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("claim_type", sa.String(), nullable=False),
        sa.Column("code_system", sa.String(), nullable=False),
        sa.Column("code", sa.String(), nullable=False),
        sa.Column("modifier", sa.String(), nullable=False),
        sa.Column("expected_allowed_cents", sa.BigInteger(), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("effective_to", sa.Date(), nullable=True),
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["payer_id"], ["payer.id"], name=op.f("fk_fee_schedule_entry_payer_id_payer")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fee_schedule_entry")),
        sa.UniqueConstraint(
            "payer_id",
            "claim_type",
            "code_system",
            "code",
            "modifier",
            "effective_from",
            name="uq_fee_schedule_entry_key",
        ),
    )
    op.create_table(
        "guarantor",
        sa.Column("guarantor_key", sa.String(), nullable=False),
        sa.Column(
            "patient_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("relationship", sa.String(), nullable=False),
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patient.id"], name=op.f("fk_guarantor_patient_id_patient")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guarantor")),
        sa.UniqueConstraint("guarantor_key", name=op.f("uq_guarantor_guarantor_key")),
    )
    with op.batch_alter_table("guarantor", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_guarantor_patient_id"), ["patient_id"], unique=False)

    op.create_table(
        "ingest_warning",
        sa.Column(
            "inbound_file_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("code", sa.String(), nullable=False),
        sa.Column("subject_type", sa.String(), nullable=True),
        sa.Column("subject_key", sa.String(), nullable=True),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["inbound_file_id"],
            ["inbound_file.id"],
            name=op.f("fk_ingest_warning_inbound_file_id_inbound_file"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ingest_warning")),
    )
    with op.batch_alter_table("ingest_warning", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_ingest_warning_code_created_at"), ["code", "created_at"], unique=False
        )

    op.create_table(
        "interchange",
        sa.Column(
            "inbound_file_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("sender_qualifier", sa.String(), nullable=False),
        sa.Column("sender_id", sa.String(), nullable=False),
        sa.Column("receiver_qualifier", sa.String(), nullable=False),
        sa.Column("receiver_id", sa.String(), nullable=False),
        sa.Column("control_number", sa.String(), nullable=False),
        sa.Column("interchange_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("usage", sa.String(), nullable=False),
        sa.Column("version", sa.String(), nullable=False),
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["inbound_file_id"],
            ["inbound_file.id"],
            name=op.f("fk_interchange_inbound_file_id_inbound_file"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_interchange")),
        sa.UniqueConstraint(
            "inbound_file_id", "seq", name=op.f("uq_interchange_inbound_file_id_seq")
        ),
    )
    with op.batch_alter_table("interchange", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_interchange_sender_id_receiver_id_control_number"),
            ["sender_id", "receiver_id", "control_number"],
            unique=False,
        )

    op.create_table(
        "patient_phi",
        sa.Column(
            "patient_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("mrn", sa.String(), nullable=True),
        sa.Column("member_id", sa.String(), nullable=True),
        sa.Column(
            "member_payer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("last_name", sa.String(), nullable=True),
        sa.Column("first_name", sa.String(), nullable=True),
        sa.Column("middle_name", sa.String(), nullable=True),
        sa.Column("birth_date", sa.Date(), nullable=True),
        sa.Column("sex", sa.String(), nullable=True),
        sa.Column("address_line", sa.String(), nullable=True),
        sa.Column("city", sa.String(), nullable=True),
        sa.Column("state", sa.String(), nullable=True),
        sa.Column("postal_code", sa.String(), nullable=True),
        sa.ForeignKeyConstraint(
            ["member_payer_id"], ["payer.id"], name=op.f("fk_patient_phi_member_payer_id_payer")
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patient.id"], name=op.f("fk_patient_phi_patient_id_patient")
        ),
        sa.PrimaryKeyConstraint("patient_id", name=op.f("pk_patient_phi")),
    )
    op.create_table(
        "payer_identifier",
        sa.Column("payer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("value", sa.String(), nullable=False),
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["payer_id"], ["payer.id"], name=op.f("fk_payer_identifier_payer_id_payer")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payer_identifier")),
        sa.UniqueConstraint("kind", "value", name=op.f("uq_payer_identifier_kind_value")),
    )
    with op.batch_alter_table("payer_identifier", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_payer_identifier_payer_id"), ["payer_id"], unique=False
        )

    op.create_table(
        "remit_transaction",
        sa.Column(
            "inbound_file_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("interchange_sender", sa.String(), nullable=True),
        sa.Column("interchange_receiver", sa.String(), nullable=True),
        sa.Column("interchange_control", sa.String(), nullable=True),
        sa.Column("is_test", sa.Boolean(), nullable=False),
        sa.Column("gs_control", sa.String(), nullable=True),
        sa.Column("st_control", sa.String(), nullable=True),
        sa.Column("handling_code", sa.String(), nullable=True),
        sa.Column("payment_cents", sa.BigInteger(), nullable=False),
        sa.Column("credit_debit", sa.String(), nullable=True),
        sa.Column("payment_method", sa.String(), nullable=True),
        sa.Column("payment_date", sa.Date(), nullable=True),
        sa.Column("trace_number", sa.String(), nullable=True),
        sa.Column("trace_originator", sa.String(), nullable=True),
        sa.Column("payer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("payer_name", sa.String(), nullable=True),
        sa.Column("payer_identifier", sa.String(), nullable=True),
        sa.Column("payee_name", sa.String(), nullable=True),
        sa.Column("payee_npi", sa.String(), nullable=True),
        sa.Column("payee_tax_id", sa.String(), nullable=True),
        sa.Column("production_date", sa.Date(), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("balanced", sa.Boolean(), nullable=False),
        sa.Column("imbalance_cents", sa.BigInteger(), nullable=False),
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["inbound_file_id"],
            ["inbound_file.id"],
            name=op.f("fk_remit_transaction_inbound_file_id_inbound_file"),
        ),
        sa.ForeignKeyConstraint(
            ["payer_id"], ["payer.id"], name=op.f("fk_remit_transaction_payer_id_payer")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_remit_transaction")),
        sa.UniqueConstraint(
            "inbound_file_id", "seq", name=op.f("uq_remit_transaction_inbound_file_id_seq")
        ),
    )
    with op.batch_alter_table("remit_transaction", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_remit_transaction_payer_id"), ["payer_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_remit_transaction_production_date"), ["production_date"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_remit_transaction_received_at"), ["received_at"], unique=False
        )

    op.create_table(
        "revenue",
        sa.Column(
            "facility_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("period", sa.Date(), nullable=False),
        sa.Column("gross_charges_cents", sa.BigInteger(), nullable=False),
        sa.Column("net_revenue_cents", sa.BigInteger(), nullable=False),
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("source", sa.String(), nullable=False),
        sa.Column("source_key", sa.String(), nullable=False),
        sa.Column("removed_at_source", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["facility_id"], ["facility.id"], name=op.f("fk_revenue_facility_id_facility")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_revenue")),
        sa.UniqueConstraint("source", "source_key", name=op.f("uq_revenue_source_source_key")),
    )
    with op.batch_alter_table("revenue", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_revenue_period"), ["period"], unique=False)

    op.create_table(
        "submission",
        sa.Column(
            "inbound_file_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("interchange_sender", sa.String(), nullable=False),
        sa.Column("interchange_receiver", sa.String(), nullable=False),
        sa.Column("interchange_control", sa.String(), nullable=False),
        sa.Column("is_test", sa.Boolean(), nullable=False),
        sa.Column("gs_sender", sa.String(), nullable=False),
        sa.Column("gs_receiver", sa.String(), nullable=False),
        sa.Column("gs_control", sa.String(), nullable=False),
        sa.Column("gs_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("st_control", sa.String(), nullable=False),
        sa.Column("implementation", sa.String(), nullable=True),
        sa.Column("bht_reference", sa.String(), nullable=True),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claim_type", sa.String(), nullable=False),
        sa.Column("claim_count", sa.Integer(), nullable=False),
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["inbound_file_id"],
            ["inbound_file.id"],
            name=op.f("fk_submission_inbound_file_id_inbound_file"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_submission")),
        sa.UniqueConstraint(
            "inbound_file_id", "seq", name=op.f("uq_submission_inbound_file_id_seq")
        ),
    )
    with op.batch_alter_table("submission", schema=None) as batch_op:
        batch_op.create_index(
            "ix_submission_ack_link",
            ["interchange_sender", "interchange_receiver", "gs_control", "st_control"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_submission_bht_reference"), ["bht_reference"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_submission_submitted_at"), ["submitted_at"], unique=False
        )

    op.create_table(
        "user_facility",
        sa.Column("user_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "facility_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["facility_id"], ["facility.id"], name=op.f("fk_user_facility_facility_id_facility")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["app_user.id"], name=op.f("fk_user_facility_user_id_app_user")
        ),
        sa.PrimaryKeyConstraint("user_id", "facility_id", name=op.f("pk_user_facility")),
    )
    op.create_table(
        "user_role",
        sa.Column("user_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("role_name", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(
            ["role_name"], ["role.name"], name=op.f("fk_user_role_role_name_role")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["app_user.id"], name=op.f("fk_user_role_user_id_app_user")
        ),
        sa.PrimaryKeyConstraint("user_id", "role_name", name=op.f("pk_user_role")),
    )
    op.create_table(
        "work_item",
        sa.Column("type", sa.String(), nullable=False),
        sa.Column("stage", sa.String(), nullable=False),
        sa.Column("exception_type", sa.String(), nullable=True),
        sa.Column("subject_type", sa.String(), nullable=False),
        sa.Column("subject_key", sa.String(), nullable=False),
        sa.Column(
            "facility_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("payer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("amount_cents", sa.BigInteger(), nullable=True),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("assignee", sa.String(), nullable=True),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_by", sa.String(), nullable=True),
        sa.Column("resolved_by_person", sa.Boolean(), nullable=True),
        sa.Column("resolution", sa.String(), nullable=True),
        sa.Column("check_id", sa.String(), nullable=True),
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("source", sa.String(), nullable=False),
        sa.Column("source_key", sa.String(), nullable=False),
        sa.Column("removed_at_source", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["facility_id"], ["facility.id"], name=op.f("fk_work_item_facility_id_facility")
        ),
        sa.ForeignKeyConstraint(
            ["payer_id"], ["payer.id"], name=op.f("fk_work_item_payer_id_payer")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_work_item")),
        sa.UniqueConstraint("source", "source_key", name=op.f("uq_work_item_source_source_key")),
    )
    with op.batch_alter_table("work_item", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_work_item_opened_at"), ["opened_at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_work_item_status_due_at"), ["status", "due_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_work_item_subject_type_subject_key"),
            ["subject_type", "subject_key"],
            unique=False,
        )

    op.create_table(
        "ack_error",
        sa.Column(
            "ack_set_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("segment_id", sa.String(), nullable=True),
        sa.Column("segment_position", sa.Integer(), nullable=True),
        sa.Column("loop_id", sa.String(), nullable=True),
        sa.Column("segment_error_code", sa.String(), nullable=True),
        sa.Column("element_position", sa.String(), nullable=True),
        sa.Column("element_reference", sa.String(), nullable=True),
        sa.Column("element_error_code", sa.String(), nullable=True),
        sa.Column("bad_data", sa.Text(), nullable=True),
        sa.Column("context", sa.Text(), nullable=True),
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["ack_set_id"], ["ack_set.id"], name=op.f("fk_ack_error_ack_set_id_ack_set")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ack_error")),
        sa.UniqueConstraint("ack_set_id", "seq", name=op.f("uq_ack_error_ack_set_id_seq")),
    )
    op.create_table(
        "ack_link",
        sa.Column(
            "ack_set_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "submission_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["ack_set_id"], ["ack_set.id"], name=op.f("fk_ack_link_ack_set_id_ack_set")
        ),
        sa.ForeignKeyConstraint(
            ["submission_id"], ["submission.id"], name=op.f("fk_ack_link_submission_id_submission")
        ),
        sa.PrimaryKeyConstraint("ack_set_id", "submission_id", name=op.f("pk_ack_link")),
    )
    with op.batch_alter_table("ack_link", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_ack_link_submission_id"), ["submission_id"], unique=False
        )

    op.create_table(
        "claim",
        sa.Column("pcn", sa.String(), nullable=False),
        sa.Column("claim_type", sa.String(), nullable=True),
        sa.Column(
            "patient_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column(
            "encounter_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column(
            "facility_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("payer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column(
            "first_submission_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=True,
        ),
        sa.Column("first_submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("service_from", sa.Date(), nullable=True),
        sa.Column("voided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("is_test", sa.Boolean(), nullable=False),
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["encounter_id"], ["encounter.id"], name=op.f("fk_claim_encounter_id_encounter")
        ),
        sa.ForeignKeyConstraint(
            ["facility_id"], ["facility.id"], name=op.f("fk_claim_facility_id_facility")
        ),
        sa.ForeignKeyConstraint(
            ["first_submission_id"],
            ["submission.id"],
            name=op.f("fk_claim_first_submission_id_submission"),
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patient.id"], name=op.f("fk_claim_patient_id_patient")
        ),
        sa.ForeignKeyConstraint(["payer_id"], ["payer.id"], name=op.f("fk_claim_payer_id_payer")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claim")),
        sa.UniqueConstraint("pcn", name=op.f("uq_claim_pcn")),
    )
    with op.batch_alter_table("claim", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_claim_facility_id"), ["facility_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_claim_first_submitted_at"), ["first_submitted_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_claim_patient_id"), ["patient_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_claim_payer_id"), ["payer_id"], unique=False)

    op.create_table(
        "dq_failing_key",
        sa.Column(
            "result_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("row_key", sa.String(length=200), nullable=False),
        sa.Column(
            "facility_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("payer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("period", sa.Date(), nullable=True),
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["facility_id"], ["facility.id"], name=op.f("fk_dq_failing_key_facility_id_facility")
        ),
        sa.ForeignKeyConstraint(
            ["payer_id"], ["payer.id"], name=op.f("fk_dq_failing_key_payer_id_payer")
        ),
        sa.ForeignKeyConstraint(
            ["result_id"], ["dq_result.id"], name=op.f("fk_dq_failing_key_result_id_dq_result")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dq_failing_key")),
    )
    with op.batch_alter_table("dq_failing_key", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_dq_failing_key_result_id"), ["result_id"], unique=False
        )

    op.create_table(
        "guarantor_phi",
        sa.Column(
            "guarantor_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("last_name", sa.String(), nullable=True),
        sa.Column("first_name", sa.String(), nullable=True),
        sa.Column("address_line", sa.String(), nullable=True),
        sa.Column("city", sa.String(), nullable=True),
        sa.Column("state", sa.String(), nullable=True),
        sa.Column("postal_code", sa.String(), nullable=True),
        sa.Column("phone", sa.String(), nullable=True),
        sa.ForeignKeyConstraint(
            ["guarantor_id"], ["guarantor.id"], name=op.f("fk_guarantor_phi_guarantor_id_guarantor")
        ),
        sa.PrimaryKeyConstraint("guarantor_id", name=op.f("pk_guarantor_phi")),
    )
    op.create_table(
        "override",
        sa.Column(
            "decision_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("user_name", sa.String(), nullable=False),
        sa.Column("new_outcome", sa.String(), nullable=False),
        sa.Column("reason_code", sa.String(), nullable=False),
        sa.Column("overridden_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("source", sa.String(), nullable=False),
        sa.Column("source_key", sa.String(), nullable=False),
        sa.Column("removed_at_source", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["decision_id"],
            ["automated_decision.id"],
            name=op.f("fk_override_decision_id_automated_decision"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_override")),
        sa.UniqueConstraint("source", "source_key", name=op.f("uq_override_source_source_key")),
    )
    with op.batch_alter_table("override", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_override_decision_id"), ["decision_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_override_overridden_at"), ["overridden_at"], unique=False
        )

    op.create_table(
        "provider_adjustment",
        sa.Column(
            "remit_transaction_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=False,
        ),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("provider_identifier", sa.String(), nullable=True),
        sa.Column("fiscal_period_date", sa.Date(), nullable=True),
        sa.Column("reason_code", sa.String(), nullable=False),
        sa.Column("reference", sa.String(), nullable=True),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["remit_transaction_id"],
            ["remit_transaction.id"],
            name=op.f("fk_provider_adjustment_remit_transaction_id_remit_transaction"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_provider_adjustment")),
        sa.UniqueConstraint(
            "remit_transaction_id",
            "seq",
            name=op.f("uq_provider_adjustment_remit_transaction_id_seq"),
        ),
    )
    op.create_table(
        "claim_payment",
        sa.Column(
            "remit_transaction_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=False,
        ),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("pcn", sa.String(), nullable=False),
        sa.Column("claim_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("payer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("status_code", sa.String(), nullable=False),
        sa.Column("charge_cents", sa.BigInteger(), nullable=False),
        sa.Column("paid_cents", sa.BigInteger(), nullable=False),
        sa.Column("patient_responsibility_cents", sa.BigInteger(), nullable=False),
        sa.Column("filing_indicator", sa.String(), nullable=True),
        sa.Column("payer_claim_number", sa.String(), nullable=True),
        sa.Column("facility_code", sa.String(), nullable=True),
        sa.Column("frequency_code", sa.String(), nullable=True),
        sa.Column("is_reversal", sa.Boolean(), nullable=False),
        sa.Column("is_predetermination", sa.Boolean(), nullable=False),
        sa.Column(
            "reverses_claim_payment_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=True,
        ),
        sa.Column("orphan_reversal", sa.Boolean(), nullable=False),
        sa.Column("payer_sequence", sa.String(), nullable=True),
        sa.Column("denial_kind", sa.String(), nullable=True),
        sa.Column("denied_cents", sa.BigInteger(), nullable=False),
        sa.Column("denial_category", sa.String(), nullable=True),
        sa.Column("carc_map_version", sa.Integer(), nullable=True),
        sa.Column("balanced", sa.Boolean(), nullable=False),
        sa.Column("imbalance_cents", sa.BigInteger(), nullable=False),
        sa.Column("service_from", sa.Date(), nullable=True),
        sa.Column("service_to", sa.Date(), nullable=True),
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["claim_id"], ["claim.id"], name=op.f("fk_claim_payment_claim_id_claim")
        ),
        sa.ForeignKeyConstraint(
            ["payer_id"], ["payer.id"], name=op.f("fk_claim_payment_payer_id_payer")
        ),
        sa.ForeignKeyConstraint(
            ["remit_transaction_id"],
            ["remit_transaction.id"],
            name=op.f("fk_claim_payment_remit_transaction_id_remit_transaction"),
        ),
        sa.ForeignKeyConstraint(
            ["reverses_claim_payment_id"],
            ["claim_payment.id"],
            name=op.f("fk_claim_payment_reverses_claim_payment_id_claim_payment"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claim_payment")),
        sa.UniqueConstraint(
            "remit_transaction_id", "seq", name=op.f("uq_claim_payment_remit_transaction_id_seq")
        ),
    )
    with op.batch_alter_table("claim_payment", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_claim_payment_claim_id_payer_id"), ["claim_id", "payer_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_claim_payment_pcn"), ["pcn"], unique=False)

    op.create_table(
        "claim_status",
        sa.Column(
            "inbound_file_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("is_test", sa.Boolean(), nullable=False),
        sa.Column("hl_id", sa.String(), nullable=False),
        sa.Column("hl_parent_id", sa.String(), nullable=True),
        sa.Column("hl_level", sa.String(), nullable=False),
        sa.Column("entity_identifier", sa.String(), nullable=True),
        sa.Column("trn_reference", sa.String(), nullable=True),
        sa.Column("batch_reference", sa.String(), nullable=True),
        sa.Column("pcn", sa.String(), nullable=True),
        sa.Column("payer_claim_number", sa.String(), nullable=True),
        sa.Column("status_category", sa.String(), nullable=True),
        sa.Column("status_code", sa.String(), nullable=True),
        sa.Column("entity_code", sa.String(), nullable=True),
        sa.Column("status_date", sa.Date(), nullable=True),
        sa.Column("action_code", sa.String(), nullable=True),
        sa.Column("amount_cents", sa.BigInteger(), nullable=True),
        sa.Column("reported_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("rejected_above", sa.Boolean(), nullable=False),
        sa.Column("claim_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column(
            "submission_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["claim_id"], ["claim.id"], name=op.f("fk_claim_status_claim_id_claim")
        ),
        sa.ForeignKeyConstraint(
            ["inbound_file_id"],
            ["inbound_file.id"],
            name=op.f("fk_claim_status_inbound_file_id_inbound_file"),
        ),
        sa.ForeignKeyConstraint(
            ["submission_id"],
            ["submission.id"],
            name=op.f("fk_claim_status_submission_id_submission"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claim_status")),
        sa.UniqueConstraint(
            "inbound_file_id", "seq", name=op.f("uq_claim_status_inbound_file_id_seq")
        ),
    )
    with op.batch_alter_table("claim_status", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_claim_status_claim_id"), ["claim_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_claim_status_pcn"), ["pcn"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_claim_status_trn_reference"), ["trn_reference"], unique=False
        )

    op.create_table(
        "claim_version",
        sa.Column("claim_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "submission_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("frequency_code", sa.String(), nullable=False),
        sa.Column(
            "replaces_version_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=True,
        ),
        sa.Column("original_payer_claim_number", sa.String(), nullable=True),
        sa.Column("charge_cents", sa.BigInteger(), nullable=False),
        sa.Column("facility_code", sa.String(), nullable=True),
        sa.Column("billing_npi", sa.String(), nullable=True),
        sa.Column("billing_tax_id", sa.String(), nullable=True),
        sa.Column("pay_to_npi", sa.String(), nullable=True),
        sa.Column("service_facility_npi", sa.String(), nullable=True),
        sa.Column(
            "facility_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("payer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("payer_sequence", sa.String(), nullable=True),
        sa.Column(
            "patient_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("subscriber_relationship", sa.String(), nullable=True),
        sa.Column("service_from", sa.Date(), nullable=True),
        sa.Column("service_to", sa.Date(), nullable=True),
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["claim_id"], ["claim.id"], name=op.f("fk_claim_version_claim_id_claim")
        ),
        sa.ForeignKeyConstraint(
            ["facility_id"], ["facility.id"], name=op.f("fk_claim_version_facility_id_facility")
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patient.id"], name=op.f("fk_claim_version_patient_id_patient")
        ),
        sa.ForeignKeyConstraint(
            ["payer_id"], ["payer.id"], name=op.f("fk_claim_version_payer_id_payer")
        ),
        sa.ForeignKeyConstraint(
            ["replaces_version_id"],
            ["claim_version.id"],
            name=op.f("fk_claim_version_replaces_version_id_claim_version"),
        ),
        sa.ForeignKeyConstraint(
            ["submission_id"],
            ["submission.id"],
            name=op.f("fk_claim_version_submission_id_submission"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claim_version")),
        sa.UniqueConstraint(
            "submission_id", "seq", name=op.f("uq_claim_version_submission_id_seq")
        ),
    )
    with op.batch_alter_table("claim_version", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_claim_version_claim_id"), ["claim_id"], unique=False)

    op.create_table(
        "payment",
        sa.Column("pcn", sa.String(), nullable=True),
        sa.Column("claim_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column(
            "facility_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("payer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("payer_type", sa.String(), nullable=False),
        sa.Column("method", sa.String(), nullable=True),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=True),
        sa.Column("posted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("source", sa.String(), nullable=False),
        sa.Column("source_key", sa.String(), nullable=False),
        sa.Column("removed_at_source", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["claim_id"], ["claim.id"], name=op.f("fk_payment_claim_id_claim")),
        sa.ForeignKeyConstraint(
            ["facility_id"], ["facility.id"], name=op.f("fk_payment_facility_id_facility")
        ),
        sa.ForeignKeyConstraint(["payer_id"], ["payer.id"], name=op.f("fk_payment_payer_id_payer")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment")),
        sa.UniqueConstraint("source", "source_key", name=op.f("uq_payment_source_source_key")),
    )
    with op.batch_alter_table("payment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_payment_posted_at"), ["posted_at"], unique=False)

    op.create_table(
        "receivable",
        sa.Column("pcn", sa.String(), nullable=True),
        sa.Column("claim_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column(
            "facility_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("payer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column(
            "patient_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("service_date", sa.Date(), nullable=True),
        sa.Column("opened_on", sa.Date(), nullable=True),
        sa.Column("balance_cents", sa.BigInteger(), nullable=False),
        sa.Column("last_activity_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("source", sa.String(), nullable=False),
        sa.Column("source_key", sa.String(), nullable=False),
        sa.Column("removed_at_source", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["claim_id"], ["claim.id"], name=op.f("fk_receivable_claim_id_claim")
        ),
        sa.ForeignKeyConstraint(
            ["facility_id"], ["facility.id"], name=op.f("fk_receivable_facility_id_facility")
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patient.id"], name=op.f("fk_receivable_patient_id_patient")
        ),
        sa.ForeignKeyConstraint(
            ["payer_id"], ["payer.id"], name=op.f("fk_receivable_payer_id_payer")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_receivable")),
        sa.UniqueConstraint("source", "source_key", name=op.f("uq_receivable_source_source_key")),
    )
    with op.batch_alter_table("receivable", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_receivable_pcn"), ["pcn"], unique=False)

    op.create_table(
        "write_off",
        sa.Column("pcn", sa.String(), nullable=True),
        sa.Column("claim_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column(
            "facility_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("payer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("reason", sa.String(), nullable=False),
        sa.Column("carc", sa.String(), nullable=True),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("posted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("source", sa.String(), nullable=False),
        sa.Column("source_key", sa.String(), nullable=False),
        sa.Column("removed_at_source", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["claim_id"], ["claim.id"], name=op.f("fk_write_off_claim_id_claim")
        ),
        sa.ForeignKeyConstraint(
            ["facility_id"], ["facility.id"], name=op.f("fk_write_off_facility_id_facility")
        ),
        sa.ForeignKeyConstraint(
            ["payer_id"], ["payer.id"], name=op.f("fk_write_off_payer_id_payer")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_write_off")),
        sa.UniqueConstraint("source", "source_key", name=op.f("uq_write_off_source_source_key")),
    )
    with op.batch_alter_table("write_off", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_write_off_posted_at"), ["posted_at"], unique=False)

    op.create_table(
        "claim_line",
        sa.Column(
            "claim_version_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("line_number", sa.Integer(), nullable=False),
        sa.Column("procedure_qualifier", sa.String(), nullable=True),
        sa.Column("procedure_code", sa.String(), nullable=True),
        sa.Column("modifiers", sa.String(), nullable=True),
        sa.Column("revenue_code", sa.String(), nullable=True),
        sa.Column("charge_cents", sa.BigInteger(), nullable=False),
        sa.Column("units", sa.Double(), nullable=True),
        sa.Column("service_date", sa.Date(), nullable=True),
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["claim_version_id"],
            ["claim_version.id"],
            name=op.f("fk_claim_line_claim_version_id_claim_version"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claim_line")),
        sa.UniqueConstraint(
            "claim_version_id",
            "line_number",
            name=op.f("uq_claim_line_claim_version_id_line_number"),
        ),
    )
    op.create_table(
        "claim_other_payer",
        sa.Column(
            "claim_version_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("payer_sequence", sa.String(), nullable=True),
        sa.Column("payer_name", sa.String(), nullable=True),
        sa.Column("payer_identifier", sa.String(), nullable=True),
        sa.Column("paid_cents", sa.BigInteger(), nullable=True),
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["claim_version_id"],
            ["claim_version.id"],
            name=op.f("fk_claim_other_payer_claim_version_id_claim_version"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claim_other_payer")),
        sa.UniqueConstraint(
            "claim_version_id", "seq", name=op.f("uq_claim_other_payer_claim_version_id_seq")
        ),
    )
    op.create_table(
        "diagnosis",
        sa.Column(
            "claim_version_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("qualifier", sa.String(), nullable=False),
        sa.Column("code", sa.String(), nullable=False),
        sa.Column("present_on_admission", sa.String(), nullable=True),
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["claim_version_id"],
            ["claim_version.id"],
            name=op.f("fk_diagnosis_claim_version_id_claim_version"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_diagnosis")),
        sa.UniqueConstraint(
            "claim_version_id", "seq", name=op.f("uq_diagnosis_claim_version_id_seq")
        ),
    )
    op.create_table(
        "posting",
        sa.Column("pcn", sa.String(), nullable=True),
        sa.Column("claim_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column(
            "claim_payment_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("remit_trace_number", sa.String(), nullable=True),
        sa.Column("payer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column(
            "facility_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("posted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("is_manual", sa.Boolean(), nullable=False),
        sa.Column("posted_by", sa.String(), nullable=True),
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("source", sa.String(), nullable=False),
        sa.Column("source_key", sa.String(), nullable=False),
        sa.Column("removed_at_source", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["claim_id"], ["claim.id"], name=op.f("fk_posting_claim_id_claim")),
        sa.ForeignKeyConstraint(
            ["claim_payment_id"],
            ["claim_payment.id"],
            name=op.f("fk_posting_claim_payment_id_claim_payment"),
        ),
        sa.ForeignKeyConstraint(
            ["facility_id"], ["facility.id"], name=op.f("fk_posting_facility_id_facility")
        ),
        sa.ForeignKeyConstraint(["payer_id"], ["payer.id"], name=op.f("fk_posting_payer_id_payer")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_posting")),
        sa.UniqueConstraint("source", "source_key", name=op.f("uq_posting_source_source_key")),
    )
    with op.batch_alter_table("posting", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_posting_pcn"), ["pcn"], unique=False)
        batch_op.create_index(batch_op.f("ix_posting_posted_at"), ["posted_at"], unique=False)

    op.create_table(
        "service_line_payment",
        sa.Column(
            "claim_payment_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("procedure_qualifier", sa.String(), nullable=True),
        sa.Column("procedure_code", sa.String(), nullable=True),
        sa.Column("modifiers", sa.String(), nullable=True),
        sa.Column("revenue_code", sa.String(), nullable=True),
        sa.Column("charge_cents", sa.BigInteger(), nullable=False),
        sa.Column("paid_cents", sa.BigInteger(), nullable=False),
        sa.Column("units", sa.Double(), nullable=True),
        sa.Column("service_date", sa.Date(), nullable=True),
        sa.Column("balanced", sa.Boolean(), nullable=False),
        sa.Column("imbalance_cents", sa.BigInteger(), nullable=False),
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["claim_payment_id"],
            ["claim_payment.id"],
            name=op.f("fk_service_line_payment_claim_payment_id_claim_payment"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_line_payment")),
        sa.UniqueConstraint(
            "claim_payment_id", "seq", name=op.f("uq_service_line_payment_claim_payment_id_seq")
        ),
    )
    op.create_table(
        "adjustment",
        sa.Column(
            "claim_payment_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "service_line_payment_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=True,
        ),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("level", sa.String(), nullable=False),
        sa.Column("group_code", sa.String(), nullable=False),
        sa.Column("carc", sa.String(), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("quantity", sa.Double(), nullable=True),
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["claim_payment_id"],
            ["claim_payment.id"],
            name=op.f("fk_adjustment_claim_payment_id_claim_payment"),
        ),
        sa.ForeignKeyConstraint(
            ["service_line_payment_id"],
            ["service_line_payment.id"],
            name=op.f("fk_adjustment_service_line_payment_id_service_line_payment"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_adjustment")),
        sa.UniqueConstraint(
            "claim_payment_id", "seq", name=op.f("uq_adjustment_claim_payment_id_seq")
        ),
    )
    with op.batch_alter_table("adjustment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_adjustment_carc"), ["carc"], unique=False)

    op.create_table(
        "remark_code",
        sa.Column(
            "claim_payment_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "service_line_payment_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=True,
        ),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(), nullable=False),
        sa.Column("code", sa.String(), nullable=False),
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["claim_payment_id"],
            ["claim_payment.id"],
            name=op.f("fk_remark_code_claim_payment_id_claim_payment"),
        ),
        sa.ForeignKeyConstraint(
            ["service_line_payment_id"],
            ["service_line_payment.id"],
            name=op.f("fk_remark_code_service_line_payment_id_service_line_payment"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_remark_code")),
        sa.UniqueConstraint(
            "claim_payment_id", "seq", name=op.f("uq_remark_code_claim_payment_id_seq")
        ),
    )
    _audit_triggers()


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS audit_event_no_update")
        op.execute("DROP TRIGGER IF EXISTS audit_event_no_delete")
    else:
        op.execute("DROP TRIGGER IF EXISTS audit_event_no_change ON audit_event")
        op.execute("DROP FUNCTION IF EXISTS audit_event_append_only()")

    op.drop_table("remark_code")
    with op.batch_alter_table("adjustment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_adjustment_carc"))

    op.drop_table("adjustment")
    op.drop_table("service_line_payment")
    with op.batch_alter_table("posting", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_posting_posted_at"))
        batch_op.drop_index(batch_op.f("ix_posting_pcn"))

    op.drop_table("posting")
    op.drop_table("diagnosis")
    op.drop_table("claim_other_payer")
    op.drop_table("claim_line")
    with op.batch_alter_table("write_off", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_write_off_posted_at"))

    op.drop_table("write_off")
    with op.batch_alter_table("receivable", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_receivable_pcn"))

    op.drop_table("receivable")
    with op.batch_alter_table("payment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_payment_posted_at"))

    op.drop_table("payment")
    with op.batch_alter_table("claim_version", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_claim_version_claim_id"))

    op.drop_table("claim_version")
    with op.batch_alter_table("claim_status", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_claim_status_trn_reference"))
        batch_op.drop_index(batch_op.f("ix_claim_status_pcn"))
        batch_op.drop_index(batch_op.f("ix_claim_status_claim_id"))

    op.drop_table("claim_status")
    with op.batch_alter_table("claim_payment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_claim_payment_pcn"))
        batch_op.drop_index(batch_op.f("ix_claim_payment_claim_id_payer_id"))

    op.drop_table("claim_payment")
    op.drop_table("provider_adjustment")
    with op.batch_alter_table("override", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_override_overridden_at"))
        batch_op.drop_index(batch_op.f("ix_override_decision_id"))

    op.drop_table("override")
    op.drop_table("guarantor_phi")
    with op.batch_alter_table("dq_failing_key", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dq_failing_key_result_id"))

    op.drop_table("dq_failing_key")
    with op.batch_alter_table("claim", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_claim_payer_id"))
        batch_op.drop_index(batch_op.f("ix_claim_patient_id"))
        batch_op.drop_index(batch_op.f("ix_claim_first_submitted_at"))
        batch_op.drop_index(batch_op.f("ix_claim_facility_id"))

    op.drop_table("claim")
    with op.batch_alter_table("ack_link", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ack_link_submission_id"))

    op.drop_table("ack_link")
    op.drop_table("ack_error")
    with op.batch_alter_table("work_item", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_work_item_subject_type_subject_key"))
        batch_op.drop_index(batch_op.f("ix_work_item_status_due_at"))
        batch_op.drop_index(batch_op.f("ix_work_item_opened_at"))

    op.drop_table("work_item")
    op.drop_table("user_role")
    op.drop_table("user_facility")
    with op.batch_alter_table("submission", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_submission_submitted_at"))
        batch_op.drop_index(batch_op.f("ix_submission_bht_reference"))
        batch_op.drop_index("ix_submission_ack_link")

    op.drop_table("submission")
    with op.batch_alter_table("revenue", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_revenue_period"))

    op.drop_table("revenue")
    with op.batch_alter_table("remit_transaction", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_remit_transaction_received_at"))
        batch_op.drop_index(batch_op.f("ix_remit_transaction_production_date"))
        batch_op.drop_index(batch_op.f("ix_remit_transaction_payer_id"))

    op.drop_table("remit_transaction")
    with op.batch_alter_table("payer_identifier", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_payer_identifier_payer_id"))

    op.drop_table("payer_identifier")
    op.drop_table("patient_phi")
    with op.batch_alter_table("interchange", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_interchange_sender_id_receiver_id_control_number"))

    op.drop_table("interchange")
    with op.batch_alter_table("ingest_warning", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ingest_warning_code_created_at"))

    op.drop_table("ingest_warning")
    with op.batch_alter_table("guarantor", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_guarantor_patient_id"))

    op.drop_table("guarantor")
    op.drop_table("fee_schedule_entry")
    with op.batch_alter_table("facility_npi", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_facility_npi_facility_id"))

    op.drop_table("facility_npi")
    with op.batch_alter_table("encounter", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_encounter_patient_id"))

    op.drop_table("encounter")
    with op.batch_alter_table("dq_result", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dq_result_check_id_run_id"))

    op.drop_table("dq_result")
    op.drop_table("carc_category")
    with op.batch_alter_table("automated_decision", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_automated_decision_decided_at"))

    op.drop_table("automated_decision")
    with op.batch_alter_table("ack_set", schema=None) as batch_op:
        batch_op.drop_index(
            batch_op.f("ix_ack_set_interchange_sender_interchange_receiver_ak1_group_control")
        )

    op.drop_table("ack_set")
    op.drop_table("source_state")
    op.drop_table("source_snapshot_row")
    op.drop_table("source_cursor")
    op.drop_table("scheduler_lock")
    op.drop_table("role")
    with op.batch_alter_table("queue_sample", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_queue_sample_source_sampled_at"))
        batch_op.drop_index(batch_op.f("ix_queue_sample_queue_sampled_at"))

    op.drop_table("queue_sample")
    op.drop_table("payer")
    op.drop_table("patient")
    with op.batch_alter_table("metric_snapshot", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_metric_snapshot_kpi_day"))

    op.drop_table("metric_snapshot")
    op.drop_table("metric_invalidation")
    with op.batch_alter_table("job", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_job_status_requested_at"))

    op.drop_table("job")
    with op.batch_alter_table("interface_message", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_interface_message_status_created_at"))
        batch_op.drop_index(batch_op.f("ix_interface_message_interface_created_at"))

    op.drop_table("interface_message")
    with op.batch_alter_table("inbound_file", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inbound_file_received_at"))

    op.drop_table("inbound_file")
    op.drop_table("governed_version")
    op.drop_table("facility")
    with op.batch_alter_table("dq_run", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dq_run_started_at"))

    op.drop_table("dq_run")
    with op.batch_alter_table("collector_run", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_collector_run_source_started_at"))

    op.drop_table("collector_run")
    with op.batch_alter_table("collector_quarantine", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_collector_quarantine_source_resolved_at"))

    op.drop_table("collector_quarantine")
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_event_subject_type_subject_key"))
        batch_op.drop_index(batch_op.f("ix_audit_event_at"))

    op.drop_table("audit_event")
    op.drop_table("audit_anchor")
    op.drop_table("app_user")
    op.drop_table("app_state")
