"""The JSON API (Hugging Face Daily Papers compatible)."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, HTTPException, Query

from dailypapers.arxiv_ids import InvalidArxivId, parse_arxiv_id
from dailypapers.web.deps import StoreDep
from dailypapers.web.serialize import daily_json, paper_json

router = APIRouter(prefix="/api")


@router.get("/daily_papers")
def daily_papers(
    store: StoreDep,
    day: date | None = Query(None, alias="date"),
    p: int = Query(0, ge=0, le=10_000),
    limit: int = Query(50, ge=1, le=100),
) -> list[dict[str, Any]]:
    """The daily feed of ``date`` (default: the latest day with papers)."""
    day = day or store.latest_daily_day()
    if day is None:
        return []
    return [daily_json(item) for item in store.daily_items(day, day, limit=limit, offset=p * limit)]


@router.get("/papers/{arxiv_id:path}")
def paper(arxiv_id: str, store: StoreDep) -> dict[str, Any]:
    try:
        parsed = parse_arxiv_id(arxiv_id)
    except InvalidArxivId as exc:
        raise HTTPException(400, str(exc)) from exc
    found = store.get_paper(parsed.id)
    if found is None:
        raise HTTPException(404, f"paper {parsed.id} not found")
    return paper_json(found)
