"""Papers, the daily lists, harvesting state and the search vectors."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from dailypapers.arxiv_ids import abs_url, pdf_url
from dailypapers.backend.types import EmbeddingVector
from dailypapers.models.base import Base, utcnow


class Paper(Base):
    """An arXiv paper, identified by its canonical id without version."""

    __tablename__ = "papers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    arxiv_id: Mapped[str] = mapped_column(String(64), unique=True)
    version: Mapped[int | None] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(Text)
    abstract: Mapped[str] = mapped_column(Text, default="")
    authors: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Primary category first; primary_category repeats it for indexed filtering.
    categories: Mapped[list[str]] = mapped_column(JSON, default=list)
    primary_category: Mapped[str | None] = mapped_column(String(64), index=True)
    published: Mapped[datetime | None] = mapped_column(DateTime, index=True)
    updated: Mapped[datetime | None] = mapped_column(DateTime)
    comments: Mapped[str | None] = mapped_column(Text)
    journal_ref: Mapped[str | None] = mapped_column(Text)
    doi: Mapped[str | None] = mapped_column(String(255))
    license: Mapped[str | None] = mapped_column(String(255))
    withdrawn: Mapped[bool] = mapped_column(Boolean, default=False)
    github_url: Mapped[str | None] = mapped_column(String(512))
    project_url: Mapped[str | None] = mapped_column(String(512))
    authors_truncated: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    ai_summary: Mapped[str | None] = mapped_column(Text)
    ai_summary_source: Mapped[str | None] = mapped_column(String(64))
    # Upvotes carried in by an import (e.g. the demo feed); community votes add to it.
    imported_upvotes: Mapped[int] = mapped_column(Integer, default=0)
    upvotes: Mapped[int] = mapped_column(Integer, default=0, index=True)
    # Visible comments, kept in step with the comments table in the same transactions.
    num_comments: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    modified_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    @property
    def abs_url(self) -> str:
        return abs_url(self.arxiv_id)

    @property
    def pdf_url(self) -> str:
        return pdf_url(self.arxiv_id)


class DailyEntry(Base):
    """A paper on the daily feed of one day. A paper is on the feed at most once."""

    __tablename__ = "daily_entries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    paper_id: Mapped[int] = mapped_column(ForeignKey("papers.id", ondelete="CASCADE"), unique=True)
    day: Mapped[date] = mapped_column(Date, index=True)
    submitted_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    submitted_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # Moderation: a removed entry leaves the feed but keeps blocking resubmission.
    removed_at: Mapped[datetime | None] = mapped_column(DateTime)
    removed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class HarvestState(Base):
    """Progress of a resumable harvest, saved with each page's papers."""

    __tablename__ = "harvest_states"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    resumption_token: Mapped[str | None] = mapped_column(Text)
    pages: Mapped[int] = mapped_column(Integer, default=0)
    records: Mapped[int] = mapped_column(Integer, default=0)
    complete_list_size: Mapped[int | None] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(DateTime)


class PaperEmbedding(Base):
    """A paper's sentence embedding under one model, and the text hash it was made from."""

    __tablename__ = "paper_embeddings"
    # The ANN mirror checks (count, newest) per model every second: an index answers it
    # without reading the vectors (a table scan took 190 ms on 74k papers).
    # Likewise, finding vectors whose neighbourhood needs measuring (search/neighbourhood.py).
    __table_args__ = (
        Index(None, "model", "updated_at"),
        Index(None, "model", "neighbour_corpus"),
    )

    paper_id: Mapped[int] = mapped_column(
        ForeignKey("papers.id", ondelete="CASCADE"), primary_key=True
    )
    model: Mapped[str] = mapped_column(String(64))
    text_hash: Mapped[str] = mapped_column(String(32))
    vector: Mapped[Any] = mapped_column(EmbeddingVector(384))
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # Mean similarity to the nearest neighbours, and how many vectors there were then
    # (search/neighbourhood.py); NULL until measured.
    neighbour_similarity: Mapped[float | None] = mapped_column(Float)
    neighbour_corpus: Mapped[int | None] = mapped_column(Integer)


class PaperSentences(Base):
    """A paper's sentences (title first), each embedded alone: int8 rows, one per sentence.
    "Similar papers" re-ranks its head by sentence matching (search/sentences.py)."""

    __tablename__ = "paper_sentences"

    paper_id: Mapped[int] = mapped_column(
        ForeignKey("papers.id", ondelete="CASCADE"), primary_key=True
    )
    model: Mapped[str] = mapped_column(String(64), index=True)
    vectors: Mapped[bytes] = mapped_column(LargeBinary)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class PaperAuthor(Base):
    """One author of one paper, as printed and as a key (people/author_names.py): written
    with the paper in the same transaction, so an author's papers are one indexed lookup."""

    __tablename__ = "paper_authors"

    paper_id: Mapped[int] = mapped_column(
        ForeignKey("papers.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    author_key: Mapped[str] = mapped_column(String(200))
    name: Mapped[str] = mapped_column(String(500))

    __table_args__ = (
        Index("ix_paper_authors_author_key_paper_id", "author_key", "paper_id"),
        {"sqlite_with_rowid": False},  # the key holds the row: a paper's authors are one seek
    )
