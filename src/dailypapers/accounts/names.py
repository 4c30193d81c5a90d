"""Usernames: what a valid one looks like, which are reserved, and deriving one from an
address (for accounts made from the command line)."""

from __future__ import annotations

import re
from collections.abc import Callable

MAX_LENGTH = 30
# ASCII only: a username is a URL path segment, and '\w' would admit look-alike letters.
_USERNAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{1,29}")
RULE = "Usernames have 2–30 letters, digits, '-' or '_', starting with a letter or digit."

# Names that read as something else on the site: paths, roles and placeholder words.
_RESERVED_WORDS = """
about account accounts admin administrator anonymous api app auth billing blog collections
comment comments contact daily dailypapers dashboard docs feed feeds guest health help
home info login logout mail me metrics moderation moderator mod new none nobody null
official owner papers password postmaster privacy register reset root search security
settings signin signout signup static staff submit support sysadmin system team terms
test token tokens trending undefined unknown user users verify webmaster www
"""
RESERVED = frozenset(_RESERVED_WORDS.split())


class UsernameError(ValueError):
    """A username that cannot be used; the message is worded for the user."""


def check_username(name: str) -> str:
    """``name`` if it is well-formed and not reserved (case does not matter)."""
    if not _USERNAME.fullmatch(name):
        raise UsernameError(RULE)
    if name.lower() in RESERVED:
        raise UsernameError(f"The username {name!r} is reserved; please choose another.")
    return name


def derive_username(email: str, taken: Callable[[str], bool]) -> str:
    """A free, valid username from the address's local part: 'ada.lovelace' → 'ada-lovelace',
    then 'ada-lovelace-2', … when taken."""
    local = email.split("@", 1)[0]
    base = re.sub(r"[^A-Za-z0-9]+", "-", local).strip("-_")[: MAX_LENGTH - 4].lower()
    if len(base) < 2 or base in RESERVED:
        base = f"user-{base}".strip("-") if base else "user"
    candidate, n = base, 1
    while taken(candidate):
        n += 1
        candidate = f"{base}-{n}"
    return candidate
