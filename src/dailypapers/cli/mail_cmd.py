"""`dailypapers mail …`: the outbox of notices (confirmations, resets): see it, send it."""

from __future__ import annotations

import typer
from rich.table import Table

from dailypapers.cli.common import fail, load_settings, opened_store, stdout
from dailypapers.mail.courier import CourierReport
from dailypapers.mail.factory import courier_for
from dailypapers.mail.outbox import STATUSES, UNSENT, MailQueue

app = typer.Typer(help="The mail outbox (notices; digests: `dailypapers digest`).")


@app.command("status")
def status(
    failed: bool = typer.Option(False, "--failed", help="List only mail that was not sent."),
    limit: int = typer.Option(20, "--limit", min=1, help="Rows to list."),
) -> None:
    """Counts by kind and status, and the latest mail (or only the failures)."""
    with opened_store(load_settings()) as store:
        queue = MailQueue(store.db)
        counts = queue.counts()
        rows = queue.recent(statuses=UNSENT if failed else (), limit=limit)
    table = Table("kind", *STATUSES, title="Outbox")
    for kind in sorted({kind for kind, _ in counts}):
        table.add_row(kind, *(str(counts.get((kind, s), 0)) for s in STATUSES))
    stdout.print(table if counts else "The outbox is empty.")
    if rows:
        recent = Table("id", "kind", "status", "tries", "queued (UTC)", "to", "last error")
        for row in rows:
            recent.add_row(
                str(row.id),
                row.kind,
                row.status,
                str(row.attempts),
                f"{row.created_at:%m-%d %H:%M}",
                row.recipient,
                row.last_error or "",
            )
        stdout.print(recent)


@app.command("send")
def send(
    retry_failed: bool = typer.Option(
        False, "--retry-failed", help="First put failed mail back (after fixing the server)."
    ),
) -> None:
    """Send every mail that is due now (the worker and `serve` do this on their own)."""
    settings = load_settings()
    with opened_store(settings) as store:
        if retry_failed:
            stdout.print(f"{MailQueue(store.db).requeue_failed()} failed mails put back")
        report = courier_for(store.db, settings).deliver_ready()
        _print(report)
    if report.stopped:
        fail(f"{report.stopped}; the rest waits in the outbox")


def _print(report: CourierReport) -> None:
    done = ", ".join(f"{n} {verdict}" for verdict, n in sorted(report.outcomes.items()))
    stdout.print(f"mail: {done or 'nothing was due'}")
