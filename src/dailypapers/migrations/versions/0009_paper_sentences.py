"""paper sentences: each paper's sentences embedded one by one, for "similar papers"

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 04:00:00

Similar papers re-ranks the head of its list by matching sentences (search/sentences.py):
CSFCube judges similarity per facet, which one whole-paper vector blurs. The vectors are
int8 rows (one per sentence, title first), filled by a background pass after the paper
vectors and their neighbourhoods; a paper without them keeps its place.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "paper_sentences",
        sa.Column("paper_id", sa.Integer(), nullable=False),
        sa.Column("model", sa.String(length=64), nullable=False),
        sa.Column("vectors", sa.LargeBinary(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["paper_id"],
            ["papers.id"],
            name=op.f("fk_paper_sentences_paper_id_papers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("paper_id", name=op.f("pk_paper_sentences")),
    )
    op.create_index(op.f("ix_paper_sentences_model"), "paper_sentences", ["model"])


def downgrade() -> None:
    op.drop_index(op.f("ix_paper_sentences_model"), "paper_sentences")
    op.drop_table("paper_sentences")
