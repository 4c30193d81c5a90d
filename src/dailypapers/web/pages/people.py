"""Profiles (a user's page, their generated avatar) and a user's notifications."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from dailypapers.accounts.service import UserNotFound
from dailypapers.errors import InvalidInput, NotFound
from dailypapers.people.avatars import avatar_path, avatar_svg
from dailypapers.web.deps import Csrf, RowId, ServicesDep, UserDep
from dailypapers.web.render import login_redirect, message_page, render

router = APIRouter(include_in_schema=False)  # HTML pages: not part of the API
AVATAR_CACHE = "public, max-age=86400, stale-while-revalidate=604800"
UPLOAD_CACHE = "public, max-age=31536000, immutable"
# Opened on its own, the SVG may run nothing and load nothing.
AVATAR_CSP = "default-src 'none'; style-src 'unsafe-inline'; sandbox"


@router.get("/users/{username}", response_class=HTMLResponse)
def profile(request: Request, username: str, services: ServicesDep, user: UserDep) -> Response:
    page = services.profiles.page(username, user)
    context = {
        "page": page,
        "profile": page.user,
        "follow": services.follows.button(user, "user", page.user.username),
        "identities": services.identities.verified_names(page.user.id),
        "authored": services.identities.papers_of(page.user.id),
        "orgs": services.orgs.of_user(page.user.id),
    }
    return render(request, "profile.html", context)


@router.get("/mentions/suggest")
def suggest_mentions(
    services: ServicesDep, user: UserDep, q: Annotated[str, Query(max_length=40)] = ""
) -> JSONResponse:
    """Who an "@…" being typed may be (signed-in readers only: it lists usernames)."""
    if user is None:
        return JSONResponse([], status_code=401)
    found = services.profiles.suggest(q)
    return JSONResponse(
        [
            {
                "user": u.username,
                "fullname": u.display_name or u.username,
                "avatarUrl": avatar_path(u),
            }
            for u in found
        ]
    )


@router.get("/avatars/{username}.svg")
def avatar(request: Request, username: str, services: ServicesDep) -> Response:
    svg = avatar_svg(services.profiles.user(username))
    etag = '"' + hashlib.sha256(svg.encode()).hexdigest()[:16] + '"'
    headers = {"Cache-Control": AVATAR_CACHE, "ETag": etag, "Content-Security-Policy": AVATAR_CSP}
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    return Response(svg, media_type="image/svg+xml", headers=headers)


def uploaded_image(path: Path, missing: NotFound) -> Response:
    """An uploaded avatar or logo: named by its hash, so any cache may keep it for good."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise missing from None
    headers = {
        "Cache-Control": UPLOAD_CACHE,
        "Content-Security-Policy": AVATAR_CSP,
        "X-Content-Type-Options": "nosniff",
    }
    return Response(data, media_type="image/webp", headers=headers)


@router.get("/avatars/{username}/{name}")
def uploaded_avatar(username: str, name: str, services: ServicesDep) -> Response:
    path = services.profiles.avatar_file(username, name)
    return uploaded_image(path, UserNotFound(f"{username} has no such avatar."))


@router.get("/notifications", response_class=HTMLResponse)
def notifications(request: Request, services: ServicesDep, user: UserDep) -> Response:
    if user is None:
        return login_redirect("/notifications")
    items = services.notifications.latest(user.id)
    return render(request, "notifications.html", {"items": items})


@router.get("/notifications/{notification_id}")
def open_notification(notification_id: RowId, services: ServicesDep, user: UserDep) -> Response:
    """Mark it read and go to the comment (a link, so it opens like any other)."""
    if user is None:
        return login_redirect("/notifications")
    found = services.notifications.one(user.id, notification_id)
    services.notifications.mark_read(user.id, notification_id)
    return RedirectResponse(found.url if found else "/notifications", status_code=303)


@router.post("/notifications/read", dependencies=[Csrf])
def read_all(services: ServicesDep, user: UserDep) -> Response:
    if user is None:
        return login_redirect("/notifications")
    services.notifications.mark_read(user.id)
    return RedirectResponse("/notifications", status_code=303)


@router.get("/notifications/unsubscribe/{token}", response_class=HTMLResponse)
def unsubscribe_page(request: Request, token: str) -> HTMLResponse:
    """Shows a button; changes nothing (link scanners and previews issue GETs)."""
    return render(request, "unsubscribe_notifications.html", {"token": token})


@router.post("/notifications/unsubscribe/{token}", response_class=HTMLResponse)
def unsubscribe(request: Request, services: ServicesDep, token: str) -> HTMLResponse:
    """One-click unsubscribe (RFC 8058): the signed URL is the key, no session needed."""
    try:
        user, kind = services.notification_mail.unsubscribe(token)
    except InvalidInput as exc:
        return message_page(request, "Link not valid", str(exc), status=400)
    what = "replies to your comments" if kind == "reply" else "mentions of you"
    return message_page(
        request,
        "No more of these mails",
        f"{user.email} gets no more mail about {what}. They still show in the site.",
        link=("/settings#notifications", "Mail settings"),
    )
