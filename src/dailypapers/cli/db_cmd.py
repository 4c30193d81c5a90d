"""`dailypapers db …`: schema management."""

from __future__ import annotations

import typer

from dailypapers.cli.common import console, load_settings, opened_store
from dailypapers.db import current_revision

app = typer.Typer(help="Database schema commands.", no_args_is_help=True)


@app.command("upgrade")
def upgrade() -> None:
    """Create the database or migrate it to the current schema."""
    settings = load_settings()
    with opened_store(settings) as store:
        console.print(
            f"database at revision {current_revision(store.db)} ({store.db.backend.name})"
        )


@app.command("check")
def check() -> None:
    """Run the engine's integrity checks; exit 1 if anything is wrong."""
    settings = load_settings()
    with opened_store(settings, upgrade=False) as store:
        problems = store.integrity_check()
    for problem in problems:
        console.print(f"[red]{problem}[/]")
    if problems:
        raise typer.Exit(1)
    console.print("integrity check: ok")
