"""Trending: a pure, documented score.

    score = (upvotes + COMMENT_WEIGHT × comments) / (age_hours + AGE_OFFSET_HOURS) ^ GRAVITY

Points come from votes and discussion; they decay with the time since the paper was put on
the daily feed, as on Hacker News. ``GRAVITY`` sets how fast: at 1.5 a paper needs about
2.8× the points to match one a day younger at the one-day mark. The offset keeps brand-new
papers from dividing by almost nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

COMMENT_WEIGHT = 2.0
AGE_OFFSET_HOURS = 2.0
GRAVITY = 1.5

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
