"""The paper page and what people do there: upvote, comment, moderate."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from dailypapers.arxiv_ids import InvalidArxivId
from dailypapers.community.service import PaperNotFound
from dailypapers.models import MAX_ID, Paper
from dailypapers.people.author_names import author_key
from dailypapers.web.citation import bibtex, citation_meta
from dailypapers.web.deps import Csrf, RowId, ServicesDep, UserDep
from dailypapers.web.intents import login_url, upvote_intent
from dailypapers.web.render import render
from dailypapers.web.services import Services

router = APIRouter(include_in_schema=False)  # HTML pages: not part of the API


def paper_or_404(services: Services, arxiv_id: str) -> Paper:
    """The paper a page's path names; a malformed id in a path is a page that is not here."""
    try:
        return services.community.paper(arxiv_id)
    except InvalidArxivId as exc:
        raise PaperNotFound(str(exc)) from exc


def _back(request: Request, paper: Paper, anchor: str = "") -> RedirectResponse:
    return RedirectResponse(f"/papers/{paper.arxiv_id}{anchor}", status_code=303)


def _wants_json(request: Request) -> bool:
    return "application/json" in request.headers.get("accept", "")


@router.get("/papers/{arxiv_id:path}", response_class=HTMLResponse)
def paper_page(
    request: Request, arxiv_id: str, services: ServicesDep, user: UserDep
) -> HTMLResponse:
    paper = paper_or_404(services, arxiv_id)
    voted = services.community.voted(user, [paper.id])
    who = services.identities.of([paper.id]).get(paper.id)
    return render(
        request,
        "paper.html",
        {
            "paper": paper,
            "feed_item": services.feeds.entry_for(paper.id),
            "comments": services.community.comments(paper),
            "voted": paper.id in voted,
            "who": who.by_position if who else {},
            "verified_users": who.user_ids if who else set(),
            "author_keys": [author_key(name) for name in paper.authors],
            "paper_orgs": services.orgs.on_paper(paper.id),
            "my_orgs": [org for org, _ in services.orgs.of_user(user.id)] if user else [],
            "bibtex": bibtex(paper),
            "citation_meta": citation_meta(paper),
            "canonical": f"{services.settings.base_url.rstrip('/')}/papers/{paper.arxiv_id}",
            "similar": [hit.paper for hit in services.search.similar(paper, limit=6)],
        },
    )


@router.post("/papers/{arxiv_id:path}/upvote", dependencies=[Csrf])
def upvote(
    request: Request,
    arxiv_id: str,
    services: ServicesDep,
    user: UserDep,
    vote: Annotated[str, Form()] = "on",
) -> Response:
    paper = paper_or_404(services, arxiv_id)
    if user is None:  # the upvote happens once they have logged in
        target = login_url(f"/papers/{paper.arxiv_id}", upvote_intent(paper))
        return RedirectResponse(target, status_code=303)
    count = services.community.upvote(user, paper.arxiv_id, on=vote != "off")
    if _wants_json(request):
        return JSONResponse({"upvotes": count, "upvoted": vote != "off"})
    return _back(request, paper)


@router.post("/papers/{arxiv_id:path}/comments", dependencies=[Csrf])
def add_comment(
    request: Request,
    arxiv_id: str,
    services: ServicesDep,
    user: UserDep,
    body: Annotated[str, Form(max_length=20_000)],
    parent_id: Annotated[int | None, Form(ge=1, le=MAX_ID)] = None,
) -> Response:
    paper = paper_or_404(services, arxiv_id)
    if user is None:
        return RedirectResponse(f"/login?next=/papers/{paper.arxiv_id}", status_code=303)
    comment = services.community.comment(user, paper.arxiv_id, body, parent_id)
    services.notification_mail.nudge()  # replies and mentions are mailed within seconds
    return _back(request, paper, f"#comment-{comment.id}")


@router.post("/comments/{comment_id}/edit", dependencies=[Csrf])
def edit_comment(
    request: Request,
    comment_id: RowId,
    services: ServicesDep,
    user: UserDep,
    body: Annotated[str, Form(max_length=20_000)],
) -> Response:
    paper = services.community.comment_paper(comment_id)
    services.community.edit_comment(user, comment_id, body)
    return _back(request, paper, f"#comment-{comment_id}")


@router.post("/comments/{comment_id}/delete", dependencies=[Csrf])
def delete_comment(
    request: Request, comment_id: RowId, services: ServicesDep, user: UserDep
) -> Response:
    paper = services.community.comment_paper(comment_id)
    services.community.delete_comment(user, comment_id)
    return _back(request, paper, "#discussion")
