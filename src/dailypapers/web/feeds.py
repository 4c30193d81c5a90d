"""Atom and RSS feeds of the daily list, trending papers and any search query."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response

from dailypapers.models import Paper, utcnow
from dailypapers.periods import day_period
from dailypapers.store import FeedQuery
from dailypapers.trending import trending_items
from dailypapers.web.deps import ServicesDep
from dailypapers.web.openapi import feed_responses
from dailypapers.web.render import templates
from dailypapers.web.services import Services

router = APIRouter(prefix="/feeds", tags=["feeds"])
FEED_SIZE = 50
Format = Literal["atom", "rss"]
MEDIA = {"atom": "application/atom+xml", "rss": "application/rss+xml"}


def _rfc3339(moment: datetime | None) -> str:
    return (moment or utcnow()).strftime("%Y-%m-%dT%H:%M:%SZ")


def _rfc822(moment: datetime | None) -> str:
    return format_datetime((moment or utcnow()).replace(tzinfo=UTC), usegmt=True)


# Characters XML 1.0 cannot carry at all, escaped or not (C0 controls but tab and newlines,
# surrogates, U+FFFE/U+FFFF): a query or a title holding one would break the whole feed.
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def as_html(text: object) -> str:
    """Text for an RSS element that readers render as HTML: escaped for HTML here, and
    then for XML by the template (RSS has no 'this is plain text' marker, unlike Atom)."""
    return html.escape(str(text or ""), quote=False)


def _feed(
    request: Request,
    services: Services,
    fmt: Format,
    title: str,
    paths: tuple[str, str],
    entries: Sequence[tuple[Paper, datetime | None]],
) -> Response:
    """A feed at ``paths[0]`` whose web page (the alternate link) is ``paths[1]``."""
    base = services.settings.base_url.rstrip("/")
    updated = max((when for _, when in entries if when), default=None)
    body = templates.get_template(f"feeds/{fmt}.xml").render(
        title=f"{title} · {services.settings.site_name}",
        base=base,
        self_url=base + paths[0],
        page_url=base + paths[1],
        updated=updated,
        entries=entries,
        rfc3339=_rfc3339,
        rfc822=_rfc822,
        as_html=as_html,
    )
    return Response(_NOT_XML.sub("", body), media_type=MEDIA[fmt])


@router.get("/daily.{fmt}", response_class=Response, responses=feed_responses(404))
def daily(
    request: Request,
    fmt: Format,
    services: ServicesDep,
    org: Annotated[str | None, Query(max_length=40)] = None,
) -> Response:
    """The latest day of the daily feed, most upvoted first (``org``: one organisation's)."""
    title, paths = "Daily Papers", (f"/feeds/daily.{fmt}", "/")
    if org is not None:
        found = services.orgs.get(org)
        title, paths = (
            f"{found.name} · Daily Papers",
            (f"/feeds/daily.{fmt}?org={quote(org)}", f"/orgs/{quote(org)}"),
        )
    day = services.feeds.latest_day()
    items = []
    if day:
        period = day_period(day)
        query = FeedQuery(period.start, period.end, org=org, limit=FEED_SIZE)
        items = services.feeds.items(query)
    entries = [(i.paper, i.entry.submitted_at) for i in items]
    return _feed(request, services, fmt, title, paths, entries)


@router.get("/trending.{fmt}", response_class=Response, responses=feed_responses())
def trending(request: Request, fmt: Format, services: ServicesDep) -> Response:
    ranked = trending_items(services.feeds, FEED_SIZE)
    entries = [(item.paper, item.entry.submitted_at) for item, _ in ranked]
    paths = (f"/feeds/trending.{fmt}", "/papers/trending")
    return _feed(request, services, fmt, "Trending papers", paths, entries)


@router.get("/search.{fmt}", response_class=Response, responses=feed_responses())
def search(
    request: Request,
    fmt: Format,
    services: ServicesDep,
    q: Annotated[str, Query(max_length=10_000)] = "",
) -> Response:
    found = services.search.search(q, limit=FEED_SIZE, snippets=False)
    papers = [hit.paper for hit in found.hits]
    entries = [(paper, paper.published) for paper in papers]
    paths = (f"/feeds/search.{fmt}?q={quote(q)}", f"/search?q={quote(q)}")
    return _feed(request, services, fmt, f"Search: {q}", paths, entries)


MOVED: dict[int | str, dict[str, Any]] = {
    301: {"description": "The name was merged into another author: see Location"}
}


@router.get("/authors/{key}.{fmt}", response_class=Response, responses=feed_responses(404) | MOVED)
def author(request: Request, key: str, fmt: Format, services: ServicesDep) -> Response:
    """An author's newest papers (their merged and verified names included)."""
    page = services.authors.page(key, limit=FEED_SIZE)
    if page.moved_to is not None:
        return RedirectResponse(f"/feeds/authors/{quote(page.moved_to)}.{fmt}", status_code=301)
    entries = [(found.paper, found.paper.published) for found in page.papers]
    paths = (f"/feeds/authors/{quote(key)}.{fmt}", f"/authors/{quote(key)}")
    return _feed(request, services, fmt, f"Papers by {page.name}", paths, entries)
