"""The ASGI application factory: the only place the web layer reads settings."""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as SQLAlchemyTimeoutError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Route

from dailypapers import __version__
from dailypapers.community.service import Fetcher
from dailypapers.errors import ServiceError
from dailypapers.mail import Mailer
from dailypapers.mail.courier import MailThread
from dailypapers.mail.factory import courier_for, postman_for
from dailypapers.search.background import BackgroundIndexer
from dailypapers.search.service import SearchService
from dailypapers.settings import Settings
from dailypapers.store import PaperStore, open_store
from dailypapers.web import api, api_write, docs, feeds, health
from dailypapers.web.errors import status_of
from dailypapers.web.observability import Observability
from dailypapers.web.pages import (
    account,
    auth,
    authors,
    feed,
    follows,
    moderation,
    orgs,
    paper,
    people,
    search,
    subscribe,
)
from dailypapers.web.render import render
from dailypapers.web.security import HeadAsGet, SecurityHeaders
from dailypapers.web.server import BodyLimits
from dailypapers.web.services import build_services

STATIC_DIR = Path(__file__).parent / "static"
log = logging.getLogger(__name__)


def _warm(search: SearchService) -> None:
    """Build or load the search indexes now, so the first search does not wait for them."""
    try:
        search.warm()
    except Exception:  # the first search tries again
        log.warning("could not warm the search indexes", exc_info=True)


def _is_api(request: Request) -> bool:
    return request.url.path.startswith(("/api/", "/feeds/"))


def _error_response(
    request: Request, status: int, message: str, headers: dict[str, str] | None = None
) -> Response:
    if _is_api(request):
        return JSONResponse({"error": message}, status_code=status, headers=headers)
    response = render(request, "error.html", {"status": status, "message": message}, status)
    response.headers.update(headers or {})  # e.g. Allow on 405, Retry-After on 503
    return response


