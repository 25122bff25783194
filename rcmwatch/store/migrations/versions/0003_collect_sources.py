"""Collectors: queue samples, quarantined source rows, source cursors, snapshot rows

Chained to 0001, the head when the collectors branch was cut; a KPI revision (0002) may land
beside it, in which case the two are re-chained at merge.

Revision ID: 0003
Revises: 0001
Create Date: 2026-11-27 07:50:28.140484
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0003"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
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


def downgrade() -> None:
    op.drop_table("source_snapshot_row")
    op.drop_table("source_cursor")
    with op.batch_alter_table("queue_sample", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_queue_sample_source_sampled_at"))
        batch_op.drop_index(batch_op.f("ix_queue_sample_queue_sampled_at"))

    op.drop_table("queue_sample")
    with op.batch_alter_table("collector_quarantine", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_collector_quarantine_source_resolved_at"))

    op.drop_table("collector_quarantine")
