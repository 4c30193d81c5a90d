"""The range of dates the service deals in: from arXiv's first year to a year from now.

Anything outside it is a typo or an attack (9999-12-31, 0001-01-01); refusing it at the
edges means no page ever computes a date past what ``datetime.date`` can hold.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

FIRST_DAY = date(1991, 1, 1)  # arXiv opened in August 1991
LEAD = timedelta(days=366)


def last_day(today: date | None = None) -> date:
    return (today or date.today()) + LEAD


def served_range() -> str:
    return f"{FIRST_DAY.isoformat()} … {last_day().isoformat()}"


def in_range(day: date | datetime) -> bool:
    value = day.date() if isinstance(day, datetime) else day
    return FIRST_DAY <= value <= last_day()
