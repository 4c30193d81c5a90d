"""What a reader wants in the personal section of a digest (pure: parsing and validation)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from dailypapers.errors import InvalidInput

FREQUENCIES = ("daily", "weekly")
MAX_QUERY_CHARS = 500
MAX_ITEMS = 10
MAX_AUTHOR_CHARS = 100
_CATEGORY = re.compile(r"[a-z][a-z-]{0,15}(\.[A-Za-z][A-Za-z-]{0,15})?")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_SPLIT = re.compile(r"[,;\n]+")


class SubscriptionError(InvalidInput):
    """A problem with a subscription request, worded for the reader."""


@dataclass(frozen=True)
class Interests:
    query: str = ""
    categories: tuple[str, ...] = ()
    authors: tuple[str, ...] = ()
    like_upvoted: bool = False

    @property
    def is_empty(self) -> bool:
        return not (self.query or self.categories or self.authors or self.like_upvoted)

    def to_dict(self) -> dict[str, Any]:
        return {
            "q": self.query,
            "c": list(self.categories),
            "a": list(self.authors),
            "u": self.like_upvoted,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Interests:
        return cls(
            str(data.get("q", "")),
            tuple(str(c) for c in data.get("c", [])),
            tuple(str(a) for a in data.get("a", [])),
            bool(data.get("u", False)),
        )

    def describe(self) -> str:
        """One line for mails and pages: what the personal section looks for."""
        parts = []
        if self.query:
            parts.append(f"“{self.query}”")
        if self.categories:
            parts.append("in " + ", ".join(self.categories))
        if self.authors:
            parts.append("by " + ", ".join(self.authors))
        if self.like_upvoted:
            parts.append("like the papers you upvoted")
        return "; ".join(parts) or "trending papers only"


def _clean(value: str) -> str:
    return " ".join(_CONTROL.sub(" ", value).split())


def check_frequency(frequency: str) -> str:
    if frequency not in FREQUENCIES:
        raise SubscriptionError("Choose a daily or a weekly digest.")
    return frequency


def parse_interests(
    query: str = "", categories: str = "", authors: str = "", like_upvoted: bool = False
) -> Interests:
    """Interests from form fields: a query, comma-separated categories and authors."""
    cleaned_query = _clean(query)
    if len(cleaned_query) > MAX_QUERY_CHARS:
        raise SubscriptionError(f"Keep the topics under {MAX_QUERY_CHARS} characters.")
    cats = [c for c in (_clean(part) for part in re.split(r"[,;\s]+", categories)) if c]
    for category in cats:
        if not _CATEGORY.fullmatch(category):
            raise SubscriptionError(
                f"“{category[:40]}” is not an arXiv category (e.g. cs.CL, math.PR, hep-th)."
            )
    names = [a for a in (_clean(part) for part in _SPLIT.split(authors)) if a]
    if any(len(a) > MAX_AUTHOR_CHARS for a in names):
        raise SubscriptionError(f"Author names have at most {MAX_AUTHOR_CHARS} characters.")
    if len(cats) > MAX_ITEMS or len(names) > MAX_ITEMS:
        raise SubscriptionError(f"Follow at most {MAX_ITEMS} categories and {MAX_ITEMS} authors.")
    return Interests(
        cleaned_query,
        tuple(dict.fromkeys(cats)),
        tuple(dict.fromkeys(names)),
        like_upvoted,
    )
