"""`dailypapers import FILE` and `dailypapers demo load`."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import typer
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TimeElapsedColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)
from rich.table import Table

from dailypapers.cli.common import EXIT_BAD_INPUT, console, fail, load_settings, opened_store
from dailypapers.ingest.importer import ImportSummary, UnreadableFile, import_file
from dailypapers.store import PaperStore

demo_app = typer.Typer(help="The bundled demo data.", no_args_is_help=True)
DEMO_FILE = "demo.jsonl.gz"


def _run_import(store: PaperStore, path: Path, batch_size: int, quiet: bool) -> ImportSummary:
    columns = (
        "[progress.description]{task.description}",
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console, disable=quiet, transient=False) as progress:
        task = progress.add_task(f"importing {path.name}", total=path.stat().st_size)
        try:
            return import_file(
                store,
                path,
                batch_size=batch_size,
                progress=lambda done, total: progress.update(task, completed=done),
            )
        except UnreadableFile as exc:
            print_summary(exc.summary)
            fail(str(exc))


def print_summary(summary: ImportSummary) -> None:
    table = Table(title="import summary", show_header=False)
    for label, value in (
        ("records read", summary.read),
        ("inserted", summary.inserted),
        ("updated", summary.updated),
        ("unchanged", summary.unchanged),
        ("rejected", summary.rejected),
        ("daily entries added", summary.daily_added),
    ):
        table.add_row(label, f"{value:,}")
    console.print(table)
    for reason, count in summary.reasons.most_common():
        console.print(f"  rejected {count:,} × {reason}")
    for line_no, reason in summary.examples:
        console.print(f"  line {line_no}: {reason}", markup=False)


def import_command(
    file: Path = typer.Argument(
        ...,
        help="JSON Lines file (plain or .gz): dailypapers records or arXiv's metadata snapshot.",
    ),
    batch_size: int = typer.Option(0, min=0, help="Papers per transaction (0: configured)."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
) -> None:
    """Import papers from a file; safe to run again (unchanged papers stay unchanged)."""
    if not file.is_file():
        fail(f"{file}: no such file", code=EXIT_BAD_INPUT)
    settings = load_settings()
    with opened_store(settings) as store:
        summary = _run_import(store, file, batch_size or settings.import_batch_size, quiet)
    print_summary(summary)


def demo_path() -> Path:
    return Path(str(resources.files("dailypapers.demo").joinpath(DEMO_FILE)))


@demo_app.command("load")
def load_demo(
    if_empty: bool = typer.Option(False, "--if-empty", help="Only when there are no papers."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
) -> None:
    """Load the bundled demo corpus (Hugging Face Daily Papers, February 2026)."""
    settings = load_settings()
    with opened_store(settings) as store:
        if if_empty and store.count_papers() > 0:
            console.print("database already has papers; demo data not loaded")
            return
        summary = _run_import(store, demo_path(), settings.import_batch_size, quiet)
    print_summary(summary)
