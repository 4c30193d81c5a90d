"""A user's public profile: what they may write in it, checked, and the links it shows.

Everything here comes from a form, so every field is checked and normalised before it is
stored; pages render it as text (autoescaped), never as markup. Links are built from
checked identifiers (a GitHub username, an ORCID iD), not from what was typed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from dailypapers.errors import InvalidInput
from dailypapers.models import User
from dailypapers.text import normalize_abstract, normalize_line

MAX_DISPLAY_NAME = 100
MAX_BIO = 500
MAX_URL = 300
_GITHUB = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}")
_ORCID = re.compile(r"(\d{4})-?(\d{4})-?(\d{4})-?(\d{3}[\dX])")
_SCHOLAR = re.compile(r"[A-Za-z0-9_-]{12}")


class ProfileError(InvalidInput):
    """A field the user must correct, worded for them."""


@dataclass(frozen=True)
class ProfileInput:
    display_name: str | None = None
    bio: str | None = None
    website_url: str | None = None
    github_username: str | None = None
    orcid: str | None = None
    scholar_id: str | None = None
    show_submissions: bool = True
    show_comments: bool = True
    show_upvotes: bool = False


@dataclass(frozen=True)
class ProfileLink:
    label: str
    url: str
    text: str


def check_profile(
    *,
    display_name: str = "",
    bio: str = "",
    website: str = "",
    github: str = "",
    orcid: str = "",
    scholar: str = "",
    show_submissions: bool = True,
    show_comments: bool = True,
    show_upvotes: bool = False,
) -> ProfileInput:
    """The form's values checked and normalised; raises ProfileError naming the field."""
    name = normalize_line(display_name)
    if len(name) > MAX_DISPLAY_NAME:
        raise ProfileError(f"Display name: at most {MAX_DISPLAY_NAME} characters, please.")
    about = normalize_abstract(bio)
    if len(about) > MAX_BIO:
        raise ProfileError(f"Bio: at most {MAX_BIO} characters, please ({len(about)} now).")
    return ProfileInput(
        display_name=name or None,
        bio=about or None,
        website_url=_website(website),
        github_username=_github(github),
        orcid=_orcid(orcid),
        scholar_id=_scholar(scholar),
        show_submissions=show_submissions,
        show_comments=show_comments,
        show_upvotes=show_upvotes,
    )


def _website(value: str) -> str | None:
    url = value.strip()
    if not url:
        return None
    parts = urlsplit(url)
    host = parts.hostname or ""
    valid = parts.scheme in ("http", "https") and "." in host and not parts.username
    if not valid or len(url) > MAX_URL or any(c.isspace() for c in url):
        raise ProfileError("Website: an http:// or https:// address, like https://example.org.")
    return url


def _github(value: str) -> str | None:
    name = value.strip().removeprefix("@")
    if name.lower().startswith(("https://github.com/", "http://github.com/", "github.com/")):
        name = name.split("github.com/", 1)[1].strip("/")
    if not name:
        return None
    if not _GITHUB.fullmatch(name):
        raise ProfileError("GitHub: a GitHub username (letters, digits and single hyphens).")
    return name


def _orcid(value: str) -> str | None:
    text = value.strip().removeprefix("https://orcid.org/").removeprefix("orcid.org/")
    if not text:
        return None
    match = _ORCID.fullmatch(text.upper())
    if not match or not _orcid_checksum_ok("".join(match.groups())):
        raise ProfileError("ORCID: an ORCID iD like 0000-0002-1825-0097 (its check digit too).")
    return "-".join(match.groups())


def _orcid_checksum_ok(digits: str) -> bool:
    """ISO 7064 MOD 11-2, as ORCID specifies for the last character."""
    total = 0
    for digit in digits[:-1]:
        total = (total + int(digit)) * 2
    check = (12 - total % 11) % 11
    return digits[-1] == ("X" if check == 10 else str(check))


def _scholar(value: str) -> str | None:
    text = value.strip()
    if "scholar.google." in text:
        text = parse_qs(urlsplit(text).query).get("user", [""])[0]
    if not text:
        return None
    if not _SCHOLAR.fullmatch(text):
        raise ProfileError("Google Scholar: your profile's address, or the 12-character user id.")
    return text


def links_of(user: User) -> list[ProfileLink]:
    """The profile's links, each built from a checked identifier."""
    links = []
    if user.website_url:
        shown = urlsplit(user.website_url).netloc.removeprefix("www.")
        links.append(ProfileLink("Website", user.website_url, shown))
    if user.github_username:
        url = f"https://github.com/{user.github_username}"
        links.append(ProfileLink("GitHub", url, user.github_username))
    if user.orcid:
        links.append(ProfileLink("ORCID", f"https://orcid.org/{user.orcid}", user.orcid))
    if user.scholar_id:
        url = f"https://scholar.google.com/citations?user={user.scholar_id}"
        links.append(ProfileLink("Google Scholar", url, "Google Scholar"))
    return links
