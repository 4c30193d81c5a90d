"""Read queries behind the daily feed, trending and the JSON API's lists."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

from sqlalchemy import Select, UnaryExpression, func, select
from sqlalchemy.orm import Session, aliased

from dailypapers.dates import last_day
from dailypapers.db import Database
from dailypapers.models import DailyEntry, Organization, Paper, PaperOrg, User

FeedSort = Literal["upvotes", "newest"]


@dataclass(frozen=True)
class FeedItem:
    paper: Paper
    entry: DailyEntry
    submitter: User | None


@dataclass(frozen=True)
class FeedQuery:
    start: date
    end: date
    sort: FeedSort = "upvotes"
    submitter: str | None = None  # a username
    org: str | None = None  # an organisation's slug: the papers members put it on
    limit: int = 50
    offset: int = 0


# Made once: building an alias costs more than the query it serves (column proxies).
_SUBMITTER = aliased(User)


class FeedRepo:
    """Papers on the daily feed, with their entries and submitters."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def _base(self) -> Select[Paper, DailyEntry, User]:
        submitter = _SUBMITTER
        return (
            select(Paper, DailyEntry, submitter)
            .join(DailyEntry, DailyEntry.paper_id == Paper.id)
            .outerjoin(submitter, submitter.id == DailyEntry.submitted_by_id)
            .where(DailyEntry.removed_at.is_(None))
        )

    def items(self, query: FeedQuery) -> list[FeedItem]:
        stmt = self._base().where(DailyEntry.day >= query.start, DailyEntry.day <= query.end)
        if query.submitter:
            stmt = stmt.where(
                DailyEntry.submitted_by_id.in_(
                    select(User.id).where(User.username == query.submitter)
                )
            )
        if query.org:
            stmt = stmt.where(Paper.id.in_(_org_papers(query.org)))
        order: tuple[UnaryExpression[Any], ...]
        if query.sort == "newest":
            order = (DailyEntry.submitted_at.desc(), Paper.id.desc())
        else:
            order = (Paper.upvotes.desc(), DailyEntry.submitted_at.desc(), Paper.id.desc())
        stmt = stmt.order_by(*order).limit(query.limit).offset(query.offset)
        return self._run(stmt)

    def recent(self, since: datetime, limit: int = 2000) -> list[FeedItem]:
        """Entries submitted since ``since``: the candidates for trending."""
        stmt = (
            self._base()
            .where(DailyEntry.submitted_at >= since)
            .order_by(Paper.upvotes.desc())
            .limit(limit)
        )
        return self._run(stmt)

    def entry_for(self, paper_id: int) -> FeedItem | None:
        found = self._run(self._base().where(Paper.id == paper_id))
        return found[0] if found else None

    def entries_for(self, paper_ids: list[int]) -> dict[int, FeedItem]:
        """The feed entry of each of these papers that is on a daily feed (one query)."""
        if not paper_ids:
            return {}
        found = self._run(self._base().where(Paper.id.in_(paper_ids)))
        return {item.paper.id: item for item in found}

    def org_paper_ids(self, slug: str) -> set[int]:
        with self.db.reader.connect() as conn:
            return set(conn.scalars(_org_papers(slug)))

    def _run(self, stmt: Select[Paper, DailyEntry, User]) -> list[FeedItem]:
        with Session(self.db.reader, expire_on_commit=False) as session:
            rows = session.execute(stmt).all()
        return [FeedItem(paper, entry, user) for paper, entry, user in rows]

    def neighbour_day(self, day: date, *, before: bool) -> date | None:
        """The closest day with papers before (or after) ``day``, within the served dates."""
        column = DailyEntry.day
        agg = func.max(column) if before else func.min(column)
        cond = column < day if before else column > day
        with self.db.reader.connect() as conn:
            found: date | None = conn.scalar(
                select(agg).where(
                    cond, DailyEntry.removed_at.is_(None), DailyEntry.day <= last_day()
                )
            )
        return found

    def latest_day(self) -> date | None:
        """The latest day with papers (days past the served range, from old imports, are not
        shown: pages would compute dates past what a date can hold)."""
        with self.db.reader.connect() as conn:
            found: date | None = conn.scalar(
                select(func.max(DailyEntry.day)).where(
                    DailyEntry.removed_at.is_(None), DailyEntry.day <= last_day()
                )
            )
        return found

    def count(self, start: date, end: date) -> int:
        with self.db.reader.connect() as conn:
            return int(
                conn.scalar(
                    select(func.count())
                    .select_from(DailyEntry)
                    .where(DailyEntry.day >= start, DailyEntry.day <= end)
                    .where(DailyEntry.removed_at.is_(None))
                )
                or 0
            )


def _org_papers(slug: str) -> Select[int]:
    """The papers members put an organisation on."""
    return (
        select(PaperOrg.paper_id)
        .join(Organization, Organization.id == PaperOrg.org_id)
        .where(Organization.slug == slug)
    )
