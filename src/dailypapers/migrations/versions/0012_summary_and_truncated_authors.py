"""papers: a summary that is not the authors' (with its source), and cut author lists

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 16:00:00

Hugging Face's one-sentence AI summaries arrive with the demo corpus (they were glued onto
399 abstracts); later sources (an extractive summary, a configured model) fill the same
field. ``authors_truncated`` marks a list the source cut short, so pages say "and others".
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "papers",
        sa.Column("authors_truncated", sa.Boolean(), nullable=False, server_default="0"),
    )
    op.add_column("papers", sa.Column("ai_summary", sa.Text(), nullable=True))
    op.add_column("papers", sa.Column("ai_summary_source", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("papers") as batch:
        batch.drop_column("ai_summary_source")
        batch.drop_column("ai_summary")
        batch.drop_column("authors_truncated")
