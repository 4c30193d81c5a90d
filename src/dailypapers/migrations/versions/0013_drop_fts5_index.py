"""drop the SQLite FTS5 index: tantivy is the embedded engine's one keyword index

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 19:00:00

Since tantivy ranks every search and applies every filter (its `authors` field answers
author filters accent- and case-insensitively, as FTS5 did), the FTS5 table only cost
imports its triggers. PostgreSQL is unchanged. The downgrade rebuilds it as 0006 made it.
"""

from __future__ import annotations

import importlib

from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

DROP = [
    "DROP TRIGGER IF EXISTS papers_fts_ai",
    "DROP TRIGGER IF EXISTS papers_fts_ad",
    "DROP TRIGGER IF EXISTS papers_fts_au",
    "DROP TABLE IF EXISTS papers_fts_vocab",
    "DROP TABLE IF EXISTS papers_fts",
]


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for statement in DROP:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        fts = importlib.import_module("dailypapers.migrations.versions.0006_fts_categories")
        for statement in fts._statements(fts.COLUMNS["new"]):
            op.execute(statement)
