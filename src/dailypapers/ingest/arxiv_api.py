"""Fetch papers by id through the arXiv API (Atom feeds with OpenSearch totals)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from xml.etree.ElementTree import Element

from dailypapers.arxiv_ids import ArxivId, InvalidArxivId, parse_arxiv_id
from dailypapers.ingest.fields import looks_withdrawn, parse_datetime
from dailypapers.ingest.http import PoliteClient
from dailypapers.ingest.xmlfeed import MalformedFeed, child_text, parse_xml
from dailypapers.records import PaperRecord
from dailypapers.text import normalize_abstract, normalize_line

NS = {
    "atom": "http://www.w3.org/2005/Atom",
    "opensearch": "http://a9.com/-/spec/opensearch/1.1/",
    "arxiv": "http://arxiv.org/schemas/atom",
}
IDS_PER_REQUEST = 50


class ArxivApiError(RuntimeError):
    """The API reported an error in its own feed (e.g. a malformed id list)."""


@dataclass
class FetchResult:
    records: list[PaperRecord] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)


def fetch_by_ids(client: PoliteClient, api_url: str, ids: Sequence[ArxivId]) -> FetchResult:
    """Fetch the given papers; ids arXiv does not know end up in ``missing``."""
    result = FetchResult()
    for start in range(0, len(ids), IDS_PER_REQUEST):
        chunk = ids[start : start + IDS_PER_REQUEST]
        params = {
            "id_list": ",".join(i.versioned for i in chunk),
            "max_results": str(len(chunk)),
            "start": "0",
        }
        response = client.get(api_url, params=params)
        records = parse_atom(response.content)
        result.records.extend(records)
        found = {r.arxiv_id for r in records}
        result.missing.extend(i.versioned for i in chunk if i.id not in found)
    return result


def parse_atom(content: bytes) -> list[PaperRecord]:
    """Papers in an API response; raises on an error entry or a malformed feed."""
    root = parse_xml(content, "arXiv API response")
    if root.tag != f"{{{NS['atom']}}}feed":
        raise MalformedFeed("malformed arXiv API response: not an Atom feed")
    records = []
    for entry in root.findall("atom:entry", NS):
        entry_id = child_text(entry, "atom:id", NS) or ""
        if "/api/errors" in entry_id:
            message = child_text(entry, "atom:summary", NS) or entry_id
            raise ArxivApiError(f"arXiv API error: {message}")
        title = child_text(entry, "atom:title", NS)
        if not title:
            continue  # arXiv answers unknown ids with an empty entry
        records.append(_entry_record(entry, entry_id, title))
    return records


def _entry_record(entry: Element, entry_id: str, title: str) -> PaperRecord:
    try:
        parsed = parse_arxiv_id(entry_id)
    except InvalidArxivId as exc:
        raise MalformedFeed(f"malformed arXiv API entry id {entry_id!r}") from exc
    comments = child_text(entry, "arxiv:comment", NS)
    primary = entry.find("arxiv:primary_category", NS)
    categories = [c.get("term", "") for c in entry.findall("atom:category", NS)]
    if primary is not None and primary.get("term"):
        categories.insert(0, primary.get("term", ""))
    authors = [
        normalize_line(child_text(a, "atom:name", NS)) for a in entry.findall("atom:author", NS)
    ]
    return PaperRecord(
        arxiv_id=parsed.id,
        version=parsed.version,
        title=normalize_line(title),
        abstract=normalize_abstract(child_text(entry, "atom:summary", NS), hard_wrapped=True),
        authors=[a for a in authors if a],
        categories=list(dict.fromkeys(c for c in categories if c)),
        published=parse_datetime(child_text(entry, "atom:published", NS), "published"),
        updated=parse_datetime(child_text(entry, "atom:updated", NS), "updated"),
        comments=normalize_line(comments) or None,
        journal_ref=normalize_line(child_text(entry, "arxiv:journal_ref", NS)) or None,
        doi=normalize_line(child_text(entry, "arxiv:doi", NS)) or None,
        withdrawn=looks_withdrawn(comments),
    )


def total_results(content: bytes) -> int:
    """The OpenSearch total a response reports."""
    root = parse_xml(content, "arXiv API response")
    value = child_text(root, "opensearch:totalResults", NS)
    try:
        return int(value or 0)
    except ValueError as exc:
        raise MalformedFeed(f"bad opensearch:totalResults {value!r}") from exc
