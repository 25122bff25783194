"""ERP write-offs and payments indexed by patient control number: ingest and the collectors link
them to their claim by PCN (as receivables and postings already were).

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_write_off_pcn", "write_off", ["pcn"])
    op.create_index("ix_payment_pcn", "payment", ["pcn"])


def downgrade() -> None:
    op.drop_index("ix_payment_pcn", table_name="payment")
    op.drop_index("ix_write_off_pcn", table_name="write_off")
