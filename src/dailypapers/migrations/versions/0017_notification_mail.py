"""notification mail: a choice per kind (instant or off) and when each was queued

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07 23:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for name in ("mail_replies", "mail_mentions"):
        op.add_column(
            "users",
            sa.Column(name, sa.String(length=8), nullable=False, server_default="instant"),
        )
    op.add_column("notifications", sa.Column("mailed_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("notifications") as batch:
        batch.drop_column("mailed_at")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("mail_mentions")
        batch.drop_column("mail_replies")
