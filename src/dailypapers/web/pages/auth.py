"""Sign up, confirm, log in and out, reset a password."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from dailypapers.accounts.service import AccountError
from dailypapers.models import User
from dailypapers.web.deps import Csrf, ServicesDep, UserDep, current_user
from dailypapers.web.intents import carry_out, intended_paper
from dailypapers.web.render import message_page, render
from dailypapers.web.security import (
    SESSION_COOKIE,
    clear_session_cookie,
    client_key,
    safe_next,
    set_session_cookie,
)
from dailypapers.web.services import Services

router = APIRouter(include_in_schema=False)  # HTML pages: not part of the API
Field = Annotated[str, Form(max_length=1024)]
NextParam = Annotated[str | None, Query(max_length=2000)]
TOO_MANY = "Too many attempts. Please wait a few minutes and try again."


LOGIN_WINDOW = timedelta(minutes=15)
TOO_MANY_FOR_ACCOUNT = (
    "Too many failed log-ins to this account from your network. Wait 15 minutes, or "
    "choose a new password with “Forgot your password?”."
)
TOO_MANY_FROM_ADDRESS = "Too many failed log-ins from your network. Please wait 15 minutes."


def _login_limits(services: Services, request: Request, email: str) -> list[tuple[str, int, str]]:
    """(key, limit, message) for failed log-ins: per account and client address, so someone
    elsewhere cannot lock the owner out, and per client address over all accounts."""
    per_account = services.settings.login_attempts_per_15min
    address, account = client_key(request), email.strip().lower()[:254]
    return [
        (f"login-fail:{account}:{address}", per_account, TOO_MANY_FOR_ACCOUNT),
        (f"login-fail-ip:{address}", 5 * per_account, TOO_MANY_FROM_ADDRESS),
    ]


def _login_blocked(services: Services, limits: list[tuple[str, int, str]]) -> str | None:
    for key, limit, message in limits:
        if services.limiter.used(key, window=LOGIN_WINDOW) >= limit:
            return message
    return None


def _limited(services: Services, key: str, limit: int, minutes: int) -> bool:
    return not services.limiter.hit(key, limit=limit, window=timedelta(minutes=minutes))


@router.get("/signup", response_class=HTMLResponse)
def signup_form(request: Request) -> HTMLResponse:
    return render(request, "auth/signup.html", {"form": {}})


@router.post("/signup", response_class=HTMLResponse, dependencies=[Csrf])
def signup(
    request: Request,
    services: ServicesDep,
    background: BackgroundTasks,
    email: Field,
    username: Field,
    password: Field,
) -> HTMLResponse:
    form = {"email": email, "username": username}
    if _limited(services, f"signup:{client_key(request)}", services.settings.signups_per_hour, 60):
        return render(request, "auth/signup.html", {"form": form, "error": TOO_MANY}, 429)
    try:
        later = services.accounts.sign_up(email=email, username=username, password=password)
    except AccountError as exc:
        return render(request, "auth/signup.html", {"form": form, "error": str(exc)}, 400)
    background.add_task(later)  # after the answer: its timing says nothing about the address
    return render(request, "auth/check_mail.html", {"email": email.strip().lower()})


@router.get("/verify", response_class=HTMLResponse)
def verify(
    request: Request, services: ServicesDep, token: Annotated[str, Query(max_length=2000)] = ""
) -> Response:
    try:
        user, confirmed_now = services.accounts.verify_email(token)
    except AccountError as exc:
        return message_page(request, "Link not valid", str(exc), status=400)
    if not confirmed_now:  # a second click: say so, and log in the usual way
        return message_page(
            request,
            "Already confirmed",
            f"The address of {user.username} was confirmed before; this link has been used.",
            link=None if current_user(request) else ("/login", "Log in"),
        )
    welcome = RedirectResponse("/?confirmed=1", status_code=303)  # base.html greets them
    _start_session(request, services, welcome, user)  # the first use only: it proves the inbox
    return welcome


def _start_session(request: Request, services: Services, response: Response, user: User) -> None:
    """A fresh session for ``user`` on ``response``, ending any session the browser had
    (never keep a session id that existed before log-in: session fixation)."""
    old = request.cookies.get(SESSION_COOKIE)
    if old:
        services.accounts.end_session(old)
    set_session_cookie(
        response,
        services.accounts.start_session(user),
        # Secure when the site is https, directly or behind a proxy that says so.
        secure=services.settings.secure_cookies or request.url.scheme == "https",
        max_age=services.settings.session_days * 86400,
    )


def _login_page(
    request: Request,
    services: Services,
    *,
    next: str,
    intent: str | None,
    email: str = "",
    error: str | None = None,
    status: int = 200,
) -> HTMLResponse:
    paper = intended_paper(services, intent)
    context = {
        "next": next,
        "form": {"email": email},
        "intent": intent if paper else "",
        "intent_paper": paper,
        "error": error,
    }
    return render(request, "auth/login.html", context, status)


@router.get("/login", response_class=HTMLResponse)
def login_form(
    request: Request, services: ServicesDep, next: NextParam = None, intent: NextParam = None
) -> HTMLResponse:
    return _login_page(request, services, next=safe_next(next), intent=intent)


@router.post("/login", dependencies=[Csrf])
def login(
    request: Request,
    services: ServicesDep,
    email: Field,
    password: Field,
    next: Annotated[str, Form(max_length=2000)] = "/",
    intent: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    target = safe_next(next)
    page = {"next": target, "intent": intent, "email": email}
    limits = _login_limits(services, request, email)
    if blocked := _login_blocked(services, limits):
        return _login_page(request, services, **page, error=blocked, status=429)
    try:
        user = services.accounts.authenticate(email=email, password=password)
    except AccountError as exc:
        for key, limit, _ in limits:  # only failures count: the owner's log-ins never lock
            services.limiter.hit(key, limit=limit, window=LOGIN_WINDOW)
        return _login_page(request, services, **page, error=str(exc), status=400)
    carry_out(services, user, intent)  # the upvote clicked before logging in
    response = RedirectResponse(target, status_code=303)
    _start_session(request, services, response, user)
    return response


@router.post("/logout", dependencies=[Csrf])
def logout(request: Request, services: ServicesDep) -> Response:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        services.accounts.end_session(token)
    response = RedirectResponse("/", status_code=303)
    clear_session_cookie(response)
    return response


@router.get("/password-reset", response_class=HTMLResponse)
def reset_form(request: Request) -> HTMLResponse:
    return render(request, "auth/reset_request.html", {})


@router.post("/password-reset", response_class=HTMLResponse, dependencies=[Csrf])
def reset_request(
    request: Request, services: ServicesDep, background: BackgroundTasks, email: Field
) -> HTMLResponse:
    if _limited(services, f"reset:{client_key(request)}", services.settings.signups_per_hour, 60):
        return render(request, "auth/reset_request.html", {"error": TOO_MANY}, 429)
    background.add_task(services.accounts.request_password_reset(email))  # after the answer
    message = (
        "If that address has an account, we sent it a link to choose a new password. "
        "The link works for two hours."
    )
    return message_page(request, "Check your mail", message)


@router.get("/password-reset/confirm", response_class=HTMLResponse)
def reset_confirm_form(
    request: Request, services: ServicesDep, token: Annotated[str, Query(max_length=2000)] = ""
) -> HTMLResponse:
    try:
        services.accounts.check_reset_token(token)
    except AccountError as exc:
        return message_page(request, "Link not valid", str(exc), status=400)
    return render(request, "auth/reset_confirm.html", {"token": token})


@router.post("/password-reset/confirm", response_class=HTMLResponse, dependencies=[Csrf])
def reset_confirm(
    request: Request, services: ServicesDep, token: Field, password: Field
) -> HTMLResponse:
    try:
        services.accounts.reset_password(token, password)
    except AccountError as exc:
        return render(request, "auth/reset_confirm.html", {"token": token, "error": str(exc)}, 400)
    message = "Your password is changed; every other session was logged out."
    return message_page(request, "Password changed", message, link=("/login", "Log in"))


@router.get("/account", response_class=HTMLResponse)
def account_redirect(user: UserDep) -> Response:
    return RedirectResponse("/settings" if user else "/login?next=/settings", status_code=303)
