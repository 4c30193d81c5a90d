"""Trending, in one place: the score, and the lists that pages, feeds, the API and the
digests show.

The score is pure and documented:

    score = (upvotes + COMMENT_WEIGHT × comments) / (age_hours + AGE_OFFSET_HOURS) ^ GRAVITY

Points come from votes and discussion; they decay with the time since the paper was put on
the daily feed, as on Hacker News. ``GRAVITY`` sets how fast: at 1.5 a paper needs about
2.8× the points to match one a day younger at the one-day mark. The offset keeps brand-new
papers from dividing by almost nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TypeVar

from dailypapers.models import utcnow
from dailypapers.store import FeedItem, FeedQuery, FeedRepo

COMMENT_WEIGHT = 2.0
AGE_OFFSET_HOURS = 2.0
GRAVITY = 1.5
WINDOW = timedelta(days=7)  # what "trending now" looks back over
MAX_CANDIDATES = 20_000  # a period's feed papers considered for its trending list

T = TypeVar("T")


@dataclass(frozen=True)
class TrendingInputs:
    upvotes: int
    comments: int
    submitted_at: datetime


@dataclass(frozen=True)
class Trending:
    score: float
    points: float
    age_hours: float
    upvotes: int
    comments: int

    def explain(self) -> str:
        """The 'why is this trending' line shown next to a paper."""
        return (
            f"{self.upvotes} upvotes + {COMMENT_WEIGHT:g}×{self.comments} comments "
            f"= {self.points:g} points, {self.age_hours:.0f} h on the feed: "
            f"{self.points:g} / ({self.age_hours:.0f} + {AGE_OFFSET_HOURS:g})^{GRAVITY:g} "
            f"= {self.score:.3f}"
        )


def trending_score(inputs: TrendingInputs, now: datetime) -> Trending:
    """Score one paper as of ``now`` (ages below zero count as zero)."""
    age_hours = max(0.0, (now - inputs.submitted_at).total_seconds() / 3600)
    points = inputs.upvotes + COMMENT_WEIGHT * inputs.comments
    score = points / (age_hours + AGE_OFFSET_HOURS) ** GRAVITY
    return Trending(score, points, age_hours, inputs.upvotes, inputs.comments)


def rank_trending(
    items: Sequence[T], inputs: Callable[[T], TrendingInputs], now: datetime, limit: int
) -> list[tuple[T, Trending]]:
    """The ``limit`` best-scoring items, highest first; ties go to more upvotes."""
    scored = [(item, trending_score(inputs(item), now)) for item in items]
    scored.sort(key=lambda pair: (pair[1].score, pair[1].upvotes), reverse=True)
    return scored[:limit]


def _inputs(item: FeedItem) -> TrendingInputs:
    return TrendingInputs(item.paper.upvotes, item.paper.num_comments, item.entry.submitted_at)


def reference_time(feeds: FeedRepo, now: datetime | None = None) -> datetime:
    """'Now' for trending: the present, or the end of the latest feed day if that is older.

    A quiet instance (or the bundled demo) then shows what trended most recently rather
    than an empty page.
    """
    now = now or utcnow()
    latest = feeds.latest_day()
    if latest is None:
        return now
    end_of_latest = datetime.combine(latest, datetime.min.time()) + timedelta(days=1)
    return min(now, end_of_latest) if end_of_latest < now - WINDOW else now


def trending_items(feeds: FeedRepo, limit: int, offset: int = 0) -> list[tuple[FeedItem, Trending]]:
    """Papers of the window with at least one upvote or comment, by score: a paper nobody
    has reacted to is not trending, however new."""
    now = reference_time(feeds)
    candidates = [
        item
        for item in feeds.recent(since=now - WINDOW)
        if item.paper.upvotes > 0 or item.paper.num_comments > 0
    ]
    return rank_trending(candidates, _inputs, now, limit + offset)[offset:]


def period_trending(
    feeds: FeedRepo, first: date, last: date, *, at: datetime, limit: int
) -> list[tuple[FeedItem, Trending]]:
    """The feed papers of the days ``first``…``last`` by their score as of ``at`` (a
    digest's list: scored when its period ended)."""
    items = feeds.items(FeedQuery(first, last, sort="upvotes", limit=MAX_CANDIDATES))
    return rank_trending(items, _inputs, at, limit)
