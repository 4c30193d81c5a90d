"""Pure merging rules for papers that arrive again: what changes, what stays.

Kept free of I/O so the rules are easy to read and to test.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from dailypapers.records import PaperRecord

# Columns a record can set; everything else on a paper belongs to the service or community.
MERGEABLE = (
    "title",
    "abstract",
    "authors",
    "categories",
    "primary_category",
    "version",
    "published",
    "updated",
    "comments",
    "journal_ref",
    "doi",
    "license",
    "withdrawn",
    "github_url",
    "project_url",
    "authors_truncated",
    "ai_summary",
    "ai_summary_source",
    "imported_upvotes",
)


class Outcome(StrEnum):
    INSERTED = "inserted"
    UPDATED = "updated"
    UNCHANGED = "unchanged"


def new_paper_values(record: PaperRecord) -> dict[str, Any]:
    """Column values for a paper seen for the first time."""
    # Every row names every column: one executemany INSERT serves the whole batch.
    values: dict[str, Any] = dict.fromkeys(MERGEABLE)
    values |= {
        "arxiv_id": record.arxiv_id,
        "abstract": "",
        "authors": [],
        "categories": [],
        "withdrawn": False,
        "authors_truncated": False,
        "imported_upvotes": 0,
    }
    values.update(record.paper_values())
    values["upvotes"] = values["imported_upvotes"]
    return values


def merge_paper(existing: dict[str, Any], record: PaperRecord) -> dict[str, Any] | None:
    """The changed columns when ``record`` arrives for a stored paper, or None if nothing changes.

    A record of an older version than the stored one is stale and changes nothing. Fields a
    record does not carry keep their stored value. Imported upvotes move the total by the
    difference, so community votes are kept.
    """
    stored_version = existing.get("version")
    if (
        record.version is not None
        and stored_version is not None
        and (record.version < stored_version)
    ):
        return None
    incoming = record.paper_values()
    changes = {k: v for k, v in incoming.items() if k in MERGEABLE and existing.get(k) != v}
    if not changes:
        return None
    if "imported_upvotes" in changes:
        delta = int(changes["imported_upvotes"]) - int(existing.get("imported_upvotes") or 0)
        changes["upvotes"] = max(0, (existing.get("upvotes") or 0) + delta)
    return changes
