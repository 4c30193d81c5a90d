"""Bulk harvests through arXiv's OAI-PMH interface, resumable after any crash.

Each page of records is stored in the same transaction as the resumption token that
follows it, so a harvest killed at any moment restarts from the last stored page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from xml.etree.ElementTree import Element

from dailypapers.arxiv_ids import InvalidArxivId, parse_arxiv_id
from dailypapers.ingest.fields import (
    FieldError,
    looks_withdrawn,
    parse_datetime,
    parse_version,
    split_categories,
)
from dailypapers.ingest.http import PoliteClient
from dailypapers.ingest.xmlfeed import MalformedFeed, child_text, parse_xml
from dailypapers.records import PaperRecord
from dailypapers.store import PaperStore
from dailypapers.text import normalize_abstract, normalize_line

OAI = "http://www.openarchives.org/OAI/2.0/"
FORMATS = {"arXiv": "http://arxiv.org/OAI/arXiv/", "arXivRaw": "http://arxiv.org/OAI/arXivRaw/"}


class HarvestError(RuntimeError):
    """The repository reported an OAI-PMH error other than 'no records'."""


@dataclass
class OaiPage:
    records: list[PaperRecord]
    token: str | None
    complete_list_size: int | None
    skipped: int = 0


@dataclass
class HarvestSummary:
    pages: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    resumed: bool = False
    messages: list[str] = field(default_factory=list)


def harvest_key(set_spec: str, prefix: str, start: date, until: date | None) -> str:
    return f"oai:{prefix}:{set_spec}:{start.isoformat()}:{until.isoformat() if until else ''}"


def harvest(
    store: PaperStore,
    client: PoliteClient,
    base_url: str,
    *,
    set_spec: str,
    start: date,
    until: date | None = None,
    prefix: str = "arXiv",
    restart: bool = False,
    on_page: Callable[[HarvestSummary], None] | None = None,
) -> HarvestSummary:
    """Harvest ``set_spec`` for records changed between ``start`` and ``until``."""
    if prefix not in FORMATS:
        raise ValueError(f"metadata prefix must be one of {', '.join(FORMATS)}")
    key = harvest_key(set_spec, prefix, start, until)
    state = store.harvest_state(key)
    summary = HarvestSummary()
    if restart or (state is not None and state.completed_at is not None):
        store.reset_harvest(key)
        state = None
    token = state.resumption_token if state else None
    summary.resumed = token is not None
    while True:
        if token:
            params = {"verb": "ListRecords", "resumptionToken": token}
        else:
            params = {
                "verb": "ListRecords",
                "metadataPrefix": prefix,
                "set": set_spec,
                "from": start.isoformat(),
            }
            if until:
                params["until"] = until.isoformat()
        page = parse_page(client.get(base_url, params=params).content, prefix)
        result = store.save_harvest_page(
            key,
            page.records,
            resumption_token=page.token,
            complete_list_size=page.complete_list_size,
        )
        summary.pages += 1
        summary.inserted += result.inserted
        summary.updated += result.updated
        summary.unchanged += result.unchanged
        summary.skipped += page.skipped
        if on_page:
            on_page(summary)
        if not page.token:
            return summary
        token = page.token


def parse_page(content: bytes, prefix: str) -> OaiPage:
    """Records and the next resumption token of one ListRecords response."""
    root = parse_xml(content, "OAI-PMH response")
    if root.tag != f"{{{OAI}}}OAI-PMH":
        raise MalformedFeed("malformed OAI-PMH response: no OAI-PMH root element")
    ns = {"oai": OAI, "m": FORMATS[prefix]}
    error = root.find("oai:error", ns)
    if error is not None:
        if error.get("code") == "noRecordsMatch":
            return OaiPage([], None, 0)
        hint = " (run again with --restart)" if error.get("code") == "badResumptionToken" else ""
        raise HarvestError(f"OAI-PMH error {error.get('code')}: {(error.text or '').strip()}{hint}")
    listing = root.find("oai:ListRecords", ns)
    if listing is None:
        raise MalformedFeed("malformed OAI-PMH response: no ListRecords element")
    records, skipped = [], 0
    for element in listing.findall("oai:record", ns):
        record = _record(element, ns, prefix)
        if record is None:
            skipped += 1
        else:
            records.append(record)
    token_el = listing.find("oai:resumptionToken", ns)
    token = (token_el.text or "").strip() if token_el is not None else ""
    size = token_el.get("completeListSize") if token_el is not None else None
    return OaiPage(records, token or None, int(size) if size and size.isdigit() else None, skipped)


def _record(element: Element, ns: dict[str, str], prefix: str) -> PaperRecord | None:
    header = element.find("oai:header", ns)
    if header is not None and header.get("status") == "deleted":
        return None
    meta = element.find(f"oai:metadata/m:{prefix}", ns)
    if meta is None:
        return None
    try:
        return _arxiv_raw(meta, ns) if prefix == "arXivRaw" else _arxiv(meta, ns)
    except (InvalidArxivId, FieldError) as exc:
        raise MalformedFeed(f"malformed OAI-PMH record: {exc}") from exc


def _common(meta: Element, ns: dict[str, str]) -> PaperRecord:
    """The fields both metadata formats spell the same way."""
    comments = normalize_line(child_text(meta, "m:comments", ns)) or None
    return PaperRecord(
        arxiv_id=parse_arxiv_id(child_text(meta, "m:id", ns) or "").id,
        title=normalize_line(child_text(meta, "m:title", ns)) or "(untitled)",
        abstract=normalize_abstract(child_text(meta, "m:abstract", ns), hard_wrapped=True),
        categories=split_categories(child_text(meta, "m:categories", ns)),
        comments=comments,
        journal_ref=normalize_line(child_text(meta, "m:journal-ref", ns)) or None,
        doi=normalize_line(child_text(meta, "m:doi", ns)) or None,
        license=normalize_line(child_text(meta, "m:license", ns)) or None,
        withdrawn=looks_withdrawn(comments),
    )


def _arxiv(meta: Element, ns: dict[str, str]) -> PaperRecord:
    authors = []
    for author in meta.findall("m:authors/m:author", ns):
        parts = (child_text(author, f"m:{p}", ns) for p in ("forenames", "keyname", "suffix"))
        authors.append(normalize_line(" ".join(p for p in parts if p)))
    created = parse_datetime(child_text(meta, "m:created", ns), "created")
    updated = parse_datetime(child_text(meta, "m:updated", ns), "updated")
    record = _common(meta, ns)
    record.authors = [a for a in authors if a]
    record.published, record.updated = created, updated or created
    return record


def _arxiv_raw(meta: Element, ns: dict[str, str]) -> PaperRecord:
    versions = sorted(
        (parse_version(v.get("version", "")), parse_datetime(child_text(v, "m:date", ns), "date"))
        for v in meta.findall("m:version", ns)
    )
    raw_authors = normalize_line(child_text(meta, "m:authors", ns))
    authors = [a.strip() for a in raw_authors.replace(" and ", ", ").split(",") if a.strip()]
    record = _common(meta, ns)
    record.authors = authors
    if versions:
        record.version = versions[-1][0]
        record.published, record.updated = versions[0][1], versions[-1][1]
    return record
