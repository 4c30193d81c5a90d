"""The one table from a service's error kind to an HTTP status, for pages and the API alike."""

from __future__ import annotations

from dailypapers.errors import (
    Conflict,
    Forbidden,
    InvalidInput,
    LimitReached,
    NotFound,
    ServiceError,
    Unavailable,
)

STATUS: dict[type[ServiceError], int] = {
    InvalidInput: 400,
    Forbidden: 403,
    NotFound: 404,
    Conflict: 409,
    LimitReached: 429,
    Unavailable: 503,
}


def status_of(exc: ServiceError) -> int:
    """The status of the most specific kind ``exc`` is (its class's MRO, first match)."""
    for cls in type(exc).__mro__:
        if cls in STATUS:
            return STATUS[cls]
    return 400
