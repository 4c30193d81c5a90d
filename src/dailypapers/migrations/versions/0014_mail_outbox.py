"""mail outbox: every notice (confirmation, reset, subscription links) is queued, then sent

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 22:00:00

Pages used to send these inline and log a failure; now they insert a row and a sender
with retries delivers it (digests keep their own per-period outbox).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "mail_outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("recipient", sa.String(length=320), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("message_id", sa.String(length=255), nullable=False),
        sa.Column("dedupe_key", sa.String(length=200), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=True),
        sa.Column("claimed_by", sa.String(length=64), nullable=True),
        sa.Column("claimed_until", sa.DateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mail_outbox")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_mail_outbox_dedupe_key")),
    )
    op.create_index(op.f("ix_mail_outbox_recipient"), "mail_outbox", ["recipient"])
    op.create_index(op.f("ix_mail_outbox_status"), "mail_outbox", ["status"])


def downgrade() -> None:
    op.drop_index(op.f("ix_mail_outbox_status"), table_name="mail_outbox")
    op.drop_index(op.f("ix_mail_outbox_recipient"), table_name="mail_outbox")
    op.drop_table("mail_outbox")
