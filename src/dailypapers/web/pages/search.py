"""The search page (title words for now; the search issue brings hybrid search)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from dailypapers.web.deps import ServicesDep
from dailypapers.web.render import render

router = APIRouter()


@router.get("/search", response_class=HTMLResponse)
def search_page(
    request: Request, services: ServicesDep, q: Annotated[str, Query(max_length=10_000)] = ""
) -> HTMLResponse:
    results = services.store.search_titles(q, 50) if q.strip() else []
    return render(request, "search.html", {"q": q, "results": results})
