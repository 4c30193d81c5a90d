"""Days, ISO weeks and months: the feed's pages and the digests' periods (pure).

A period is a range of local dates in a time zone (UTC unless said otherwise). The feed
reads its dates; a digest also reads the UTC instants it spans, and keys its outbox rows
by ``digest_key`` (``daily:2026-11-24``, ``weekly:2026-W47``), so any number of runs for
the same period plan the same rows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dailypapers.dates import FIRST_DAY, in_range, last_day, served_range
from dailypapers.errors import InvalidInput, NotFound

Kind = Literal["date", "week", "month"]
# The forms, published in the API schema too. ASCII digits only: '\d' also matches '٢'.
FORMS: dict[Kind, str] = {
    "date": "([0-9]{4})-([0-9]{2})-([0-9]{2})",
    "week": "([0-9]{4})-W([0-9]{2})",
    "month": "([0-9]{4})-([0-9]{2})",
}
FREQUENCY: dict[Kind, str] = {"date": "daily", "week": "weekly", "month": "monthly"}
KIND_OF: dict[str, Kind] = {frequency: kind for kind, frequency in FREQUENCY.items()}
DIGEST_FREQUENCIES = ("daily", "weekly")
UTC_ZONE = ZoneInfo("UTC")


class BadPeriod(InvalidInput):
    """A period string that does not parse; the message shows the expected form."""


class NoSuchPeriod(NotFound, BadPeriod):
    """A period of the right form that does not exist or is not served."""


@dataclass(frozen=True)
class Period:
    kind: Kind
    start: date  # first day, inclusive
    end: date  # last day, inclusive
    zone: ZoneInfo = field(default=UTC_ZONE, compare=False)

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

    @property
    def frequency(self) -> str:
        return FREQUENCY[self.kind]

    @property
    def digest_key(self) -> str:
        return f"{self.frequency}:{self.key}"

    @property
    def starts_at(self) -> datetime:
        """The first instant, as naive UTC (inclusive)."""
        return _utc(self.start, self.zone)

    @property
    def ends_at(self) -> datetime:
        """The instant after the last day, as naive UTC (exclusive)."""
        return _utc(self.end + timedelta(days=1), self.zone)

    def around(self, day: date) -> Period:
        """The period of the same kind that holds ``day``."""
        return period_of(self.kind, day, self.zone)

    def shifted(self, steps: int) -> Period:
        """The period ``steps`` before (negative) or after (positive) this one."""
        if self.kind == "date":
            return day_period(self.start + timedelta(days=steps))
        if self.kind == "week":
            return week_period(self.start + timedelta(weeks=steps))
        month_index = self.start.year * 12 + self.start.month - 1 + steps
        return month_period(date(month_index // 12, month_index % 12 + 1, 1))


def _utc(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time.min, tz).astimezone(UTC).replace(tzinfo=None)


def day_period(day: date, tz: ZoneInfo = UTC_ZONE) -> Period:
    return Period("date", day, day, tz)


def week_period(day: date, tz: ZoneInfo = UTC_ZONE) -> Period:
    start = day - timedelta(days=day.weekday())
    return Period("week", start, start + timedelta(days=6), tz)


def month_period(day: date, tz: ZoneInfo = UTC_ZONE) -> Period:
    start = day.replace(day=1)
    following = (start + timedelta(days=32)).replace(day=1)
    return Period("month", start, following - timedelta(days=1), tz)


def period_of(kind: Kind, day: date, tz: ZoneInfo = UTC_ZONE) -> Period:
    """The day, ISO week or month that holds ``day``."""
    return {"date": day_period, "week": week_period, "month": month_period}[kind](day, tz)


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(
            f"unknown time zone {name!r} (use an IANA name such as Europe/Paris)"
        ) from exc


def period_containing(frequency: str, day: date, tz: ZoneInfo) -> Period:
    """The daily or weekly digest period that ``day`` (a local date) belongs to."""
    if frequency not in DIGEST_FREQUENCIES:
        raise ValueError(f"no {frequency!r} digests: choose daily or weekly")
    return period_of(KIND_OF[frequency], day, tz)


def last_complete(frequency: str, now: datetime, tz: ZoneInfo) -> Period:
    """The latest digest period that has ended by ``now`` (naive UTC): yesterday, or last
    week, in the site's time zone."""
    local_today = now.replace(tzinfo=UTC).astimezone(tz).date()
    step = timedelta(days=1 if frequency == "daily" else 7)
    return period_containing(frequency, local_today - step, tz)


def parse_period(kind: Kind, text: str) -> Period:
    """Parse YYYY-MM-DD, YYYY-Www or YYYY-MM into a period within the served dates.

    Text not of the form is a :class:`BadPeriod`; text of the form that names no such
    period (2026-02-30, 2021-W53) or one outside the served dates is :class:`NoSuchPeriod`.
    """
    form = FORMS[kind]
    match = re.fullmatch(form, text)
    if match is None:
        expected = {"date": "YYYY-MM-DD", "week": "YYYY-Www (e.g. 2026-W06)", "month": "YYYY-MM"}
        raise BadPeriod(f"{text[:40]!r} is not a {kind}: expected {expected[kind]}")
    outside = NoSuchPeriod(f"{text} is outside the dates served here ({served_range()}).")
    parts = [int(part) for part in match.groups()]
    if not FIRST_DAY.year <= parts[0] <= last_day().year:
        raise outside  # before computing: the last week of 9999 ends in the year 10000
    try:
        period = _from_parts(kind, parts)
    except ValueError:
        raise NoSuchPeriod(f"There is no {kind} {text}.") from None
    if not (in_range(period.start) and in_range(period.end)):
        raise outside
    return period


def _from_parts(kind: Kind, parts: list[int]) -> Period:
    if kind == "date":
        return day_period(date(*parts))
    if kind == "week":
        return week_period(date.fromisocalendar(parts[0], parts[1], 1))
    return month_period(date(parts[0], parts[1], 1))