def _too_large(request: Request, limit: int) -> Response:
    megabytes = max(1, limit // (1024 * 1024))
    return _error_response(request, 413, f"That is too large: this takes at most {megabytes} MB.")


METHOD_ORDER = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")


def allowed_methods(request: Request) -> str:
    """The methods of the resource at this path, from every route whose template matches it
    (the upvote path has a POST and a DELETE route). Where several templates match (GET
    /api/papers/{id:path} also matches /api/papers/submit), the most specific one is the
    resource: fewest parameters, then the longest template."""
    path = request.url.path
    if path.startswith("/static/"):
        return "GET, HEAD"
    served: dict[str, set[str]] = {}
    for route in request.app.state.routes:
        if route.path_regex.match(path):
            served.setdefault(route.path, set()).update(route.methods or ())
    if not served:
        return ""
    methods = served[min(served, key=lambda t: (t.count("{"), -len(t)))]
    if "GET" in methods:
        methods.add("HEAD")  # served by HeadAsGet
    return ", ".join(m for m in METHOD_ORDER if m in methods)


def _validation_message(exc: RequestValidationError) -> str:
    """Each problem names its field and where it was sent: "parent_id (body): …"."""
    problems = []
    for error in exc.errors()[:5]:
        kind, *path = [str(part) for part in error.get("loc", ())] or ["request"]
        name = ".".join(path)
        where = f"{name} ({kind})" if name else f"the request {kind}"
        problems.append(f"{where}: {error.get('msg', 'invalid')}")
    return "Invalid request — " + "; ".join(problems)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        headers = dict(getattr(exc, "headers", None) or {})
        if exc.status_code == 405:
            headers["Allow"] = allowed_methods(request)
        if exc.status_code == 413:
            return _too_large(request, int(request.scope.get("starlette.max_body_size") or 0))
        return _error_response(request, exc.status_code, str(exc.detail), headers)

    @app.exception_handler(ServiceError)
    async def refused(request: Request, exc: ServiceError) -> Response:
        # What a service will not do, in its own words, with the status of its kind.
        return _error_response(request, status_of(exc), str(exc))

    @app.exception_handler(Exception)
    async def unexpected_error(request: Request, exc: Exception) -> Response:
        request_id = str(getattr(request.state, "request_id", "-"))
        # This runs outside Observability, which has reset its context: name the id here.
        log.exception(
            "unhandled error on %s %s",
            request.method,
            request.url.path,
            extra={"request_id": request_id},
        )
        message = f"Something went wrong on our side; it was logged (request {request_id})."
        return _error_response(request, 500, message, {"X-Request-Id": request_id})

    @app.exception_handler(OperationalError)
    @app.exception_handler(InterfaceError)
    @app.exception_handler(SQLAlchemyTimeoutError)
    async def database_unavailable(request: Request, exc: Exception) -> Response:
        # The database is restarting or unreachable: a clean, retryable answer, not a 500.
        log.warning("database unavailable on %s %s: %s", request.method, request.url.path, exc)
        message = "The database is unavailable for a moment; please try again shortly."
        request.state.user = None  # the error page must not ask the database who this is
        return _error_response(request, 503, message, {"Retry-After": "5"})

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        status = 422 if _is_api(request) else 400
        return _error_response(request, status, _validation_message(exc))


def create_app(
    settings: Settings,
    store: PaperStore | None = None,
    *,
    mailer: Mailer | None = None,
    fetch: Fetcher | None = None,
) -> FastAPI:
    """Build the app on ``settings``; tests may hand in a store, a mailer and a fetcher."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        owned = store is None
        opened = store or open_store(settings.resolved_database_url)
        courier = None
        if settings.mail_in_background:
            courier = MailThread(courier_for(opened.db, settings, mailer)).start()
        postman = postman_for(opened.db, settings, courier.wake if courier else None)
        app.state.services = build_services(settings, opened, postman=postman, fetch=fetch)
        if courier is not None:
            courier.before_pass = app.state.services.notification_pass
        threading.Thread(target=_warm, args=(app.state.services.search,), daemon=True).start()
        indexer = None
        if settings.embed_in_background:
            indexer = BackgroundIndexer(
                opened.db, app.state.services.search.vectors, max_tokens=settings.embed_max_tokens
            ).start()
        yield
        for thread in (indexer, courier):
            if thread is not None:
                thread.stop()
        if owned:
            opened.close()

    app = FastAPI(
        title="dailypapers",
        version=__version__,
        lifespan=lifespan,
        docs_url=None,  # web.docs serves Swagger UI from the package
        redoc_url=None,
        description="Daily Papers: a Hugging Face–compatible read API, a token-"
        "authenticated write API and Atom/RSS feeds.",
    )
    app.add_middleware(SecurityHeaders, secure_cookies=settings.secure_cookies)
    app.add_middleware(HeadAsGet)
    app.add_middleware(BodyLimits, refuse=_too_large)
    app.add_middleware(Observability)  # outermost: ids and timings cover everything
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    routers = (
        health.router,
        docs.router,
        api_write.router,  # before the catch-all GET /api/papers/{arxiv_id:path}
        api.router,
        feeds.router,
        feed.router,
        auth.router,
        account.router,
        people.router,
        authors.router,
        follows.router,
        orgs.router,  # before paper's catch-all POST /papers/{id}/… routes
        moderation.router,  # before paper's catch-all POST /papers/{id}/… routes
        search.router,
        subscribe.router,
        paper.router,
    )
    for router in routers:
        app.include_router(router)
    install_error_handlers(app)

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> Response:
        return Response((STATIC_DIR / "favicon.svg").read_bytes(), media_type="image/svg+xml")

    # Every route as declared, for the Allow header of 405 answers (app.routes nests them).
    app.state.routes = [
        route
        for router in (app.router, *routers)
        for route in router.routes
        if isinstance(route, Route)
    ]
    return app


def app_from_environment() -> FastAPI:
    """The app for `dailypapers serve` and process managers (uvicorn/gunicorn --factory)."""
    return create_app(Settings.load())
