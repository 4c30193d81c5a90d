"""The trending score: a pure function, tested by its documented properties."""

from __future__ import annotations

from datetime import datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from dailypapers.trending import (
    AGE_OFFSET_HOURS,
    COMMENT_WEIGHT,
    GRAVITY,
    TrendingInputs,
    rank_trending,
    trending_score,
)

NOW = datetime(2026, 2, 10, 12, 0)


def inputs(upvotes: int, comments: int = 0, hours: float = 0) -> TrendingInputs:
    return TrendingInputs(upvotes, comments, NOW - timedelta(hours=hours))


def test_the_documented_formula() -> None:
    result = trending_score(inputs(10, 3, hours=22), NOW)
    expected = (10 + COMMENT_WEIGHT * 3) / (22 + AGE_OFFSET_HOURS) ** GRAVITY
    assert abs(result.score - expected) < 1e-12
    assert result.points == 16 and round(result.age_hours) == 22
    assert "10 upvotes + 2×3 comments = 16 points, 22 h on the feed" in result.explain()


def test_a_day_older_needs_about_2_8_times_the_points() -> None:
    young = trending_score(inputs(10, hours=22), NOW).score
    old = trending_score(inputs(28, hours=46), NOW).score
    assert abs(old / young - 1) < 0.05


def test_future_timestamps_count_as_new() -> None:
    assert trending_score(inputs(5, hours=-3), NOW).age_hours == 0


@given(st.integers(0, 10_000), st.integers(0, 1000), st.floats(0, 10_000))
def test_more_votes_or_comments_never_hurt_and_age_never_helps(
    upvotes: int, comments: int, hours: float
) -> None:
    base = trending_score(inputs(upvotes, comments, hours), NOW).score
    assert trending_score(inputs(upvotes + 1, comments, hours), NOW).score > base
    assert trending_score(inputs(upvotes, comments + 1, hours), NOW).score > base
    assert trending_score(inputs(upvotes, comments, hours + 1), NOW).score <= base


def test_rank_trending_orders_and_truncates() -> None:
    items = {
        "old-popular": inputs(100, hours=200),
        "fresh": inputs(20, 2, hours=3),
        "new-quiet": inputs(1, hours=1),
        "mid": inputs(30, hours=20),
    }
    ranked = rank_trending(list(items), items.__getitem__, NOW, limit=3)
    assert [name for name, _ in ranked] == ["fresh", "mid", "new-quiet"]
