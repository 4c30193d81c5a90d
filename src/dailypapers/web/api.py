"""The read-only JSON API, compatible with Hugging Face's Daily Papers API."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from starlette.convertors import Convertor, register_url_convertor

from dailypapers.models import Paper
from dailypapers.periods import (
    FORMS,
    Period,
    day_period,
    parse_period,
)
from dailypapers.store import FeedQuery
from dailypapers.trending import trending_items
from dailypapers.web.deps import ServicesDep
from dailypapers.web.openapi import ArxivIdPath, errors
from dailypapers.web.schemas import CommentOut, DailyPaper, PaperOut, SearchResult
from dailypapers.web.serialize import (
    comment_json,
    daily_list_json,
    paper_json,
    search_results_json,
)
from dailypapers.web.services import Services


class ArxivIdConvertor(Convertor[str]):
    """A path segment holding an arXiv id in any accepted form (old-style ids have a slash),
    but never a write resource: GET …/upvote and GET /api/papers/submit are then a 405,
    not "not an arXiv id"."""

    regex = r"(?!submit$)(?!.*/(?:upvote|comments)$).+"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


register_url_convertor("arxiv", ArxivIdConvertor())

router = APIRouter(prefix="/api", tags=["read"])
PRECEDENCE = "Give one of date, week and month; if several are given, the most specific wins."


def period_param(kind: str, example: str) -> Any:
    return Query(
        max_length=40,
        description=f"A {kind} ({example}). {PRECEDENCE} Default: the latest day with papers.",
        json_schema_extra={"pattern": f"^{FORMS[kind]}$", "examples": [example]},  # type: ignore[index]
    )


def _period(
    services: Services, date: str | None, week: str | None, month: str | None
) -> Period | None:
    given = [
        (kind, value)
        for kind, value in (("date", date), ("week", week), ("month", month))
        if value is not None  # an empty one is a malformed one
    ]
    if given:  # the most specific one given wins (documented on the parameters)
        kind, value = given[0]
        return parse_period(kind, value)  # type: ignore[arg-type]
    latest = services.feeds.latest_day()
    return day_period(latest) if latest else None


@router.get("/daily_papers", response_model=list[DailyPaper], responses=errors(400, 404, 422, 503))
def daily_papers(
    services: ServicesDep,
    date: Annotated[str | None, period_param("date", "2026-02-03")] = None,
    week: Annotated[str | None, period_param("week", "2026-W06")] = None,
    month: Annotated[str | None, period_param("month", "2026-02")] = None,
    submitter: Annotated[str | None, Query(max_length=40)] = None,
    org: Annotated[
        str | None, Query(max_length=40, description="Only papers members put this org on")
    ] = None,
    sort: Literal["publishedAt", "trending", "upvotes"] = "upvotes",
    p: Annotated[int, Query(ge=0, le=10_000)] = 0,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
) -> list[dict[str, Any]]:
    """Papers on the daily feed of a date, ISO week or month (default: the latest day)."""
    if org is not None:
        services.orgs.get(org)  # an organisation that is not here: 404
    if sort == "trending" and not (date or week or month):
        if org is not None:
            ranked = trending_items(services.feeds, 1000)
            theirs = services.feeds.org_paper_ids(org)
            chosen = [item for item, _ in ranked if item.paper.id in theirs]
            return daily_list_json(chosen[p * limit : (p + 1) * limit], services.identities)
        ranked = trending_items(services.feeds, limit, p * limit)
        return daily_list_json([item for item, _ in ranked], services.identities)
    period = _period(services, date, week, month)
    if period is None:
        return []
    query = FeedQuery(
        period.start,
        period.end,
        sort="newest" if sort == "publishedAt" else "upvotes",
        submitter=submitter,
        org=org,
        limit=limit,
        offset=p * limit,
    )
    return daily_list_json(services.feeds.items(query), services.identities)


@router.get("/papers/search", response_model=list[SearchResult], responses=errors(400, 422, 503))
def search_papers(
    services: ServicesDep,
    q: Annotated[str, Query(max_length=10_000)] = "",
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    sort: Literal["relevance", "newest", "upvotes"] = "relevance",
) -> list[dict[str, Any]]:
    """Hybrid (keyword + semantic) search; the query language is in docs/search.md."""
    found = services.search.search(q, limit=limit, sort=sort, snippets=False)
    return search_results_json(
        [hit.paper for hit in found.hits], services.feeds, services.identities
    )


@router.get(
    "/papers/{arxiv_id:arxiv}/similar",
    response_model=list[SearchResult],
    responses=errors(400, 404, 422, 503),
)
def similar_papers(
    arxiv_id: ArxivIdPath, services: ServicesDep, limit: Annotated[int, Query(ge=1, le=50)] = 10
) -> list[dict[str, Any]]:
    """Papers similar to this one (itself excluded), best first."""
    found = _paper_or_error(services, arxiv_id)
    similar = services.search.similar(found, limit=limit)
    return search_results_json([hit.paper for hit in similar], services.feeds, services.identities)


def _paper_or_error(services: Services, arxiv_id: str) -> Paper:
    """Malformed: 400; not here: 404 (the error table)."""
    return services.community.paper(arxiv_id)


@router.get(
    "/papers/{arxiv_id:path}/comments",  # beside POST …/comments (the arxiv convertor skips it)
    response_model=list[CommentOut],
    responses=errors(400, 404, 422, 503),
)
def paper_comments(arxiv_id: ArxivIdPath, services: ServicesDep) -> list[dict[str, Any]]:
    """The paper's discussion, oldest first; commenters in the HF ``User`` shape."""
    found = _paper_or_error(services, arxiv_id)
    who = services.identities.of([found.id]).get(found.id)
    verified = who.user_ids if who else set()
    return [comment_json(view, verified) for view in services.community.comments(found)]


@router.get("/papers/{arxiv_id:arxiv}", response_model=PaperOut, responses=errors(400, 404, 503))
def paper(arxiv_id: ArxivIdPath, services: ServicesDep) -> dict[str, Any]:
    """One paper by arXiv id (any accepted form); 404 when it is not here."""
    found = _paper_or_error(services, arxiv_id)
    item = services.feeds.entry_for(found.id)
    who = services.identities.of([found.id]).get(found.id)
    if item is None:
        return paper_json(found, who=who)
    return paper_json(found, item.entry, item.submitter, who)
