"""`dailypapers backup DEST` and `dailypapers restore FILE` (embedded SQLite database)."""

from __future__ import annotations

from pathlib import Path

import typer

from dailypapers.backend import backend_for
from dailypapers.backend.base import BackupError
from dailypapers.cli.common import EXIT_BAD_INPUT, console, fail, load_settings


def backup_command(
    dest: Path = typer.Argument(..., help="A new file, or a folder for a dated file."),
) -> None:
    """Copy the live database (online, consistent), then verify the copy."""
    settings = load_settings()
    try:
        url = settings.resolved_database_url
        report = backend_for(url).backup(url, dest)
    except BackupError as exc:
        fail(str(exc), code=EXIT_BAD_INPUT)
    console.print(
        f"backed up {report.papers:,} papers to {report.path} "
        f"({report.bytes / 2**20:.1f} MiB, integrity check ok)"
    )


def restore_command(
    source: Path = typer.Argument(..., help="A file made by `dailypapers backup`."),
    yes: bool = typer.Option(False, "--yes", help="Replace the current database."),
) -> None:
    """Replace the database with a verified backup; stop the site and worker first."""
    if not yes:
        fail("restore replaces the current database: add --yes to go ahead", code=EXIT_BAD_INPUT)
    settings = load_settings()
    try:
        url = settings.resolved_database_url
        report = backend_for(url).restore(url, source)
    except BackupError as exc:
        fail(str(exc), code=EXIT_BAD_INPUT)
    console.print(f"restored {report.papers:,} papers into {report.path}")
