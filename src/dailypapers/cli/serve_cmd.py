"""`dailypapers serve`: the web site and JSON API."""

from __future__ import annotations

import typer
import uvicorn

from dailypapers.cli.common import load_settings, opened_store
from dailypapers.web.observability import configure_logging
from dailypapers.web.server import uvicorn_options


def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8000, min=1, max=65535, help="Port to listen on."),
    workers: int = typer.Option(1, min=1, max=64, help="App processes sharing the port."),
) -> None:
    """Serve the site (schema upgraded first). SIGTERM: in-flight requests finish (≤ 10 s)."""
    settings = load_settings()
    with opened_store(settings):
        pass  # create or migrate the schema before the first request
    configure_logging()
    uvicorn.run(
        "dailypapers.web.app:app_from_environment",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_config=None,  # keep our JSON logging
        access_log=False,  # the app logs each request with its id
        **uvicorn_options(),
    )
