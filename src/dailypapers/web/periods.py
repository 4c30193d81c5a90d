"""Day, ISO-week and month periods of the daily feed: parsing, labels and neighbours."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from dailypapers.dates import in_range, served_range

Kind = Literal["date", "week", "month"]
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")  # ASCII digits only: \d matches '٢'
_WEEK = re.compile(r"([0-9]{4})-W([0-9]{2})")
_MONTH = re.compile(r"([0-9]{4})-([0-9]{2})")


class BadPeriod(ValueError):
    """A period string that does not parse; the message shows the expected form."""


@dataclass(frozen=True)
class Period:
    kind: Kind
    start: date
    end: date

    @property
    def key(self) -> str:
        if self.kind == "date":
            return self.start.isoformat()
        if self.kind == "week":
            year, week, _ = self.start.isocalendar()
            return f"{year}-W{week:02d}"
        return self.start.strftime("%Y-%m")

    @property
    def label(self) -> str:
        if self.kind == "date":
            return self.start.strftime("%A, %B %-d, %Y")
        if self.kind == "week":
            return (
                f"Week {self.start.isocalendar()[1]}, {self.start:%b %-d} – {self.end:%b %-d, %Y}"
            )
        return self.start.strftime("%B %Y")

    @property
    def url(self) -> str:
        return f"/papers/{self.kind}/{self.key}"

    def shifted(self, steps: int) -> Period:
        """The period ``steps`` before (negative) or after (positive) this one."""
        if self.kind == "date":
            return day_period(self.start + timedelta(days=steps))
        if self.kind == "week":
            return week_period(self.start + timedelta(weeks=steps))
        month_index = self.start.year * 12 + self.start.month - 1 + steps
        return month_period(date(month_index // 12, month_index % 12 + 1, 1))


def day_period(day: date) -> Period:
    return Period("date", day, day)


def week_period(day: date) -> Period:
    start = day - timedelta(days=day.weekday())
    return Period("week", start, start + timedelta(days=6))


def month_period(day: date) -> Period:
    start = day.replace(day=1)
    following = (start + timedelta(days=32)).replace(day=1)
    return Period("month", start, following - timedelta(days=1))


def parse_period(kind: Kind, text: str) -> Period:
    """Parse YYYY-MM-DD, YYYY-Www or YYYY-MM into a period within the served dates."""
    outside = BadPeriod(f"{text} is outside the dates served here ({served_range()})")
    try:
        period = _parse(kind, text)
    except OverflowError:  # e.g. the last week of 9999 ends in the year 10000
        raise outside from None
    if period is None:
        expected = {"date": "YYYY-MM-DD", "week": "YYYY-Www (e.g. 2026-W06)", "month": "YYYY-MM"}
        raise BadPeriod(f"{text[:40]!r} is not a {kind}: expected {expected[kind]}")
    if not (in_range(period.start) and in_range(period.end)):
        raise outside
    return period


def _parse(kind: Kind, text: str) -> Period | None:
    try:
        if kind == "date" and _DAY.fullmatch(text):
            return day_period(date.fromisoformat(text))
        if kind == "week" and (m := _WEEK.fullmatch(text)):
            return week_period(date.fromisocalendar(int(m[1]), int(m[2]), 1))
        if kind == "month" and (m := _MONTH.fullmatch(text)):
            return month_period(date(int(m[1]), int(m[2]), 1))
    except ValueError:
        pass
    return None
