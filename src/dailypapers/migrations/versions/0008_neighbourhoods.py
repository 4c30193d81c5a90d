"""neighbourhoods: how crowded each paper's embedding neighbourhood is; (model, updated_at)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 21:30:00

Semantic search subtracts a share of each candidate's mean similarity to its nearest
neighbours (hubness reduction, see search/neighbourhood.py). The figure is measured once per
vector, with the number of vectors it was measured among so it can be measured again when
the corpus has grown. Both NULL until measured.

The ANN mirror's once-a-second check (count and newest vector of a model) read every row
of the table; an index on (model, updated_at) answers it alone and replaces the one on
updated_at.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("paper_embeddings", sa.Column("neighbour_similarity", sa.Float()))
    op.add_column("paper_embeddings", sa.Column("neighbour_corpus", sa.Integer()))
    op.create_index(  # finds what needs measuring without reading every vector
        op.f("ix_paper_embeddings_model_neighbour_corpus"),
        "paper_embeddings",
        ["model", "neighbour_corpus"],
    )
    op.drop_index(op.f("ix_paper_embeddings_updated_at"), "paper_embeddings")
    op.create_index(
        op.f("ix_paper_embeddings_model_updated_at"), "paper_embeddings", ["model", "updated_at"]
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_paper_embeddings_model_updated_at"), "paper_embeddings")
    op.create_index(op.f("ix_paper_embeddings_updated_at"), "paper_embeddings", ["updated_at"])
    op.drop_index(op.f("ix_paper_embeddings_model_neighbour_corpus"), "paper_embeddings")
    with op.batch_alter_table("paper_embeddings") as batch:
        batch.drop_column("neighbour_corpus")
        batch.drop_column("neighbour_similarity")
