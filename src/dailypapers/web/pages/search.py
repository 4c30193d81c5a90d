"""The search page: one box, filters as form controls, highlighted snippets."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from dailypapers.web.deps import ServicesDep
from dailypapers.web.render import render

router = APIRouter(include_in_schema=False)  # HTML pages: not part of the API
PAGE = 20
Short = Annotated[str, Query(max_length=40)]


def compose(q: str, cat: str, after: str, before: str) -> str:
    """The form's controls, written into the query language the box understands."""
    parts = [q.strip()]
    if cat.strip():
        parts.append(f"cat:{cat.strip().split()[0]}")
    if after:
        parts.append(f"after:{after}")
    if before:
        parts.append(f"before:{before}")
    return " ".join(p for p in parts if p)


@router.get("/search", response_class=HTMLResponse)
def search_page(
    request: Request,
    services: ServicesDep,
    q: Annotated[str, Query(max_length=10_000)] = "",
    sort: Literal["relevance", "newest", "upvotes"] = "relevance",
    cat: Short = "",
    after: Short = "",
    before: Short = "",
    p: Annotated[int, Query(ge=0, le=50)] = 0,
) -> HTMLResponse:
    full = compose(q, cat, after, before)
    result = services.search.search(full, limit=PAGE, offset=p * PAGE, sort=sort)
    return render(
        request,
        "search.html",
        {
            "q": q,
            "full": full,
            "sort": sort,
            "cat": cat,
            "after": after,
            "before": before,
            "page": p,
            "result": result,
            "has_more": len(result.hits) == PAGE,
        },
    )
