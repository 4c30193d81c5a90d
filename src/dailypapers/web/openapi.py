"""What the API documents about its answers: every error is ``{"error": "…"}``."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Path
from pydantic import BaseModel

from dailypapers.arxiv_ids import ID_PATTERN

# The schema describes the canonical forms; the server also takes "arXiv:…" and links, and
# explains what it refuses (400 with the accepted forms) rather than a bare pattern failure.
ArxivIdPath = Annotated[
    str,
    Path(
        description="An arXiv id: 2602.01234, 2602.01234v2 or hep-th/9901001",
        json_schema_extra={"pattern": f"^{ID_PATTERN}$", "examples": ["2602.01234"]},
    ),
]

DESCRIPTIONS = {
    400: "Malformed input (e.g. not an arXiv identifier), explained in `error`; a request "
    "line over 64 kB is refused by the server in plain text",
    401: "Missing or unknown API token",
    403: "Not allowed for this account",
    404: "No such paper or comment here, or no papers served for that date, week or month",
    409: "Already on the daily feed",
    422: "A parameter or the body does not match its schema",
    429: "A rate limit was reached",
    503: "arXiv or the database did not answer; try again shortly (see Retry-After)",
}


class ApiError(BaseModel):
    error: str


def errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` for these error codes (422 replaces FastAPI's default shape)."""
    documented: dict[int | str, dict[str, Any]] = {}
    for code in codes:
        documented[code] = {"model": ApiError, "description": DESCRIPTIONS[code]}
        if code == 400:  # a request line over the server's limit never reaches the app
            documented[code]["content"] = {"text/plain": {"schema": {"type": "string"}}}
    return documented


def feed_responses(*extra: int) -> dict[int | str, dict[str, Any]]:
    """A feed's answers; ``extra``: error statuses beyond the usual (404 for an author's)."""
    feed = {"schema": {"type": "string"}}
    return {
        200: {
            "description": "An Atom or RSS document",
            "content": {"application/atom+xml": feed, "application/rss+xml": feed},
        },
        **errors(400, 422, 503, *extra),
    }
