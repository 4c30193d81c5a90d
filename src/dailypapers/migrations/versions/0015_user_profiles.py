"""user profiles: bio, links (website, GitHub, ORCID, Google Scholar) and what is public

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 23:00:00

Submissions and comments stay public as before; upvotes are private unless the user
shows them.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

TEXT_COLUMNS = [
    ("bio", sa.Text()),
    ("website_url", sa.String(length=300)),
    ("github_username", sa.String(length=39)),
    ("orcid", sa.String(length=19)),
    ("scholar_id", sa.String(length=20)),
]
SHOWN = [("show_submissions", True), ("show_comments", True), ("show_upvotes", False)]


def upgrade() -> None:
    for name, kind in TEXT_COLUMNS:
        op.add_column("users", sa.Column(name, kind, nullable=True))
    for name, shown in SHOWN:
        default = sa.true() if shown else sa.false()
        op.add_column(
            "users", sa.Column(name, sa.Boolean(), nullable=False, server_default=default)
        )


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        for name, _ in [*SHOWN, *TEXT_COLUMNS][::-1]:
            batch.drop_column(name)
