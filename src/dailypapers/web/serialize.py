"""Papers in the JSON shapes of the Hugging Face Daily Papers API.

Field names and nesting follow what `huggingface_hub` parses (PaperInfo, PaperAuthor, User),
so its client works against this server unchanged.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from dailypapers.community.repo import CommentView
from dailypapers.models import DailyEntry, Organization, Paper, User
from dailypapers.people.avatars import avatar_path
from dailypapers.people.identities import STATUS, Identities, PaperIdentities
from dailypapers.store import FeedItem, FeedRepo


def iso(moment: datetime | None) -> str | None:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000Z") if moment else None


def user_json(user: User | None) -> dict[str, Any] | None:
    if user is None:
        return None
    name = user.username or f"user{user.id}"
    return {
        "_id": str(user.id),
        "avatarUrl": avatar_path(user),
        "fullname": user.display_name or name,
        "name": name,
        "user": name,
        "type": "user",
        "isPro": False,
    }


def org_json(org: Organization | None) -> dict[str, Any] | None:
    """HF's ``Organization``: ``name`` is the short name, ``fullname`` the display name."""
    if org is None:
        return None
    logo = f"/orgs/{org.slug}/logo/{org.logo_file}" if org.logo_file else None
    return {"_id": str(org.id), "name": org.slug, "fullname": org.name, "avatarUrl": logo}


def authors_json(paper: Paper, who: PaperIdentities | None) -> list[dict[str, Any]]:
    """HF's ``authors[]``: a verified author adds ``user`` and ``status``."""
    found = who.by_position if who else {}
    authors = []
    for i, name in enumerate(paper.authors):
        author: dict[str, Any] = {"_id": f"{paper.arxiv_id}:{i}", "name": name, "hidden": False}
        identity = found.get(i)
        if identity is not None:
            author |= {"user": user_json(identity.user), "status": STATUS}
            author["hidden"] = identity.hidden
        authors.append(author)
    return authors


def paper_json(
    paper: Paper,
    entry: DailyEntry | None = None,
    submitter: User | None = None,
    who: PaperIdentities | None = None,
) -> dict[str, Any]:
    return {
        "id": paper.arxiv_id,
        "authors": authors_json(paper, who),
        "publishedAt": iso(paper.published),
        "submittedOnDailyAt": iso(entry.submitted_at) if entry else None,
        "submittedOnDailyBy": user_json(submitter),
        "title": paper.title,
        "summary": paper.abstract,
        "ai_summary": paper.ai_summary,
        "upvotes": paper.upvotes,
        "numComments": paper.num_comments,
        "discussionId": paper.arxiv_id,
        "githubRepo": paper.github_url,
        "projectPage": paper.project_url,
        "categories": paper.categories,
        "withdrawn": paper.withdrawn,
        "organization": org_json(who.organization if who else None),
        "arxivUrl": paper.abs_url,
        "pdfUrl": paper.pdf_url,
    }


def daily_json(item: FeedItem, who: PaperIdentities | None = None) -> dict[str, Any]:
    """One entry of /api/daily_papers: the paper, plus who put it on the feed and when."""
    paper = item.paper
    return {
        "paper": paper_json(paper, item.entry, item.submitter, who),
        "publishedAt": iso(item.entry.submitted_at),
        "submittedOnDailyAt": iso(item.entry.submitted_at),
        "title": paper.title,
        "summary": paper.abstract,
        "thumbnail": None,
        "numComments": paper.num_comments,
        "submittedBy": user_json(item.submitter),
        "isAuthorParticipating": bool(who and who.participating),
        "organization": org_json(who.organization if who else None),
        # huggingface_hub reads these two from the top level of each item
        "githubRepo": paper.github_url,
        "projectPage": paper.project_url,
    }


def search_json(
    paper: Paper, item: FeedItem | None = None, who: PaperIdentities | None = None
) -> dict[str, Any]:
    """One result of /api/papers/search or /similar, in the daily shape; the feed entry's
    fields are filled when the paper is on a daily feed."""
    entry, submitter = (item.entry, item.submitter) if item else (None, None)
    return {
        "paper": paper_json(paper, entry, submitter, who),
        "publishedAt": iso(paper.published),
        "submittedOnDailyAt": iso(entry.submitted_at) if entry else None,
        "submittedBy": user_json(submitter),
        "title": paper.title,
        "summary": paper.abstract,
        "numComments": paper.num_comments,
    }


def search_results_json(
    papers: list[Paper], feeds: FeedRepo, identities: Identities
) -> list[dict[str, Any]]:
    ids = [paper.id for paper in papers]
    entries, who = feeds.entries_for(ids), identities.of(ids)
    return [search_json(paper, entries.get(paper.id), who.get(paper.id)) for paper in papers]


def daily_list_json(items: list[FeedItem], identities: Identities) -> list[dict[str, Any]]:
    who = identities.of(item.paper.id for item in items)
    return [daily_json(item, who.get(item.paper.id)) for item in items]


def comment_json(view: CommentView, verified: set[int]) -> dict[str, Any]:
    """A comment and its replies; a removed one keeps its place but shows nothing."""
    comment, shown = view.comment, view.visible
    return {
        "id": str(comment.id),
        "parentId": str(comment.parent_id) if comment.parent_id else None,
        "author": user_json(view.author) if shown else None,
        "isAuthor": shown and view.author.id in verified,
        "createdAt": iso(comment.created_at),
        "editedAt": iso(comment.edited_at),
        "html": comment.body_html if shown else "",
        "removed": not shown,
        "replies": [comment_json(reply, verified) for reply in view.replies],
    }
