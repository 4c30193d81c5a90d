"""organizations, their members, and the papers members put them on

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-08 01:35:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def _fk(table: str, column: str, target: str, ondelete: str) -> sa.ForeignKeyConstraint:
    name = op.f(f"fk_{table}_{column}_{target}")
    return sa.ForeignKeyConstraint([column], [f"{target}.id"], name=name, ondelete=ondelete)


def upgrade() -> None:
    op.create_table(
        "organizations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("website_url", sa.String(length=300), nullable=True),
        sa.Column("logo_file", sa.String(length=40), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        _fk("organizations", "created_by_id", "users", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organizations")),
        sa.UniqueConstraint("slug", name=op.f("uq_organizations_slug")),
    )
    op.create_table(
        "org_members",
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=8), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        _fk("org_members", "org_id", "organizations", "CASCADE"),
        _fk("org_members", "user_id", "users", "CASCADE"),
        sa.PrimaryKeyConstraint("org_id", "user_id", name=op.f("pk_org_members")),
    )
    op.create_index(op.f("ix_org_members_user_id"), "org_members", ["user_id"])
    op.create_table(
        "paper_orgs",
        sa.Column("paper_id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("added_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        _fk("paper_orgs", "paper_id", "papers", "CASCADE"),
        _fk("paper_orgs", "org_id", "organizations", "CASCADE"),
        _fk("paper_orgs", "added_by_id", "users", "SET NULL"),
        sa.PrimaryKeyConstraint("paper_id", "org_id", name=op.f("pk_paper_orgs")),
    )
    op.create_index(op.f("ix_paper_orgs_org_id"), "paper_orgs", ["org_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_paper_orgs_org_id"), table_name="paper_orgs")
    op.drop_table("paper_orgs")
    op.drop_index(op.f("ix_org_members_user_id"), table_name="org_members")
    op.drop_table("org_members")
    op.drop_table("organizations")
