"""Following: follow and unfollow buttons, and the Following tab."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from dailypapers.web.deps import Csrf, ServicesDep, UserDep
from dailypapers.web.render import cards_context, login_redirect, render

router = APIRouter(include_in_schema=False)  # HTML pages: not part of the API


def _local(path: str) -> str:
    """Only back to a page of this site (never //elsewhere)."""
    return path if path.startswith("/") and not path.startswith("//") else "/following"


@router.post("/follow", dependencies=[Csrf])
def follow(
    services: ServicesDep,
    user: UserDep,
    kind: Annotated[str, Form(max_length=12)],
    target: Annotated[str, Form(max_length=200)],
    on: Annotated[bool, Form()] = True,
    next: Annotated[str, Form(max_length=500)] = "/following",
) -> Response:
    back = _local(next)
    if user is None:
        return login_redirect(back)
    if on:
        services.follows.follow(user, kind, target)
    else:
        services.follows.unfollow(user, kind, target.strip())
    return RedirectResponse(back, status_code=303)


@router.get("/following", response_class=HTMLResponse)
def following(request: Request, services: ServicesDep, user: UserDep) -> Response:
    if user is None:
        return login_redirect("/following")
    found = services.follows.papers(user)
    context = {"followed": services.follows.following(user), "found": found}
    return render(
        request,
        "following.html",
        context | cards_context(services, user, [f.paper.id for f in found]),
    )
