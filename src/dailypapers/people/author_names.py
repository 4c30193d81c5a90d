"""Author names as keys, and the addresses a paper lists (for verifying claims).

A paper's author is the string its source printed. Two strings are the same author when
they fold to the same key: case, accents, punctuation and spacing aside ("J. Smith",
"j smith" and "J Smith" are one; "John Smith" is another until a claim or an admin merges
them). Keys keep non-Latin letters, so "王伟" has a key of its own.
"""

from __future__ import annotations

import re
import unicodedata

KEY_LENGTH = 200
_WORD = re.compile(r"[^\W_]+")
_ADDRESS = re.compile(r"[A-Za-z0-9._%+-]+@((?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,24})\b")
# Anyone can hold an address here: a shared domain proves nothing about authorship.
SHARED_MAIL_DOMAINS = frozenset(
    [
        "gmail.com",
        "googlemail.com",
        "outlook.com",
        "hotmail.com",
        "live.com",
        "msn.com",
        "yahoo.com",
        "yahoo.co.jp",
        "ymail.com",
        "icloud.com",
        "me.com",
        "mac.com",
        "aol.com",
        "proton.me",
        "protonmail.com",
        "gmx.de",
        "gmx.net",
        "web.de",
        "mail.ru",
        "yandex.ru",
        "qq.com",
        "163.com",
        "126.com",
        "foxmail.com",
        "sina.com",
        "naver.com",
        "hanmail.net",
        "zoho.com",
        "fastmail.com",
        "tutanota.com",
        "hey.com",
    ]
)


def author_key(name: str) -> str:
    """The key of an author's name; empty for a name with no letters or digits."""
    folded = unicodedata.normalize("NFKD", name)
    folded = "".join(c for c in folded if not unicodedata.combining(c)).casefold()
    return "-".join(_WORD.findall(folded))[:KEY_LENGTH].strip("-")


def listed_addresses(*texts: str | None) -> set[str]:
    """The email addresses written in a paper's abstract or comments, lower-cased."""
    found: set[str] = set()
    for text in texts:
        for match in _ADDRESS.finditer(text or ""):
            found.add(match.group(0).lower().rstrip("."))
    return found


def domain_of(address: str) -> str:
    return address.rpartition("@")[2].lower()


def vouches_for(listed: str, email: str) -> bool:
    """Whether an address a paper lists vouches for a user with this verified email: the
    same address, or the same institution's domain (a subdomain either way), never a
    shared mail provider."""
    if listed == email.lower():
        return True
    ours, theirs = domain_of(email), domain_of(listed)
    if ours in SHARED_MAIL_DOMAINS or theirs in SHARED_MAIL_DOMAINS:
        return False
    return ours == theirs or ours.endswith("." + theirs) or theirs.endswith("." + ours)


AUTHORSHIP_COLUMNS = ("paper_id", "position", "author_key", "name")


def authorship_rows(paper_id: int, names: list[str]) -> list[tuple[int, int, str, str]]:
    """The paper_authors rows of one paper (AUTHORSHIP_COLUMNS): every name with a key."""
    rows = []
    for position, name in enumerate(names):
        key = author_key(str(name))
        if key:
            rows.append((paper_id, position, key, str(name)[:500]))
    return rows
