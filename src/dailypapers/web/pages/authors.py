"""Author pages, claiming authorship, and the admins' claim queue."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from dailypapers.community.moderation import MAX_REASON, ModerationService
from dailypapers.people.authors import PAGE_SIZE
from dailypapers.web.deps import Csrf, RowId, ServicesDep, UserDep
from dailypapers.web.render import login_redirect, render

router = APIRouter(include_in_schema=False)  # HTML pages: not part of the API
Key = Annotated[str, Form(max_length=200)]
Reason = Annotated[str, Form(max_length=MAX_REASON)]
ArxivField = Annotated[str, Form(max_length=64)]


def _to(key: str, query: str = "") -> RedirectResponse:
    return RedirectResponse(f"/authors/{quote(key)}{query}", status_code=303)


@router.get("/authors/{key}", response_class=HTMLResponse)
def author(
    request: Request,
    key: str,
    services: ServicesDep,
    user: UserDep,
    p: Annotated[int, Query(ge=0, le=1000)] = 0,
) -> Response:
    page = services.authors.page(key, user, offset=p * PAGE_SIZE, limit=PAGE_SIZE)
    if page.moved_to is not None:
        return RedirectResponse(f"/authors/{quote(page.moved_to)}", status_code=301)
    context = {
        "page": page,
        "p": p,
        "offset": p * PAGE_SIZE,
        "follow": services.follows.button(user, "author", page.key),
    }
    return render(request, "author.html", context)


@router.post("/claims", dependencies=[Csrf])
def claim(services: ServicesDep, user: UserDep, author: Key, paper: ArxivField = "") -> Response:
    """ "This is me", from a paper page (with the paper) or an author page."""
    back = f"/papers/{paper}" if paper else f"/authors/{quote(author)}"
    if user is None:
        return login_redirect(back)
    made = services.claims.claim(user, author, paper or None)
    return _to(author, f"?claim={made.status}")


@router.post("/authors/{key}/release", dependencies=[Csrf])
def release(key: str, services: ServicesDep, user: UserDep) -> Response:
    if user is None:
        return login_redirect(f"/authors/{quote(key)}")
    services.claims.release(user, key)
    return _to(key)


@router.post("/authors/{key}/hide", dependencies=[Csrf])
def hide(
    key: str,
    services: ServicesDep,
    user: UserDep,
    paper: ArxivField,
    hidden: Annotated[bool, Form()] = True,
) -> Response:
    if user is None:
        return login_redirect(f"/authors/{quote(key)}")
    services.claims.hide(user, key, paper, hidden=hidden)
    return _to(key)


@router.post("/authors/{key}/merge", dependencies=[Csrf])
def merge(
    key: str, services: ServicesDep, user: UserDep, into: Key, reason: Reason = ""
) -> Response:
    services.claims.merge(user, key, into.strip(), reason)
    return _to(into.strip())


@router.get("/admin/claims", response_class=HTMLResponse)
def queue(request: Request, services: ServicesDep, user: UserDep) -> Response:
    if user is None:
        return login_redirect("/admin/claims")
    ModerationService.require_admin(user)
    return render(request, "claims.html", {"queue": services.claims.pending()})


@router.post("/admin/claims/{claim_id}", dependencies=[Csrf])
def decide(
    claim_id: RowId,
    services: ServicesDep,
    user: UserDep,
    decision: Annotated[str, Form(pattern="^(approve|reject)$")],
    reason: Reason = "",
) -> Response:
    services.claims.decide(user, claim_id, approve=decision == "approve", reason=reason)
    return RedirectResponse("/admin/claims?decided=1", status_code=303)
