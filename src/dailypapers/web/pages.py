"""Server-rendered pages."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, PlainTextResponse

from dailypapers.web.deps import StoreDep

router = APIRouter()


@router.get("/", response_class=HTMLResponse)
def index(request: Request, store: StoreDep) -> HTMLResponse:
    day = store.latest_daily_day()
    items = store.daily_items(day, day, limit=100) if day else []
    return request.app.state.templates.TemplateResponse(  # type: ignore[no-any-return]
        request, "daily.html", {"day": day, "items": items, "total": store.count_papers()}
    )


@router.get("/healthz", response_class=PlainTextResponse)
def healthz() -> str:
    return "ok"
