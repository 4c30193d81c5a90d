"""Day, ISO-week and month periods of the feed."""

from __future__ import annotations

from datetime import date

import pytest

from dailypapers.periods import BadPeriod, parse_period


def test_week_follows_iso_weeks_across_years() -> None:
    week = parse_period("week", "2026-W01")
    assert (week.start, week.end) == (date(2025, 12, 29), date(2026, 1, 4))
    assert week.key == "2026-W01" and week.url == "/papers/week/2026-W01"
    assert week.shifted(-1).key == "2025-W52"


def test_month_bounds_and_neighbours() -> None:
    month = parse_period("month", "2024-02")
    assert (month.start, month.end) == (date(2024, 2, 1), date(2024, 2, 29))
    assert month.shifted(-2).key == "2023-12" and month.shifted(11).key == "2025-01"
    assert month.label == "February 2024"


def test_day() -> None:
    day = parse_period("date", "2026-02-27")
    assert day.shifted(1).key == "2026-02-28" and day.label == "Friday, February 27, 2026"


@pytest.mark.parametrize(
    ("kind", "text"),
    [
        ("date", "2026-02-30"),
        ("date", "yesterday"),
        ("week", "2026-W54"),
        ("week", "2026-06"),
        ("month", "2026-13"),
        ("month", "2026-W06"),
        ("date", "9" * 50),
    ],
)
def test_bad_periods_are_clear(kind: str, text: str) -> None:
    # Not of the form: the form is shown; of the form but no such period: that is said.
    with pytest.raises(BadPeriod, match=r"expected|There is no|outside the dates served"):
        parse_period(kind, text)  # type: ignore[arg-type]
