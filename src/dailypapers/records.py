"""PaperRecord: one paper's metadata as a source reported it, before it is stored.

Every source (JSON Lines, arXiv's snapshot, the API, OAI-PMH, the listing feed) produces
these. ``None`` means "this source does not say", so merging never erases what another
source or the community added.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any


@dataclass(slots=True)
class PaperRecord:
    arxiv_id: str
    title: str
    abstract: str | None = None
    authors: list[str] | None = None
    categories: list[str] | None = None
    version: int | None = None
    published: datetime | None = None
    updated: datetime | None = None
    comments: str | None = None
    journal_ref: str | None = None
    doi: str | None = None
    license: str | None = None
    withdrawn: bool | None = None
    github_url: str | None = None
    project_url: str | None = None
    authors_truncated: bool | None = None  # the source cut the author list short
    # A one-sentence summary that is not the authors' (e.g. Hugging Face's AI summary),
    # and where it came from.
    ai_summary: str | None = None
    ai_summary_source: str | None = None
    # Community data carried by some files (the demo feed): a daily-list day and upvotes.
    daily_day: date | None = None
    upvotes: int | None = None
    extra: dict[str, str] = field(default_factory=dict)

    def paper_values(self) -> dict[str, Any]:
        """The columns this record sets on the papers table (unknown fields left out)."""
        values: dict[str, Any] = {"title": self.title}
        optional = {
            "abstract": self.abstract,
            "authors": self.authors,
            "categories": self.categories,
            "primary_category": self.categories[0] if self.categories else None,
            "version": self.version,
            "published": self.published,
            "updated": self.updated,
            "comments": self.comments,
            "journal_ref": self.journal_ref,
            "doi": self.doi,
            "license": self.license,
            "withdrawn": self.withdrawn,
            "github_url": self.github_url,
            "project_url": self.project_url,
            "authors_truncated": self.authors_truncated,
            "ai_summary": self.ai_summary,
            "ai_summary_source": self.ai_summary_source,
            "imported_upvotes": self.upvotes,
        }
        values.update({k: v for k, v in optional.items() if v is not None})
        return values
