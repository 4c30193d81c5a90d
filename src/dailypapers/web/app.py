"""The ASGI application factory: the only place the web layer reads settings."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException

from dailypapers import __version__
from dailypapers.settings import Settings
from dailypapers.store import PaperStore, open_store
from dailypapers.web import api, pages

TEMPLATES_DIR = Path(__file__).parent / "templates"


def create_app(settings: Settings, store: PaperStore | None = None) -> FastAPI:
    """Build the app on ``settings``; tests may hand in an already-open ``store``."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        owned = store is None
        app.state.store = store or open_store(settings.resolved_database_url)
        yield
        if owned:
            app.state.store.close()

    app = FastAPI(
        title="dailypapers",
        version=__version__,
        lifespan=lifespan,
        docs_url="/api/docs",
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.templates = Jinja2Templates(directory=str(TEMPLATES_DIR))
    app.include_router(api.router)
    app.include_router(pages.router)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return JSONResponse(
            {"error": str(exc.detail)},
            status_code=exc.status_code,
            headers=getattr(exc, "headers", None),
        )

    return app
