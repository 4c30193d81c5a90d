"""fts categories: arXiv categories in the SQLite FTS5 index, so cat: filters join the MATCH

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25 10:45:00

A `cat:` filter used to be a LIKE on the JSON column checked against a long candidate list,
with a filtered scan when too few passed; as an FTS5 column it is part of the MATCH, and
bm25() scores only papers in the category. PostgreSQL is unchanged.
"""

from __future__ import annotations

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

COLUMNS = {
    "old": ("title", "abstract", "authors"),
    "new": ("title", "abstract", "authors", "categories"),
}


def _statements(columns: tuple[str, ...]) -> list[str]:
    names = ", ".join(columns)
    new = ", ".join(f"new.{c}" for c in columns)
    old = ", ".join(f"old.{c}" for c in columns)
    return [
        "DROP TRIGGER IF EXISTS papers_fts_ai",
        "DROP TRIGGER IF EXISTS papers_fts_ad",
        "DROP TRIGGER IF EXISTS papers_fts_au",
        "DROP TABLE IF EXISTS papers_fts_vocab",
        "DROP TABLE IF EXISTS papers_fts",
        f"""CREATE VIRTUAL TABLE papers_fts USING fts5(
            {names}, content='papers', content_rowid='id',
            tokenize='porter unicode61 remove_diacritics 2')""",
        "CREATE VIRTUAL TABLE papers_fts_vocab USING fts5vocab(papers_fts, row)",
        f"""CREATE TRIGGER papers_fts_ai AFTER INSERT ON papers BEGIN
            INSERT INTO papers_fts(rowid, {names}) VALUES (new.id, {new}); END""",  # noqa: S608 - fixed column names
        f"""CREATE TRIGGER papers_fts_ad AFTER DELETE ON papers BEGIN
            INSERT INTO papers_fts(papers_fts, rowid, {names})
            VALUES ('delete', old.id, {old}); END""",  # noqa: S608
        f"""CREATE TRIGGER papers_fts_au AFTER UPDATE OF {names} ON papers BEGIN
            INSERT INTO papers_fts(papers_fts, rowid, {names})
            VALUES ('delete', old.id, {old});
            INSERT INTO papers_fts(rowid, {names}) VALUES (new.id, {new}); END""",  # noqa: S608
        "INSERT INTO papers_fts(papers_fts) VALUES ('rebuild')",
    ]


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for statement in _statements(COLUMNS["new"]):
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for statement in _statements(COLUMNS["old"]):
            op.execute(statement)
