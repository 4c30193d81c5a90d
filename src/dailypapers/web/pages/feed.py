"""The daily feed (by day, week or month) and the trending page."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from dailypapers.dates import FIRST_DAY
from dailypapers.models import User
from dailypapers.periods import (
    BadPeriod,
    Kind,
    NoSuchPeriod,
    Period,
    day_period,
    parse_period,
    period_of,
)
from dailypapers.store import FeedItem, FeedQuery
from dailypapers.store.feeds import FeedSort
from dailypapers.trending import trending_items
from dailypapers.web.deps import ServicesDep, UserDep
from dailypapers.web.render import cards_context, render
from dailypapers.web.services import Services

router = APIRouter(include_in_schema=False)  # HTML pages: not part of the API
PAGE_SIZE = 100
SortParam = Annotated[Literal["upvotes", "newest"], Query()]
PageParam = Annotated[int, Query(ge=0, le=1000)]


def _cards(services: Services, user: User | None, items: list[FeedItem]) -> dict[str, Any]:
    return cards_context(services, user, [i.paper.id for i in items])


def _neighbours(services: Services, period: Period) -> tuple[Period | None, Period | None]:
    """The nearest periods of the same kind that have papers: empty weeks are skipped, and
    there is no "next" past the latest day with papers."""
    before = services.feeds.neighbour_day(period.start, before=True)
    after = services.feeds.neighbour_day(period.end, before=False)
    return (period.around(before) if before else None, period.around(after) if after else None)


def render_period(
    request: Request,
    services: Services,
    user: UserDep,
    period: Period | None,
    sort: FeedSort,
    page: int,
    earlier: list[tuple[Period, list[FeedItem]]] | None = None,
) -> HTMLResponse:
    items: list[FeedItem] = []
    total = 0
    prev = nxt = None
    if period is not None:
        query = FeedQuery(
            period.start, period.end, sort=sort, limit=PAGE_SIZE, offset=page * PAGE_SIZE
        )
        items = services.feeds.items(query)
        total = services.feeds.count(period.start, period.end)
        prev, nxt = _neighbours(services, period)
    return render(
        request,
        "feed.html",
        {
            "period": period,
            "items": items,
            "total": total,
            "sort": sort,
            "page": page,
            "has_more": (page + 1) * PAGE_SIZE < total,
            "prev": prev,
            "next": nxt,
            "earlier": earlier or [],
            "first_day": FIRST_DAY,
            "latest_day": services.feeds.latest_day(),
        }
        | _cards(services, user, items + [item for _, more in earlier or [] for item in more]),
    )


@router.get("/", response_class=HTMLResponse)
@router.get("/papers", response_class=HTMLResponse)
def latest(
    request: Request,
    services: ServicesDep,
    user: UserDep,
    sort: SortParam = "upvotes",
    p: PageParam = 0,
) -> HTMLResponse:
    day = services.feeds.latest_day()
    if day is None:
        return render_period(request, services, user, None, sort, p)
    earlier = _earlier_days(services, day, sort) if p == 0 else []
    return render_period(request, services, user, day_period(day), sort, p, earlier)


HOME_MIN_PAPERS = 10  # a latest day with fewer (one early submission) gets earlier days below
HOME_MAX_EARLIER = 3


def _earlier_days(
    services: Services, latest: date, sort: FeedSort
) -> list[tuple[Period, list[FeedItem]]]:
    """The days before ``latest`` that make the home page a real list when the latest day
    is still short (so one paper submitted at dawn does not take over the home page)."""
    shown = services.feeds.count(latest, latest)
    earlier: list[tuple[Period, list[FeedItem]]] = []
    day: date | None = latest
    while shown < HOME_MIN_PAPERS and len(earlier) < HOME_MAX_EARLIER:
        day = services.feeds.neighbour_day(day, before=True) if day else None
        if day is None:
            break
        items = services.feeds.items(FeedQuery(day, day, sort=sort, limit=PAGE_SIZE))
        earlier.append((day_period(day), items))
        shown += len(items)
    return earlier


@router.get("/papers/jump")
def jump(
    services: ServicesDep,
    day: Annotated[str, Query(max_length=40)] = "",
    kind: Annotated[Kind, Query()] = "date",
) -> RedirectResponse:
    """The date picker's target: the day (or its week or month) asked for."""
    chosen = parse_period("date", day.strip())
    return RedirectResponse(period_of(kind, chosen.start).url, status_code=303)


@router.get("/papers/trending", response_class=HTMLResponse)
def trending(
    request: Request, services: ServicesDep, user: UserDep, p: PageParam = 0
) -> HTMLResponse:
    ranked = trending_items(services.feeds, PAGE_SIZE, p * PAGE_SIZE)
    items = [item for item, _ in ranked]
    return render(
        request,
        "trending.html",
        {
            "ranked": ranked,
            "page": p,
            "has_more": len(ranked) == PAGE_SIZE,
        }
        | _cards(services, user, items),
    )


def _by_period(
    request: Request,
    services: Services,
    user: UserDep,
    kind: Kind,
    value: str,
    sort: FeedSort,
    page: int,
) -> HTMLResponse:
    try:
        period = parse_period(kind, value)
    except BadPeriod as exc:  # a malformed date in a page's path: no such page
        raise NoSuchPeriod(str(exc)) from exc
    return render_period(request, services, user, period, sort, page)


@router.get("/papers/date/{value}", response_class=HTMLResponse)
def by_day(
    request: Request,
    services: ServicesDep,
    user: UserDep,
    value: str,
    sort: SortParam = "upvotes",
    p: PageParam = 0,
) -> HTMLResponse:
    return _by_period(request, services, user, "date", value, sort, p)


@router.get("/papers/week/{value}", response_class=HTMLResponse)
def by_week(
    request: Request,
    services: ServicesDep,
    user: UserDep,
    value: str,
    sort: SortParam = "upvotes",
    p: PageParam = 0,
) -> HTMLResponse:
    return _by_period(request, services, user, "week", value, sort, p)


@router.get("/papers/month/{value}", response_class=HTMLResponse)
def by_month(
    request: Request,
    services: ServicesDep,
    user: UserDep,
    value: str,
    sort: SortParam = "upvotes",
    p: PageParam = 0,
) -> HTMLResponse:
    return _by_period(request, services, user, "month", value, sort, p)
