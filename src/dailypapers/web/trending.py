"""Trending lists for pages, feeds and the API (the score itself is dailypapers.ranking)."""

from __future__ import annotations

from datetime import datetime, timedelta

from dailypapers.models import utcnow
from dailypapers.ranking import Trending, TrendingInputs, rank_trending
from dailypapers.store import FeedItem, FeedRepo

WINDOW = timedelta(days=7)


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
    ranked = rank_trending(
        candidates,
        lambda item: TrendingInputs(
            item.paper.upvotes, item.paper.num_comments, item.entry.submitted_at
        ),
        now,
        limit + offset,
    )
    return ranked[offset:]
