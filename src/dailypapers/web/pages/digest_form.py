"""The digest fields shared by /subscribe, a subscription's manage page and Settings."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Annotated

from fastapi import Depends, Form

from dailypapers.digest.interests import Interests, parse_interests
from dailypapers.models import Subscription

Long = Annotated[str, Form(max_length=2000)]


@dataclass(frozen=True)
class DigestChoice:
    """What the form says, as typed (shown again when it has a problem)."""

    frequency: str = "daily"
    query: str = ""
    categories: str = ""
    authors: str = ""
    like_upvoted: bool = False

    @classmethod
    def of(cls, sub: Subscription | None) -> DigestChoice:
        if sub is None:
            return cls()
        categories, authors = ", ".join(sub.categories), ", ".join(sub.authors)
        return cls(sub.frequency, sub.query, categories, authors, sub.like_upvoted)

    def interests(self) -> Interests:
        """Raises SubscriptionError with a message for the reader."""
        return parse_interests(self.query, self.categories, self.authors, self.like_upvoted)

    def fields(self) -> dict[str, object]:
        return asdict(self)


def digest_choice(
    frequency: Annotated[str, Form(max_length=10)] = "daily",
    query: Long = "",
    categories: Long = "",
    authors: Long = "",
    like_upvoted: Annotated[bool, Form()] = False,
) -> DigestChoice:
    return DigestChoice(frequency, query, categories, authors, like_upvoted)


DigestForm = Annotated[DigestChoice, Depends(digest_choice)]
