"""search changes: a log of changed papers for the SQLite engine's tantivy keyword index

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25 14:00:00

The keyword index of the embedded engine lives beside the database (tantivy, under the data
directory). Triggers write every inserted, updated or deleted paper to `search_changes`, in
commit order (AUTOINCREMENT never reuses a number): the index applies the log from the last
number it reflects, so it follows the table exactly without timestamps, and rebuilds from
the papers when the log it needs was already pruned. PostgreSQL is unchanged (its full-text
index is a generated column).
"""

from __future__ import annotations

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

UPGRADE = [
    """CREATE TABLE search_changes (
        seq INTEGER PRIMARY KEY AUTOINCREMENT, paper_id INTEGER NOT NULL)""",
    """CREATE TRIGGER search_changes_ai AFTER INSERT ON papers BEGIN
        INSERT INTO search_changes(paper_id) VALUES (new.id); END""",
    """CREATE TRIGGER search_changes_au
        AFTER UPDATE OF title, abstract, authors, categories, published ON papers BEGIN
        INSERT INTO search_changes(paper_id) VALUES (new.id); END""",
    """CREATE TRIGGER search_changes_ad AFTER DELETE ON papers BEGIN
        INSERT INTO search_changes(paper_id) VALUES (old.id); END""",
]
DOWNGRADE = [
    "DROP TRIGGER IF EXISTS search_changes_ai",
    "DROP TRIGGER IF EXISTS search_changes_au",
    "DROP TRIGGER IF EXISTS search_changes_ad",
    "DROP TABLE IF EXISTS search_changes",
]


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for statement in UPGRADE:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for statement in DOWNGRADE:
            op.execute(statement)
