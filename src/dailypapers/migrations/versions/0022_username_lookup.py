"""an index on lower(username), for @mentions and their autocomplete

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-08 02:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_users_lower_username", "users", [sa.text("lower(username)")])


def downgrade() -> None:
    op.drop_index("ix_users_lower_username", table_name="users")
