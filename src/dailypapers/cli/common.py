"""What every subcommand shares: settings, the store, error reporting and exit codes.

Exit codes: 0 success, 2 bad usage or input (as click does for usage errors), 1 failure.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import NoReturn

import typer
from rich.console import Console

from dailypapers.settings import Settings
from dailypapers.store import PaperStore, open_store

EXIT_FAILURE = 1
EXIT_BAD_INPUT = 2

console = Console(stderr=True, highlight=False)
stdout = Console(highlight=False)


def load_settings() -> Settings:
    try:
        return Settings.load()
    except ValueError as exc:  # pydantic's ValidationError is a ValueError
        fail(f"invalid configuration: {exc}", code=EXIT_BAD_INPUT)


def fail(message: str, *, code: int = EXIT_FAILURE) -> NoReturn:
    """Print ``message`` as an error and exit with ``code``."""
    console.print(f"[bold red]error:[/] {message}", soft_wrap=True)
    raise typer.Exit(code)


@contextmanager
def opened_store(settings: Settings, *, upgrade: bool = True) -> Iterator[PaperStore]:
    """The configured store, schema upgraded first (cheap when already current)."""
    settings.ensure_data_dir()
    store = open_store(settings.resolved_database_url)
    try:
        if upgrade:
            store.upgrade()
        yield store
    finally:
        store.close()
