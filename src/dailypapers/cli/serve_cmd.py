"""`dailypapers serve`: the web site and JSON API."""

from __future__ import annotations

import typer
import uvicorn

from dailypapers.cli.common import load_settings, opened_store


def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8000, min=1, max=65535, help="Port to listen on."),
) -> None:
    """Serve the site (schema upgraded first)."""
    from dailypapers.web.app import create_app

    settings = load_settings()
    with opened_store(settings):
        pass  # create or migrate the schema before the first request
    uvicorn.run(create_app(settings), host=host, port=port, log_level="info", proxy_headers=True)
