"""Typed request dependencies: the services, the signed-in user, CSRF checks."""

from __future__ import annotations

from typing import Annotated, cast

from fastapi import Depends, HTTPException, Path, Request

from dailypapers.models import MAX_ID, User
from dailypapers.web.security import CSRF_FIELD, SESSION_COOKIE, csrf_valid
from dailypapers.web.services import Services


def get_services(request: Request) -> Services:
    return cast(Services, request.app.state.services)


def current_user(request: Request) -> User | None:
    """The user of the session cookie (cached for the request), or None."""
    if hasattr(request.state, "user"):
        return cast(User | None, request.state.user)
    token = request.cookies.get(SESSION_COOKIE)
    user = get_services(request).accounts.session_user(token) if token else None
    request.state.user = user
    return user


async def csrf_protect(request: Request) -> None:
    """Every state-changing form carries the CSRF token; a missing or wrong one is refused."""
    form = await request.form()
    submitted = form.get(CSRF_FIELD)
    if not csrf_valid(
        request, get_services(request).secret, submitted if isinstance(submitted, str) else None
    ):
        raise HTTPException(
            403, "The form expired or came from another site. Reload the page and try again."
        )


ServicesDep = Annotated[Services, Depends(get_services)]
UserDep = Annotated[User | None, Depends(current_user)]
Csrf = Depends(csrf_protect)

# A row id in a URL: a database integer, so anything past 2^63 - 1 is a clear 4xx, not a 500.
RowId = Annotated[int, Path(ge=1, le=MAX_ID, description="A positive id")]
