"""Papers in the JSON shape of the Hugging Face Daily Papers API."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from dailypapers.models import Paper
from dailypapers.store import DailyItem


def iso(moment: datetime | None) -> str | None:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000Z") if moment else None


def paper_json(paper: Paper, submitted_at: datetime | None = None) -> dict[str, Any]:
    return {
        "id": paper.arxiv_id,
        "authors": [{"name": name, "hidden": False} for name in paper.authors],
        "publishedAt": iso(paper.published),
        "submittedOnDailyAt": iso(submitted_at),
        "title": paper.title,
        "summary": paper.abstract,
        "upvotes": paper.upvotes,
        "githubRepo": paper.github_url,
        "projectPage": paper.project_url,
        "categories": paper.categories,
    }


def daily_json(item: DailyItem) -> dict[str, Any]:
    paper = item.paper
    return {
        "paper": paper_json(paper, item.entry.submitted_at),
        "publishedAt": iso(paper.published),
        "title": paper.title,
        "summary": paper.abstract,
        "numComments": 0,
        "submittedBy": None,
    }
