"""Profiles: a user's page and their generated avatar (edited in Settings)."""

from __future__ import annotations

import hashlib

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from dailypapers.people.avatars import avatar_svg
from dailypapers.web.deps import ServicesDep, UserDep
from dailypapers.web.render import render

router = APIRouter(include_in_schema=False)  # HTML pages: not part of the API
AVATAR_CACHE = "public, max-age=86400, stale-while-revalidate=604800"
# Opened on its own, the SVG may run nothing and load nothing.
AVATAR_CSP = "default-src 'none'; style-src 'unsafe-inline'; sandbox"


@router.get("/users/{username}", response_class=HTMLResponse)
def profile(request: Request, username: str, services: ServicesDep, user: UserDep) -> Response:
    page = services.profiles.page(username, user)
    return render(request, "profile.html", {"page": page, "profile": page.user})


@router.get("/avatars/{username}.svg")
def avatar(request: Request, username: str, services: ServicesDep) -> Response:
    svg = avatar_svg(services.profiles.page(username, None).user)
    etag = '"' + hashlib.sha256(svg.encode()).hexdigest()[:16] + '"'
    headers = {"Cache-Control": AVATAR_CACHE, "ETag": etag, "Content-Security-Policy": AVATAR_CSP}
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    return Response(svg, media_type="image/svg+xml", headers=headers)
