"""Milestones of your papers: in the day's top 10, or on the trending list.

Checked before each round of notification mail (at most every few minutes): each paper in
the latest day's top 10 (with at least one upvote) and in the top 10 of trending tells its
submitter and its verified authors, once per day (top 10) or ISO week (trending), written
in one transaction with the check.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from dailypapers.db import Database
from dailypapers.people.identities import Identities
from dailypapers.people.notifications import NewNotification, notify
from dailypapers.store import FeedItem, FeedQuery, FeedRepo
from dailypapers.trending import trending_items

TOP = 10
Label = Callable[[int], tuple[str, str]]  # rank → (subject prefix, what to say)
EVERY_SECONDS = 300.0


class Milestones:
    def __init__(self, db: Database, feeds: FeedRepo, identities: Identities) -> None:
        self.db = db
        self.feeds = feeds
        self.identities = identities
        self._lock = threading.Lock()
        self._checked = -EVERY_SECONDS

    def check(self, *, force: bool = False) -> None:
        """Notify what reached the top since the last check (throttled unless forced)."""
        with self._lock:
            if not force and time.monotonic() - self._checked < EVERY_SECONDS:
                return
            self._checked = time.monotonic()
        rows = self._top_of_the_day() + self._trending()
        if rows:
            with self.db.writer.begin() as conn:
                notify(conn, self.db.backend, rows)

    def _top_of_the_day(self) -> list[NewNotification]:
        day = self.feeds.latest_day()
        if day is None:
            return []
        query = FeedQuery(day, day, sort="upvotes", limit=TOP)
        items = [item for item in self.feeds.items(query) if item.paper.upvotes > 0]
        return self._tell(
            items, lambda rank: (f"top:{day.isoformat()}", f"#{rank} of {day:%d %B %Y}")
        )

    def _trending(self) -> list[NewNotification]:
        items = [item for item, _ in trending_items(self.feeds, TOP)]
        if not items:
            return []
        year, week, _ = items[0].entry.day.isocalendar()
        week_key = f"trending:{year}-W{week:02d}"
        return self._tell(items, lambda rank: (week_key, f"#{rank} in trending"))

    def _tell(self, items: list[FeedItem], label: Label) -> list[NewNotification]:
        who = self.identities.of(item.paper.id for item in items)
        rows = []
        for rank, item in enumerate(items, 1):
            prefix, detail = label(rank)
            told = set(who[item.paper.id].user_ids) if item.paper.id in who else set()
            if item.entry.submitted_by_id is not None:
                told.add(item.entry.submitted_by_id)
            subject = f"{prefix}:{item.paper.id}"
            for user_id in sorted(told):
                note = NewNotification(
                    user_id, "trending", subject, paper_id=item.paper.id, detail=detail
                )
                rows.append(note)
        return rows
