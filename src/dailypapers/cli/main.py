"""Entry point of the `dailypapers` command; subcommands live in sibling modules."""

from __future__ import annotations

import typer

from dailypapers import __version__
from dailypapers.cli import (
    backup_cmd,
    db_cmd,
    digest_cmd,
    import_cmd,
    ingest_cmd,
    mail_cmd,
    search_cmd,
    serve_cmd,
    user_cmd,
    worker_cmd,
)

app = typer.Typer(
    name="dailypapers",
    help="dailypapers: a self-hostable daily feed, search and digests for arXiv papers.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(db_cmd.app, name="db")
app.add_typer(ingest_cmd.app, name="ingest")
app.add_typer(user_cmd.app, name="user")
app.add_typer(digest_cmd.app, name="digest")
app.add_typer(mail_cmd.app, name="mail")
app.add_typer(import_cmd.demo_app, name="demo")
app.command("import")(import_cmd.import_command)
app.command("serve")(serve_cmd.serve)
app.command("index")(search_cmd.index)
app.command("search")(search_cmd.search)
app.command("eval")(search_cmd.eval_command)
app.command("worker")(worker_cmd.worker_command)
app.command("backup")(backup_cmd.backup_command)
app.command("restore")(backup_cmd.restore_command)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"dailypapers {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """Configuration comes from DAILYPAPERS_* environment variables (see docs/configuration.md)."""


def main() -> None:
    app()
