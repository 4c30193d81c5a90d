"""Signed-in pages: submitting a paper, and Settings (profile, digest, API tokens)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from dailypapers.digest.interests import SubscriptionError
from dailypapers.errors import ServiceError
from dailypapers.models import User
from dailypapers.people.avatar_upload import MAX_BYTES, AvatarRejected
from dailypapers.people.notification_kinds import CHOICE_LABELS, CHOICES, KINDS, choice_of
from dailypapers.people.profiles import ProfileError
from dailypapers.web.deps import Csrf, RowId, ServicesDep, UserDep
from dailypapers.web.errors import status_of
from dailypapers.web.pages.digest_form import DigestChoice, DigestForm
from dailypapers.web.pages.profile_form import ProfileForm, ProfileFormDep
from dailypapers.web.render import login_redirect, render
from dailypapers.web.services import Services

router = APIRouter(include_in_schema=False)  # HTML pages: not part of the API


def _submit_page(
    request: Request,
    paper: str = "",
    *,
    error: str | None = None,
    duplicate: object = None,
    status: int = 200,
) -> HTMLResponse:
    context = {"form": {"paper": paper}, "error": error, "duplicate": duplicate}
    return render(request, "submit.html", context, status)


@router.get("/submit", response_class=HTMLResponse)
def submit_form(request: Request, user: UserDep) -> Response:
    if user is None:
        return login_redirect("/submit")
    return _submit_page(request)


@router.post("/submit", dependencies=[Csrf])
def submit(
    request: Request,
    services: ServicesDep,
    user: UserDep,
    paper: Annotated[str, Form(max_length=500)],
) -> Response:
    if user is None:
        return login_redirect("/submit")
    try:
        result = services.community.submit(user, paper)
    except ServiceError as exc:  # bad ids, the daily limit, unknown papers, arXiv down
        return _submit_page(request, paper, error=str(exc), status=status_of(exc))
    if not result.added:
        day = result.entry.day
        message = f"“{result.paper.title}” is already on the feed of {day:%B %-d, %Y}."
        return _submit_page(request, error=message, duplicate=result.paper, status=409)
    return RedirectResponse(f"/papers/{result.paper.arxiv_id}?submitted=1", status_code=303)


@router.get("/settings", response_class=HTMLResponse)
def settings_page(request: Request, services: ServicesDep, user: UserDep) -> Response:
    if user is None:
        return login_redirect("/settings")
    return render(request, "settings.html", _settings(services, user))


def _settings(services: Services, user: User, **extra: object) -> dict[str, object]:
    """Everything the settings page shows: API tokens and the digest subscription."""
    sub = services.subscriptions.for_user(user)
    active = sub is not None and sub.confirmed_at is not None and sub.unsubscribed_at is None
    return {
        "tokens": services.accounts.api_tokens(user),
        "new_token": None,
        "digest_error": None,
        "digest": sub if active else None,
        "digest_form": DigestChoice.of(sub).fields(),
        "profile_error": None,
        "avatar_error": None,
        "notification_kinds": KINDS,
        "mail_choices": CHOICES,
        "choice_labels": CHOICE_LABELS,
        "choice_of": choice_of,
        "profile_form": ProfileForm.of(user),
    } | extra


@router.post("/settings/profile", dependencies=[Csrf])
def save_profile(
    request: Request,
    services: ServicesDep,
    user: UserDep,
    form: ProfileFormDep,
) -> Response:
    if user is None:
        return login_redirect("/settings")
    try:
        services.profiles.update(user, form.checked())
    except ProfileError as exc:
        context = _settings(services, user, profile_error=str(exc), profile_form=form)
        return render(request, "settings.html", context, 400)
    return RedirectResponse("/settings?profile=saved#profile", status_code=303)


@router.post("/settings/avatar", dependencies=[Csrf])
def save_avatar(
    request: Request,
    services: ServicesDep,
    user: UserDep,
    avatar: Annotated[UploadFile | None, File()] = None,
    remove: Annotated[bool, Form()] = False,
) -> Response:
    """Upload an avatar (re-encoded, or refused with the reason), or go back to initials."""
    if user is None:
        return login_redirect("/settings")
    if remove:
        services.profiles.clear_avatar(user)
        return RedirectResponse("/settings?avatar=removed#profile", status_code=303)
    try:
        if avatar is None or not avatar.filename:
            raise AvatarRejected("Choose an image file to upload.")
        data = avatar.file.read(MAX_BYTES + 1)
        services.profiles.set_avatar(user, data, avatar.filename)
    except AvatarRejected as exc:
        context = _settings(services, user, avatar_error=str(exc))
        return render(request, "settings.html", context, 400)
    return RedirectResponse("/settings?avatar=saved#profile", status_code=303)


@router.post("/settings/notifications", dependencies=[Csrf])
async def save_notification_mail(
    request: Request, services: ServicesDep, user: UserDep
) -> Response:
    """One choice per kind (people/notification_kinds.py), named by the kind."""
    if user is None:
        return login_redirect("/settings")
    form = await request.form()
    given = {kind.name: str(form.get(f"mail_{kind.name}", kind.default)) for kind in KINDS}
    await run_in_threadpool(services.profiles.set_mail, user, given)
    return RedirectResponse("/settings?notifications=saved#notifications", status_code=303)


@router.post("/settings/digest", dependencies=[Csrf])
def save_digest(
    request: Request,
    services: ServicesDep,
    user: UserDep,
    choice: DigestForm,
) -> Response:
    if user is None:
        return login_redirect("/settings")
    try:
        services.subscriptions.subscribe(
            user.email, choice.frequency, choice.interests(), user=user
        )
    except SubscriptionError as exc:
        context = _settings(services, user, digest_error=str(exc))
        return render(request, "settings.html", context, 400)
    return RedirectResponse("/settings?digest=saved#digest", status_code=303)


@router.post("/settings/digest/cancel", dependencies=[Csrf])
def cancel_digest(services: ServicesDep, user: UserDep) -> Response:
    if user is None:
        return login_redirect("/settings")
    services.subscriptions.cancel_for(user)
    return RedirectResponse("/settings?digest=cancelled#digest", status_code=303)


@router.post("/settings/tokens", dependencies=[Csrf])
def create_token(
    request: Request,
    services: ServicesDep,
    user: UserDep,
    name: Annotated[str, Form(min_length=1, max_length=100)],
) -> Response:
    if user is None:
        return login_redirect("/settings")
    token = services.accounts.create_api_token(user, name)
    page = render(request, "settings.html", _settings(services, user, new_token=token))
    page.headers["Cache-Control"] = "no-store"  # the secret is shown once and never cached
    return page


@router.post("/settings/tokens/{token_id}/delete", dependencies=[Csrf])
def delete_token(token_id: RowId, services: ServicesDep, user: UserDep) -> Response:
    if user is None:
        return login_redirect("/settings")
    services.accounts.revoke_api_token(user, token_id)
    return RedirectResponse("/settings", status_code=303)
