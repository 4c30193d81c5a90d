"""Digest subscriptions on the site: subscribe (footer box and /subscribe), confirm, manage,
and unsubscribe — one click from the mail (RFC 8058), no cookie or CSRF token needed."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from dailypapers.digest.interests import SubscriptionError
from dailypapers.digest.subscriptions import interests_of
from dailypapers.models import Subscription
from dailypapers.web.deps import Csrf, ServicesDep, UserDep
from dailypapers.web.pages.digest_form import DigestChoice, DigestForm
from dailypapers.web.render import message_page, render
from dailypapers.web.security import client_key
from dailypapers.web.services import Services

router = APIRouter(include_in_schema=False)  # HTML pages: not part of the API
Short = Annotated[str, Form(max_length=254)]
Token = Annotated[str, Query(max_length=4000)]
MAILS_PER_ADDRESS_PER_HOUR = 3
TOO_MANY = "Too many requests for now. Please wait a while and try again."


def _limited(services: Services, request: Request, email: str) -> bool:
    hour = timedelta(hours=1)
    per_client = services.limiter.hit(
        f"subscribe:{client_key(request)}", limit=services.settings.signups_per_hour, window=hour
    )
    per_address = services.limiter.hit(
        f"subscribe-email:{email.strip().lower()[:254]}",
        limit=MAILS_PER_ADDRESS_PER_HOUR,
        window=hour,
    )
    return not (per_client and per_address)


@router.get("/subscribe", response_class=HTMLResponse)
def subscribe_form(request: Request, services: ServicesDep, user: UserDep) -> HTMLResponse:
    form = DigestChoice.of(services.subscriptions.for_user(user) if user else None).fields()
    form["email"] = user.email if user else ""
    return render(request, "subscribe.html", {"form": form})


@router.post("/subscribe", response_class=HTMLResponse, dependencies=[Csrf])
def subscribe(
    request: Request,
    services: ServicesDep,
    user: UserDep,
    email: Short,
    choice: DigestForm,
) -> Response:
    form = choice.fields() | {"email": email}
    if _limited(services, request, email):
        return render(request, "subscribe.html", {"form": form, "error": TOO_MANY}, 429)
    try:
        interests = choice.interests()
        outcome = services.subscriptions.subscribe(email, choice.frequency, interests, user=user)
    except SubscriptionError as exc:
        return render(request, "subscribe.html", {"form": form, "error": str(exc)}, 400)
    if outcome == "active":
        return RedirectResponse("/settings?digest=saved#digest", status_code=303)
    return message_page(
        request,
        "Check your inbox",
        f"We sent a confirmation link to {email.strip().lower()}. Your digest starts once you "
        "open it (it works for 48 hours).",
    )


@router.get("/subscribe/confirm", response_class=HTMLResponse)
def confirm(request: Request, services: ServicesDep, token: Token = "") -> HTMLResponse:
    try:
        sub = services.subscriptions.confirm(token)
    except SubscriptionError as exc:
        return message_page(
            request, "Link not valid", str(exc), status=400, link=("/subscribe", "Subscribe again")
        )
    interests = interests_of(sub)
    return message_page(
        request,
        "You are subscribed",
        f"{sub.email} gets the {sub.frequency} digest — {interests.describe()}.",
        link=(services.subscriptions.manage_url(sub.id), "Change preferences"),
    )


@router.get("/unsubscribe/{token}", response_class=HTMLResponse)
def unsubscribe_page(request: Request, token: str) -> HTMLResponse:
    """Shows a button; changes nothing (link scanners and previews issue GETs)."""
    return render(request, "unsubscribe.html", {"token": token})


@router.post("/unsubscribe/{token}", response_class=HTMLResponse)
def unsubscribe(request: Request, services: ServicesDep, token: str) -> HTMLResponse:
    """One-click unsubscribe (RFC 8058): no session, no CSRF token; the signed URL is the key."""
    try:
        sub = services.subscriptions.unsubscribe(token)
    except SubscriptionError as exc:
        return message_page(request, "Link not valid", str(exc), status=400)
    return message_page(
        request,
        "You are unsubscribed",
        f"{sub.email} will get no more digests. Changed your mind? You can subscribe again.",
        link=("/subscribe", "Subscribe again"),
    )


@router.get("/subscription/{token}", response_class=HTMLResponse)
def manage_page(request: Request, services: ServicesDep, token: str) -> HTMLResponse:
    try:
        sub = services.subscriptions.subscription_for_link(token)
    except SubscriptionError as exc:
        return message_page(request, "Link not valid", str(exc), status=400)
    return _manage(request, services, token, sub)


def _manage(
    request: Request, services: Services, token: str, sub: Subscription, **extra: object
) -> HTMLResponse:
    context = {
        "form": DigestChoice.of(sub).fields(),
        "token": token,
        "sub": sub,
        "saved": False,
        "unsubscribe_path": services.subscriptions.unsubscribe_path(sub.id),
    }
    return render(request, "subscription.html", context | extra)


@router.post("/subscription/{token}", response_class=HTMLResponse, dependencies=[Csrf])
def manage(
    request: Request,
    services: ServicesDep,
    token: str,
    choice: DigestForm,
) -> HTMLResponse:
    try:
        sub = services.subscriptions.subscription_for_link(token)
        services.subscriptions.update(sub.id, choice.frequency, choice.interests())
    except SubscriptionError as exc:
        context = {
            "form": choice.fields(),
            "token": token,
            "sub": None,
            "saved": False,
            "unsubscribe_path": None,
            "error": str(exc),
        }
        return render(request, "subscription.html", context, 400)
    sub = services.subscriptions.subscription_for_link(token)
    return _manage(request, services, token, sub, saved=True)
