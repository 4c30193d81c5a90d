"""Today's new papers from arXiv's daily listing feeds (one RSS feed per category).

Every new submission announced today becomes a paper and an entry on that day's feed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from email.utils import parsedate_to_datetime
from xml.etree.ElementTree import Element

from dailypapers.arxiv_ids import InvalidArxivId, parse_arxiv_id
from dailypapers.ingest.fields import parse_datetime
from dailypapers.ingest.http import PoliteClient
from dailypapers.ingest.xmlfeed import MalformedFeed, child_text, parse_xml
from dailypapers.records import PaperRecord
from dailypapers.store import PaperStore, UpsertResult
from dailypapers.text import normalize_abstract, normalize_line

NS = {"arxiv": "http://arxiv.org/schemas/atom", "dc": "http://purl.org/dc/elements/1.1/"}
_DESCRIPTION = re.compile(r"^\s*arXiv:\S+\s+Announce Type:\s*\S+\s*(?:Abstract:\s*)?", re.I)
_CATEGORY = re.compile(r"[a-z-]+(\.[A-Za-z-]+)?")


@dataclass
class ListingResult:
    day: date | None = None
    records: list[PaperRecord] = field(default_factory=list)
    stored: UpsertResult = field(default_factory=UpsertResult)


def ingest_listing(
    store: PaperStore,
    client: PoliteClient,
    base_url: str,
    categories: Sequence[str],
    *,
    include_cross: bool = False,
) -> ListingResult:
    """Fetch each category's feed and store its new papers as today's daily entries."""
    result = ListingResult()
    seen: dict[str, PaperRecord] = {}
    for category in categories:
        if not _CATEGORY.fullmatch(category):
            raise ValueError(f"{category!r} is not an arXiv category such as cs.CL")
        response = client.get(f"{base_url.rstrip('/')}/{category}")
        day, records = parse_listing(response.content, include_cross=include_cross)
        result.day = result.day or day
        for record in records:
            seen.setdefault(record.arxiv_id, record)
    result.records = list(seen.values())
    if result.records:
        result.stored = store.upsert_papers(result.records)
    return result


def parse_listing(
    content: bytes, *, include_cross: bool = False
) -> tuple[date | None, list[PaperRecord]]:
    """The announcement day and the new papers of one listing feed."""
    root = parse_xml(content, "arXiv listing feed")
    channel = root.find("channel")
    if root.tag != "rss" or channel is None:
        raise MalformedFeed("malformed arXiv listing feed: not an RSS channel")
    day = _feed_day(channel)
    wanted = {"new", "cross"} if include_cross else {"new"}
    records = []
    for item in channel.findall("item"):
        kind = (child_text(item, "arxiv:announce_type", NS) or "new").lower()
        if kind in wanted:
            records.append(_item_record(item, day))
    return day, records


def _feed_day(channel: Element) -> date | None:
    # arXiv dates its feeds in US Eastern time: the local date is the announcement day.
    stamp = child_text(channel, "lastBuildDate", {}) or child_text(channel, "pubDate", {})
    if not stamp:
        return None
    try:
        return parsedate_to_datetime(stamp).date()
    except (TypeError, ValueError, IndexError) as exc:
        raise MalformedFeed(f"malformed arXiv listing feed date {stamp!r}") from exc


def _item_record(item: Element, day: date | None) -> PaperRecord:
    link = child_text(item, "link", {}) or ""
    guid = child_text(item, "guid", {}) or ""
    try:
        parsed = parse_arxiv_id(link)
        version = parse_arxiv_id(guid.removeprefix("oai:arXiv.org:")).version if guid else None
    except InvalidArxivId as exc:
        raise MalformedFeed(f"malformed listing item: {exc}") from exc
    description = child_text(item, "description", {}) or ""
    creators = normalize_line(child_text(item, "dc:creator", NS))
    return PaperRecord(
        arxiv_id=parsed.id,
        version=version or parsed.version,
        title=normalize_line(child_text(item, "title", {})) or "(untitled)",
        abstract=normalize_abstract(_DESCRIPTION.sub("", description)),
        authors=[a.strip() for a in creators.replace(" and ", ", ").split(",") if a.strip()],
        categories=[c for el in item.findall("category") if (c := (el.text or "").strip())],
        published=parse_datetime(child_text(item, "pubDate", {}), "pubDate"),
        license=normalize_line(child_text(item, "dc:rights", NS)) or None,
        daily_day=day,
    )
