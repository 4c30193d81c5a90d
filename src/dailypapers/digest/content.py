"""What goes into a period's digests: the trending list and the period's new papers.

Everything here is loaded once per run and shared by every reader's digest; the personal
part is computed per reader by :mod:`dailypapers.digest.matching`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from dailypapers.db import Database
from dailypapers.models import DailyEntry, Paper
from dailypapers.periods import Period
from dailypapers.store import FeedRepo
from dailypapers.trending import period_trending

MAX_CANDIDATES = 20_000
SUMMARY_CHARS = 230  # about two lines of a mail client's reading pane
_LATEX_COMMAND = re.compile(r"\\[a-zA-Z]+\*?\{([^{}]*)\}")
_LATEX_BARE = re.compile(r"\\([a-zA-Z]+)")


def summary(abstract: str, limit: int = SUMMARY_CHARS) -> str:
    """The start of an abstract as plain text, cut at a word, LaTeX markup simplified."""
    text = _LATEX_COMMAND.sub(r"\1", abstract)
    text = _LATEX_BARE.sub(r"\1", text).replace("$", "")
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(",;:.") + "…"


@dataclass(frozen=True)
class DigestPaper:
    paper_id: int
    arxiv_id: str
    title: str
    authors: list[str]
    summary: str
    upvotes: int
    comments: int
    url: str
    reason: str = ""

    @property
    def authors_line(self) -> str:
        shown = ", ".join(self.authors[:4])
        return shown + (f" and {len(self.authors) - 4} more" if len(self.authors) > 4 else "")


@dataclass
class PeriodPapers:
    """The shared material of one period's digests."""

    period: Period
    trending: list[DigestPaper]
    candidates: list[Paper] = field(default_factory=list)

    @property
    def trending_ids(self) -> set[int]:
        return {p.paper_id for p in self.trending}


def digest_paper(paper: Paper, base_url: str, reason: str = "") -> DigestPaper:
    return DigestPaper(
        paper_id=paper.id,
        arxiv_id=paper.arxiv_id,
        title=" ".join(paper.title.split()),
        authors=list(paper.authors or []),
        summary=summary(paper.abstract or ""),
        upvotes=paper.upvotes,
        comments=paper.num_comments,
        url=f"{base_url.rstrip('/')}/papers/{paper.arxiv_id}",
        reason=reason,
    )


def load_period(db: Database, period: Period, *, base_url: str, trending: int) -> PeriodPapers:
    """The period's trending feed papers and every paper that is new in it."""
    feeds = FeedRepo(db)
    ranked = period_trending(feeds, period.start, period.end, at=period.ends_at, limit=trending)
    top = [digest_paper(item.paper, base_url) for item, _ in ranked]
    on_feed = select(DailyEntry.paper_id).where(
        DailyEntry.day >= period.start,
        DailyEntry.day <= period.end,
        DailyEntry.removed_at.is_(None),
    )
    new_in_period = and_(Paper.published >= period.starts_at, Paper.published < period.ends_at)
    stmt = (
        select(Paper)
        .where(or_(new_in_period, Paper.id.in_(on_feed)), Paper.withdrawn.is_(False))
        .order_by(Paper.id)
        .limit(MAX_CANDIDATES)
    )
    with Session(db.reader, expire_on_commit=False) as session:
        candidates = list(session.scalars(stmt))
    return PeriodPapers(period, top, candidates)
