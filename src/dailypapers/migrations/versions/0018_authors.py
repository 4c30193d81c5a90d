"""authors: each paper's authors as keys, author entities, claims and hidden authorships

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-08 01:00:00

Fills paper_authors from the papers already stored (in id order, a batch at a time), with
the same key function the store uses for every later write.
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

from dailypapers.people.author_names import AUTHORSHIP_COLUMNS, authorship_rows

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None
BATCH = 5000


def _fk(table: str, column: str, target: str, ondelete: str) -> sa.ForeignKeyConstraint:
    name = op.f(f"fk_{table}_{column}_{target}")
    return sa.ForeignKeyConstraint([column], [f"{target}.id"], name=name, ondelete=ondelete)


def upgrade() -> None:
    op.create_table(
        "paper_authors",
        sa.Column("paper_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("author_key", sa.String(length=200), nullable=False),
        sa.Column("name", sa.String(length=500), nullable=False),
        _fk("paper_authors", "paper_id", "papers", "CASCADE"),
        sa.PrimaryKeyConstraint("paper_id", "position", name=op.f("pk_paper_authors")),
        sqlite_with_rowid=False,  # the key holds the row: a paper's authors are one seek
    )
    op.create_table(
        "authors",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("name", sa.String(length=500), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("verified_at", sa.DateTime(), nullable=True),
        sa.Column("merged_into_id", sa.Integer(), nullable=True),
        sa.Column("merged_by_id", sa.Integer(), nullable=True),
        sa.Column("merged_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        _fk("authors", "user_id", "users", "SET NULL"),
        _fk("authors", "merged_into_id", "authors", "SET NULL"),
        _fk("authors", "merged_by_id", "users", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_authors")),
        sa.UniqueConstraint("key", name=op.f("uq_authors_key")),
    )
    op.create_index(op.f("ix_authors_user_id"), "authors", ["user_id"])
    op.create_index(op.f("ix_authors_merged_into_id"), "authors", ["merged_into_id"])
    op.create_table(
        "author_claims",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("paper_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("method", sa.String(length=16), nullable=True),
        sa.Column("evidence", sa.String(length=320), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        _fk("author_claims", "user_id", "users", "CASCADE"),
        _fk("author_claims", "author_id", "authors", "CASCADE"),
        _fk("author_claims", "paper_id", "papers", "SET NULL"),
        _fk("author_claims", "decided_by_id", "users", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_author_claims")),
        sa.UniqueConstraint(
            "user_id", "author_id", name=op.f("uq_author_claims_user_id_author_id")
        ),
    )
    op.create_index(op.f("ix_author_claims_status"), "author_claims", ["status"])
    op.create_table(
        "hidden_authorships",
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("paper_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        _fk("hidden_authorships", "author_id", "authors", "CASCADE"),
        _fk("hidden_authorships", "paper_id", "papers", "CASCADE"),
        sa.PrimaryKeyConstraint("author_id", "paper_id", name=op.f("pk_hidden_authorships")),
    )
    _fill_paper_authors()
    op.create_index(
        "ix_paper_authors_author_key_paper_id", "paper_authors", ["author_key", "paper_id"]
    )


def _fill_paper_authors() -> None:
    conn = op.get_bind()
    papers = sa.table("papers", sa.column("id"), sa.column("authors"))
    target = sa.table(
        "paper_authors",
        sa.column("paper_id"),
        sa.column("position"),
        sa.column("author_key"),
        sa.column("name"),
    )
    last = 0
    while True:
        rows = conn.execute(
            sa.select(papers.c.id, papers.c.authors)
            .where(papers.c.id > last)
            .order_by(papers.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            return
        values: list[dict[str, object]] = []
        for paper_id, authors in rows:
            names = json.loads(authors) if isinstance(authors, str) else authors or []
            rows_of = authorship_rows(paper_id, names)
            values.extend(dict(zip(AUTHORSHIP_COLUMNS, row, strict=True)) for row in rows_of)
        if values:
            conn.execute(sa.insert(target), values)
        last = rows[-1][0]


def downgrade() -> None:
    op.drop_table("hidden_authorships")
    op.drop_table("author_claims")
    op.drop_index(op.f("ix_authors_merged_into_id"), table_name="authors")
    op.drop_index(op.f("ix_authors_user_id"), table_name="authors")
    op.drop_table("authors")
    op.drop_index("ix_paper_authors_author_key_paper_id", table_name="paper_authors")
    op.drop_table("paper_authors")
