"""The two file formats `dailypapers import` reads, recognised record by record.

* dailypapers JSON Lines (``arxiv_id``, ``title``, ``abstract``, ``authors``, ``categories``,
  ``published``; optional ``upvotes``, ``submitted_on_daily``, ``github_url``, …).
* arXiv's public metadata snapshot (``id``, ``versions``, ``authors_parsed``, …).
"""

from __future__ import annotations

from typing import Any

from dailypapers.arxiv_ids import InvalidArxivId, parse_arxiv_id
from dailypapers.ingest.fields import (
    FieldError,
    http_url,
    looks_withdrawn,
    optional_bool,
    optional_int,
    optional_text,
    parse_datetime,
    parse_day,
    parse_version,
    split_categories,
    string_list,
)
from dailypapers.records import PaperRecord
from dailypapers.text import normalize_abstract, normalize_line


class RecordError(ValueError):
    """A record that cannot be imported; the message is the reason shown to the user."""


def parse_record(obj: object) -> PaperRecord:
    """Turn one decoded JSON object of either format into a :class:`PaperRecord`."""
    if not isinstance(obj, dict):
        raise RecordError("expected a JSON object")
    try:
        if "arxiv_id" in obj:
            return _from_jsonl(obj)
        if "id" in obj:
            return _from_snapshot(obj)
    except (FieldError, InvalidArxivId) as exc:
        raise RecordError(str(exc)) from exc
    raise RecordError(
        "unknown record format: needs 'arxiv_id' (JSON Lines) or 'id' (arXiv snapshot)"
    )


def _require_title(obj: dict[str, Any]) -> str:
    title = optional_text(obj.get("title"), "title", max_len=2000)
    if not title:
        raise RecordError("missing title")
    return title


def _arxiv_id(value: object) -> tuple[str, int | None]:
    if not isinstance(value, str):
        raise RecordError("the arXiv id must be a string")
    parsed = parse_arxiv_id(value)
    return parsed.id, parsed.version


def _from_jsonl(obj: dict[str, Any]) -> PaperRecord:
    arxiv_id, version = _arxiv_id(obj["arxiv_id"])
    abstract = obj.get("abstract")
    if abstract is not None and not isinstance(abstract, str):
        raise RecordError("field 'abstract' must be a string")
    comments = optional_text(obj.get("comment", obj.get("comments")), "comments")
    return PaperRecord(
        arxiv_id=arxiv_id,
        version=version,
        title=_require_title(obj),
        abstract=normalize_abstract(abstract) if abstract is not None else None,
        authors=string_list(obj.get("authors"), "authors"),
        categories=string_list(obj.get("categories"), "categories") or None,
        published=parse_datetime(obj.get("published"), "published"),
        updated=parse_datetime(obj.get("updated"), "updated"),
        comments=comments,
        journal_ref=optional_text(obj.get("journal_ref"), "journal_ref"),
        doi=optional_text(obj.get("doi"), "doi", max_len=255),
        license=optional_text(obj.get("license"), "license", max_len=255),
        withdrawn=looks_withdrawn(comments) or None,
        github_url=http_url(obj.get("github_url"), "github_url"),
        project_url=http_url(obj.get("project_url"), "project_url"),
        daily_day=parse_day(obj.get("submitted_on_daily"), "submitted_on_daily"),
        upvotes=optional_int(obj.get("upvotes"), "upvotes"),
        authors_truncated=optional_bool(obj.get("authors_truncated"), "authors_truncated"),
        ai_summary=optional_text(obj.get("ai_summary"), "ai_summary", max_len=1000),
        ai_summary_source=optional_text(
            obj.get("ai_summary_source"), "ai_summary_source", max_len=64
        ),
    )


def _snapshot_authors(obj: dict[str, Any]) -> list[str] | None:
    parsed = obj.get("authors_parsed")
    if isinstance(parsed, list) and parsed:
        names = []
        for parts in parsed:
            if not isinstance(parts, list) or not all(isinstance(p, str) for p in parts):
                raise RecordError("field 'authors_parsed' must be a list of [last, first, suffix]")
            last, first, suffix = ([*parts, "", "", ""])[:3]
            names.append(normalize_line(f"{first} {last} {suffix}"))
        return [n for n in names if n]
    authors = optional_text(obj.get("authors"), "authors")
    if authors is None:
        return None
    return [a.strip() for a in authors.replace(" and ", ", ").split(",") if a.strip()]


def _snapshot_versions(obj: dict[str, Any]) -> tuple[int | None, Any, Any]:
    versions = obj.get("versions")
    if not versions:
        return None, None, None
    if not isinstance(versions, list) or not all(isinstance(v, dict) for v in versions):
        raise RecordError("field 'versions' must be a list of {version, created}")
    numbered = sorted(
        (parse_version(str(v.get("version", ""))), v.get("created")) for v in versions
    )
    return numbered[-1][0], numbered[0][1], numbered[-1][1]


def _from_snapshot(obj: dict[str, Any]) -> PaperRecord:
    arxiv_id, id_version = _arxiv_id(obj["id"])
    version, first_created, last_created = _snapshot_versions(obj)
    abstract = obj.get("abstract")
    if abstract is not None and not isinstance(abstract, str):
        raise RecordError("field 'abstract' must be a string")
    comments = optional_text(obj.get("comments"), "comments")
    updated = parse_datetime(last_created, "versions") or parse_datetime(
        obj.get("update_date"), "update_date"
    )
    return PaperRecord(
        arxiv_id=arxiv_id,
        version=version or id_version,
        title=_require_title(obj),
        abstract=normalize_abstract(abstract, hard_wrapped=True) if abstract else None,
        authors=_snapshot_authors(obj),
        categories=split_categories(optional_text(obj.get("categories"), "categories")),
        published=parse_datetime(first_created, "versions"),
        updated=updated,
        comments=comments,
        journal_ref=optional_text(obj.get("journal-ref"), "journal-ref"),
        doi=optional_text(obj.get("doi"), "doi", max_len=255),
        license=optional_text(obj.get("license"), "license", max_len=255),
        withdrawn=looks_withdrawn(comments),
    )
