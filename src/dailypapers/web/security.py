"""Browser-facing security: headers, CSRF tokens, session cookies and safe redirects."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from urllib.parse import urlsplit

from fastapi import Request, Response
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

SESSION_COOKIE = "dp_session"
CSRF_COOKIE = "dp_csrf"
CSRF_FIELD = "csrf_token"

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        # KaTeX positions glyphs with style attributes; no inline <style> or scripts are used.
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class SecurityHeaders:
    """CSP and friends on every response; a CSRF cookie for every browser (pure ASGI: no
    per-request task and body streaming as BaseHTTPMiddleware would add)."""

    def __init__(self, app: ASGIApp, *, secure_cookies: bool) -> None:
        self.app = app
        self.secure_cookies = secure_cookies

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cookie = None
        if not Request(scope).cookies.get(CSRF_COOKIE):
            fresh = secrets.token_urlsafe(32)
            scope.setdefault("state", {})["csrf_cookie"] = fresh  # templates sign it now
            # https directly, or behind a TLS proxy whose X-Forwarded-Proto uvicorn trusts.
            cookie = self._csrf_cookie(
                fresh, secure=self.secure_cookies or scope["scheme"] == "https"
            )

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
                headers["X-Content-Type-Options"] = "nosniff"
                headers["Referrer-Policy"] = "strict-origin-when-cross-origin"
                headers["X-Frame-Options"] = "DENY"
                headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
                # A response any cache may share (an avatar) must not carry a visitor's cookie.
                if cookie and "public" not in headers.get("cache-control", ""):
                    headers.append("set-cookie", cookie)
            await send(message)

        await self.app(scope, receive, send_with_headers)

    @staticmethod
    def _csrf_cookie(value: str, *, secure: bool) -> str:
        carrier = Response()
        carrier.set_cookie(
            CSRF_COOKIE,
            value,
            httponly=True,
            samesite="lax",
            secure=secure,
            max_age=60 * 60 * 24 * 365,
        )
        return carrier.headers["set-cookie"]


class HeadAsGet:
    """HEAD is GET without the body (RFC 9110): FastAPI routes declare GET only, so curl -I
    and link checkers got 405 on every page."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def send_headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                if message.get("more_body", False):
                    return
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        await self.app(dict(scope, method="GET"), receive, send_headers_only)


def csrf_cookie_value(request: Request) -> str:
    return request.cookies.get(CSRF_COOKIE) or str(getattr(request.state, "csrf_cookie", ""))


def csrf_token(request: Request, secret: str) -> str:
    """The token forms carry: an HMAC under the site secret of the session, once signed in
    (a token seen before log-in, or planted with a cookie, is worth nothing after it), and
    of the browser's CSRF cookie before."""
    session = request.cookies.get(SESSION_COOKIE)
    bound = f"session:{session}" if session else f"browser:{csrf_cookie_value(request)}"
    return hmac.new(secret.encode(), bound.encode(), hashlib.sha256).hexdigest()


def csrf_valid(request: Request, secret: str, submitted: str | None) -> bool:
    if not submitted or not request.cookies.get(CSRF_COOKIE):
        return False
    return hmac.compare_digest(csrf_token(request, secret), submitted)


def safe_next(target: str | None, default: str = "/") -> str:
    """Only same-site paths: no scheme, no host, no '//' or backslash tricks."""
    if not target or len(target) > 2000:
        return default
    if any(ch in target for ch in "\\\r\n\t\x00") or not target.startswith("/"):
        return default
    if target.startswith("//"):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return default
    return target


def set_session_cookie(response: Response, token: str, *, secure: bool, max_age: int) -> None:
    response.set_cookie(
        SESSION_COOKIE, token, httponly=True, samesite="lax", secure=secure, max_age=max_age
    )


def clear_session_cookie(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE)


def client_key(request: Request) -> str:
    return request.client.host if request.client else "unknown"
