"""Digest periods: a day or an ISO week in the site's time zone (pure).

A period has a stable key (``daily:2026-11-24``, ``weekly:2026-W47``) that the outbox uses,
so any number of runs for the same period plan the same rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dailypapers.digest.interests import check_frequency


@dataclass(frozen=True)
class Period:
    frequency: str
    key: str
    first_day: date
    last_day: date
    start: datetime  # naive UTC, inclusive
    end: datetime  # naive UTC, exclusive

    @property
    def label(self) -> str:
        if self.frequency == "daily":
            return f"{self.first_day:%A, %B} {self.first_day.day}, {self.first_day.year}"
        week = self.first_day.isocalendar()
        return (
            f"week {week.week} of {week.year} "
            f"({self.first_day:%b} {self.first_day.day} – {self.last_day:%b} {self.last_day.day})"
        )


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(
            f"unknown time zone {name!r} (use an IANA name such as Europe/Paris)"
        ) from exc


def _utc(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time.min, tz).astimezone(UTC).replace(tzinfo=None)


def period_containing(frequency: str, day: date, tz: ZoneInfo) -> Period:
    """The daily or weekly period that ``day`` (a local date) belongs to."""
    check_frequency(frequency)
    if frequency == "daily":
        first, last, key = day, day, f"daily:{day.isoformat()}"
    else:
        first = day - timedelta(days=day.weekday())
        last = first + timedelta(days=6)
        iso = first.isocalendar()
        key = f"weekly:{iso.year}-W{iso.week:02d}"
    return Period(frequency, key, first, last, _utc(first, tz), _utc(last + timedelta(days=1), tz))


def last_complete(frequency: str, now: datetime, tz: ZoneInfo) -> Period:
    """The latest period that has ended by ``now`` (naive UTC): yesterday, or last week."""
    local_today = now.replace(tzinfo=UTC).astimezone(tz).date()
    step = timedelta(days=1 if frequency == "daily" else 7)
    return period_containing(frequency, local_today - step, tz)
