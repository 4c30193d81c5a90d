"""The search page: one box, filters as form controls, highlighted snippets."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from dailypapers.models import Paper, User
from dailypapers.search.query import parse_query, without_operators
from dailypapers.search.service import Hit
from dailypapers.search.snippets import Segments
from dailypapers.web.deps import ServicesDep, UserDep
from dailypapers.web.render import cards_context, render
from dailypapers.web.services import Services

router = APIRouter(include_in_schema=False)  # HTML pages: not part of the API
PAGE = 20
Short = Annotated[str, Query(max_length=40)]


FILTER_KEYS = ("cat", "after", "before")


def controls(q: str, cat: str, after: str, before: str) -> dict[str, str]:
    """The filter controls' values: what the form set, else what the box says."""
    parsed = parse_query(q)
    return {
        "cat": " ".join(cat.split()) or " ".join(parsed.categories),
        "after": after or (parsed.after.isoformat() if parsed.after else ""),
        "before": before or (parsed.before.isoformat() if parsed.before else ""),
    }


def compose(q: str, cat: str, after: str, before: str) -> str:
    """The whole query, as the box shows it: the box's own words and operators, with the
    filter controls written in as operators (a control overrides the box's operator)."""
    values = controls(q, cat, after, before)
    parts = [without_operators(q.strip(), FILTER_KEYS)]
    parts += [f"cat:{c}" for c in values["cat"].split()]
    parts += [f"{key}:{values[key]}" for key in ("after", "before") if values[key]]
    return " ".join(p for p in parts if p)


@dataclass(frozen=True)
class Card:
    """A search result as the one paper card shows it (macros.paper_item)."""

    paper: Paper
    submitter: User | None
    snippet: Segments


def cards(services: Services, hits: list[Hit]) -> list[Card]:
    entries = services.feeds.entries_for([hit.paper.id for hit in hits])
    return [
        Card(
            hit.paper,
            entries[hit.paper.id].submitter if hit.paper.id in entries else None,
            hit.snippet,
        )
        for hit in hits
    ]


@router.get("/search", response_class=HTMLResponse)
def search_page(
    request: Request,
    services: ServicesDep,
    user: UserDep,
    q: Annotated[str, Query(max_length=10_000)] = "",
    sort: Literal["relevance", "newest", "upvotes"] = "relevance",
    cat: Short = "",
    after: Short = "",
    before: Short = "",
    p: Annotated[int, Query(ge=0, le=50)] = 0,
    literal: Annotated[bool, Query()] = False,
) -> HTMLResponse:
    full = compose(q, cat, after, before)
    result = services.search.search(full, limit=PAGE, offset=p * PAGE, sort=sort, literal=literal)
    return render(
        request,
        "search.html",
        {
            "q": full,  # the box shows every filter as an operator, and the controls too
            "full": full,
            "sort": sort,
            "page": p,
            "result": result,
            "cards": cards(services, result.hits),
            "has_more": len(result.hits) == PAGE,
            "literal": literal,
        }
        | cards_context(services, user, [h.paper.id for h in result.hits])
        | controls(full, "", "", ""),
    )
