"""Small, strict converters for fields that arrive from files and feeds."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from email.utils import parsedate_to_datetime

from dailypapers.dates import in_range, served_range
from dailypapers.text import normalize_line

_WITHDRAWN = re.compile(
    r"\b(this (paper|article|submission) (has been|is) withdrawn|"
    r"withdrawn by (the )?(author|arxiv|admin))",
    re.IGNORECASE,
)
_VERSION = re.compile(r"v?([1-9]\d{0,3})", re.ASCII)


class FieldError(ValueError):
    """A field has the wrong type or an unreadable value; the message says which."""


def to_naive_utc(value: datetime) -> datetime:
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value


def parse_datetime(value: object, field: str) -> datetime | None:
    """ISO date/datetime or RFC 2822 ('Mon, 2 Apr 2007 19:18:42 GMT') → naive UTC, within
    the dates the service serves."""
    moment = _parse_datetime(value, field)
    if moment is not None and not in_range(moment):
        raise FieldError(f"field {field!r} is {moment.date()}, outside {served_range()}")
    return moment


def _parse_datetime(value: object, field: str) -> datetime | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise FieldError(f"field {field!r} must be a date string")
    text = value.strip()
    try:
        if len(text) == 10:
            return datetime.combine(date.fromisoformat(text), datetime.min.time())
        return to_naive_utc(datetime.fromisoformat(text.replace("Z", "+00:00")))
    except ValueError:
        pass
    try:
        return to_naive_utc(parsedate_to_datetime(text))
    except (TypeError, ValueError, IndexError) as exc:
        raise FieldError(f"field {field!r} is not a date: {text[:40]!r}") from exc


def parse_day(value: object, field: str) -> date | None:
    moment = parse_datetime(value, field)
    return moment.date() if moment else None


def optional_text(value: object, field: str, *, max_len: int = 10_000) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise FieldError(f"field {field!r} must be a string")
    cleaned = normalize_line(value)
    return cleaned[:max_len] or None


def string_list(value: object, field: str) -> list[str] | None:
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise FieldError(f"field {field!r} must be a list of strings")
    return [cleaned for v in value if (cleaned := normalize_line(v))]


def split_categories(value: str | None) -> list[str] | None:
    """arXiv writes categories space-separated, the primary one first."""
    if value is None:
        return None
    return [c for c in value.split() if c]


def optional_bool(value: object, field: str) -> bool | None:
    if value is None:
        return None
    if not isinstance(value, bool):
        raise FieldError(f"field {field!r} must be true or false")
    return value


def optional_int(value: object, field: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise FieldError(f"field {field!r} must be a non-negative integer")
    return value


def parse_version(value: str) -> int:
    m = _VERSION.fullmatch(value.strip())
    if not m:
        raise FieldError(f"bad version {value[:20]!r}")
    return int(m.group(1))


def looks_withdrawn(comments: str | None) -> bool:
    """arXiv marks a withdrawal in the comments of the withdrawing version."""
    return bool(comments and _WITHDRAWN.search(comments))


def http_url(value: object, field: str) -> str | None:
    """Only absolute http(s) URLs are kept; anything else (javascript:, data:) is refused."""
    text = optional_text(value, field, max_len=512)
    if text is None:
        return None
    if not re.match(r"https?://[^\s/$.?#][^\s]*$", text, re.IGNORECASE):
        raise FieldError(f"field {field!r} is not an http(s) URL")
    return text
