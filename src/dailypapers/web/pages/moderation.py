"""Moderators' pages: hide a comment, take a paper off the daily feed, suspend an account,
each with a reason; the moderation log at /moderation, and undo."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from dailypapers.community.moderation import MAX_REASON
from dailypapers.models import ModerationAction
from dailypapers.web.deps import Csrf, RowId, ServicesDep, UserDep
from dailypapers.web.pages.paper import paper_or_404
from dailypapers.web.render import render

router = APIRouter(include_in_schema=False)  # HTML pages: not part of the API
Reason = Annotated[str, Form(max_length=MAX_REASON)]


def _done(action: ModerationAction, flag: str = "moderated") -> RedirectResponse:
    """Back to what was moderated, with a notice that offers undo (see base.html)."""
    path, _, anchor = action.target_url.partition("#")
    fragment = f"#{anchor}" if anchor else ""
    return RedirectResponse(f"{path}?{flag}={action.id}{fragment}", status_code=303)


@router.post("/comments/{comment_id}/hide", dependencies=[Csrf])
def hide_comment(
    comment_id: RowId, services: ServicesDep, user: UserDep, reason: Reason = ""
) -> Response:
    return _done(services.moderation.hide_comment(user, comment_id, reason))


@router.post("/moderation/remove/{arxiv_id:path}", dependencies=[Csrf])
def remove_from_daily(
    arxiv_id: str, services: ServicesDep, user: UserDep, reason: Reason = ""
) -> Response:
    paper = paper_or_404(services, arxiv_id)
    return _done(services.moderation.remove_entry(user, paper, reason))


@router.post("/moderation/users/{username}/suspend", dependencies=[Csrf])
def suspend_user(
    username: str,
    services: ServicesDep,
    user: UserDep,
    reason: Reason = "",
    action: Annotated[str, Form(max_length=20)] = "suspend",
) -> Response:
    services.moderation.require_admin(user)
    target = services.accounts.profile(username)
    if action == "restore":
        services.moderation.restore(user, target)
        return RedirectResponse(f"/users/{target.username}", status_code=303)
    return _done(services.moderation.suspend(user, target, reason))


@router.get("/moderation", response_class=HTMLResponse)
def moderation_log(request: Request, services: ServicesDep, user: UserDep) -> HTMLResponse:
    services.moderation.require_admin(user)
    context = {"actions": services.moderation.recent(), "labels": services.moderation.labels}
    return render(request, "moderation.html", context)


@router.post("/moderation/actions/{action_id}/undo", dependencies=[Csrf])
def undo(action_id: RowId, services: ServicesDep, user: UserDep) -> Response:
    return _done(services.moderation.undo(user, action_id), flag="undone")
