"""usernames for every account: accounts made by `dailypapers user create` had none

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 15:00:00

Their comments said "None" and their profile was unreachable. Each such account (or one
whose name is no longer allowed, such as "None") gets a free name derived from its address,
which is now the only way accounts are made (accounts.repo.create_user, with a checked or
derived name). The column stays nullable in the schema: on SQLite, NOT NULL means rebuilding
the users table, and dropping it with foreign keys on would cascade to sessions and comments.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from dailypapers.accounts.names import UsernameError, check_username, derive_username

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def _needs_name(username: str | None) -> bool:
    if username is None:
        return True
    try:
        check_username(username)
    except UsernameError:
        return True
    return False


def upgrade() -> None:
    conn = op.get_bind()
    users = conn.execute(sa.text("SELECT id, email, username FROM users ORDER BY id")).all()
    taken = {u.username.lower() for u in users if not _needs_name(u.username)}
    for user in users:
        if not _needs_name(user.username):
            continue
        name = derive_username(user.email, lambda n: n.lower() in taken)
        taken.add(name.lower())
        conn.execute(
            sa.text("UPDATE users SET username = :name WHERE id = :id"),
            {"name": name, "id": user.id},
        )


def downgrade() -> None:
    """The derived names stay: they are valid names, and harmless."""
