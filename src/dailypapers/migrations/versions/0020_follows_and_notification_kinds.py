"""follows, and notifications of every kind (papers, trending, claims, moderation) with a
mail choice per kind (off, instant, daily)

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-08 01:20:00
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "follows",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("target", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_follows_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_follows")),
        sa.UniqueConstraint(
            "user_id", "kind", "target", name=op.f("uq_follows_user_id_kind_target")
        ),
    )
    op.create_index("ix_follows_kind_target", "follows", ["kind", "target"])
    with op.batch_alter_table("notifications") as batch:
        batch.alter_column("paper_id", existing_type=sa.Integer(), nullable=True)
        batch.alter_column("comment_id", existing_type=sa.Integer(), nullable=True)
        batch.add_column(sa.Column("subject", sa.String(length=120), nullable=True))
        batch.add_column(sa.Column("detail", sa.String(length=300), nullable=True))
        batch.add_column(sa.Column("link", sa.String(length=300), nullable=True))
        batch.add_column(sa.Column("mail_state", sa.String(length=8), nullable=True))
        batch.create_unique_constraint(
            op.f("uq_notifications_user_id_subject"), ["user_id", "subject"]
        )
    op.add_column("users", sa.Column("mail_choices", sa.JSON(), nullable=True))
    _carry_mail_choices()
    with op.batch_alter_table("users") as batch:
        batch.drop_column("mail_replies")
        batch.drop_column("mail_mentions")


def _carry_mail_choices() -> None:
    conn = op.get_bind()
    users = sa.table(
        "users",
        sa.column("id"),
        sa.column("mail_replies"),
        sa.column("mail_mentions"),
        sa.column("mail_choices", sa.JSON()),
    )
    rows = conn.execute(
        sa.select(users.c.id, users.c.mail_replies, users.c.mail_mentions).where(
            sa.or_(users.c.mail_replies != "instant", users.c.mail_mentions != "instant")
        )
    ).all()
    for user_id, replies, mentions in rows:
        choices = json.dumps({"reply": replies, "mention": mentions})
        conn.execute(
            sa.text("UPDATE users SET mail_choices = :c WHERE id = :id"),
            {"c": choices, "id": user_id},
        )


def downgrade() -> None:
    for name in ("mail_replies", "mail_mentions"):
        op.add_column(
            "users",
            sa.Column(name, sa.String(length=8), nullable=False, server_default="instant"),
        )
    with op.batch_alter_table("users") as batch:
        batch.drop_column("mail_choices")
    op.execute("DELETE FROM notifications WHERE comment_id IS NULL")
    with op.batch_alter_table("notifications") as batch:
        batch.drop_constraint(op.f("uq_notifications_user_id_subject"), type_="unique")
        for name in ("mail_state", "link", "detail", "subject"):
            batch.drop_column(name)
        batch.alter_column("comment_id", existing_type=sa.Integer(), nullable=False)
        batch.alter_column("paper_id", existing_type=sa.Integer(), nullable=False)
    op.drop_index("ix_follows_kind_target", table_name="follows")
    op.drop_table("follows")
