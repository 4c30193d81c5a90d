"""Fixed-window rate limits kept in the database, so every app process shares them."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select, update

from dailypapers.db import Database
from dailypapers.models import RateLimitWindow, utcnow


def window_start(now: datetime, window: timedelta) -> datetime:
    """The start of the fixed window that holds ``now`` (naive UTC in, naive UTC out)."""
    seconds = int(window.total_seconds())
    epoch = int(now.replace(tzinfo=UTC).timestamp()) // seconds * seconds
    return datetime.fromtimestamp(epoch, UTC).replace(tzinfo=None)


_PLAIN_KEY = re.compile(r"[ -~]{1,200}")  # printable ASCII that fits the column


def storable(key: str) -> str:
    """Keys carry what users typed (an address): anything but short printable ASCII is
    stored as its hash, so a NUL or a 10 kB address cannot break the query."""
    if _PLAIN_KEY.fullmatch(key):
        return key
    return "sha256:" + hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


class RateLimiter:
    def __init__(self, db: Database) -> None:
        self.db = db

    def used(self, key: str, *, window: timedelta, now: datetime | None = None) -> int:
        """Events counted for ``key`` in the current window, counting none."""
        key = storable(key)
        start = window_start(now or utcnow(), window)
        with self.db.reader.connect() as conn:
            count = conn.scalar(
                select(RateLimitWindow.count).where(
                    RateLimitWindow.key == key, RateLimitWindow.window_start == start
                )
            )
        return int(count or 0)

    def hit(self, key: str, *, limit: int, window: timedelta, now: datetime | None = None) -> bool:
        """Count one event for ``key``; False when the window's limit is already used up."""
        key = storable(key)
        start = window_start(now or utcnow(), window)
        table = RateLimitWindow.__table__
        with self.db.writer.begin() as conn:
            conn.execute(
                self.db.backend.insert_ignoring(table, ["key", "window_start"]),
                {"key": key, "window_start": start, "count": 0},
            )
            count = conn.execute(
                update(RateLimitWindow)
                .where(RateLimitWindow.key == key, RateLimitWindow.window_start == start)
                .values(count=RateLimitWindow.count + 1)
                .returning(RateLimitWindow.count)
            ).scalar_one()
            conn.execute(  # forget old windows as we go
                delete(RateLimitWindow).where(
                    RateLimitWindow.key == key, RateLimitWindow.window_start < start
                )
            )
        return int(count) <= limit
