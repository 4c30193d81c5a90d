"""The kinds of notification, what each says, and how each is mailed by default.

Every kind always shows under the bell; mail is the recipient's choice per kind: off,
instant (one mail each) or daily (one mail a day with all of that day's).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dailypapers.errors import InvalidInput

CHOICES = ("instant", "daily", "off")
CHOICE_LABELS = {"instant": "Mail me at once", "daily": "Once a day", "off": "No mail"}


@dataclass(frozen=True)
class Kind:
    name: str
    label: str  # in Settings: what the choice is about
    default: str  # instant | daily | off


KINDS = (
    Kind("reply", "Replies to your comments", "instant"),
    Kind("mention", "Mentions of you", "instant"),
    Kind("paper", "New papers by authors you follow", "daily"),
    Kind("trending", "Your papers in the day's top 10 or trending", "instant"),
    Kind("claim", "Decisions on your authorship claims", "instant"),
    Kind("moderation", "Moderators acting on your comments or submissions", "instant"),
)
BY_NAME = {kind.name: kind for kind in KINDS}


def choice_of(choices: dict[str, Any] | None, kind: str) -> str:
    """The user's mail choice for a kind (its default when they never chose)."""
    chosen = (choices or {}).get(kind)
    return str(chosen) if chosen in CHOICES else BY_NAME[kind].default


def checked_choices(given: dict[str, str]) -> dict[str, str]:
    """A complete, valid set of choices from a form; InvalidInput names a bad one."""
    choices = {}
    for kind in KINDS:
        value = given.get(kind.name, kind.default)
        if value not in CHOICES:
            raise InvalidInput(f"{kind.label}: choose instant, daily or off.")
        choices[kind.name] = value
    return choices
