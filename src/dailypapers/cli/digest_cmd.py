"""`dailypapers digest …`: send a period's e-mail digests (safe from cron, twice, in parallel)."""

from __future__ import annotations

import signal
from datetime import date, datetime

import typer
from rich.table import Table

from dailypapers.cli.common import (
    EXIT_BAD_INPUT,
    console,
    fail,
    load_settings,
    opened_store,
    stdout,
)
from dailypapers.digest.factory import (
    build_composer,
    choose_period,
    send_options,
)
from dailypapers.digest.matching import Reader
from dailypapers.digest.outbox import OutboxRepo
from dailypapers.digest.sender import DigestComposer, DigestRunError, DigestSender, RunReport
from dailypapers.mail.factory import settings_mailer

app = typer.Typer(help="E-mail digests.", no_args_is_help=True)


def _day(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        fail(f"--date wants YYYY-MM-DD, not {value!r}", code=EXIT_BAD_INPUT)


@app.command("send")
def send(
    period: str = typer.Option(..., "--period", help="daily or weekly."),
    day: str | None = typer.Option(
        None,
        "--date",
        help="A day in the period to send (YYYY-MM-DD); default: the last complete one.",
    ),
    dry_run: bool = typer.Option(
        False, "--dry-run", help="Compose every digest and show a summary; send and record nothing."
    ),
) -> None:
    """Send the digests of one period; rerunning sends only what is still missing."""
    if period not in ("daily", "weekly"):
        fail("--period must be daily or weekly", code=EXIT_BAD_INPUT)
    settings = load_settings()
    try:
        chosen = choose_period(settings, period, _day(day))
    except ValueError as exc:
        fail(str(exc), code=EXIT_BAD_INPUT)
    with opened_store(settings) as store:
        composer = build_composer(store, settings, chosen)
        papers = composer.papers
        console.print(
            f"{chosen.digest_key}: {len(papers.trending)} trending, "
            f"{len(papers.candidates)} new papers for personal sections"
        )
        if composer.matcher.missing_vectors:
            console.print(
                f"[yellow]{composer.matcher.missing_vectors} of them have no embedding yet "
                "(run `dailypapers index`): they match by keywords only[/]"
            )
        outbox = OutboxRepo(store.db)
        if dry_run:
            _dry_run(outbox, composer, period)
            return
        sender = DigestSender(outbox, composer, settings_mailer(settings), send_options(settings))
        # SIGTERM (a deploy, a stopped cron job): finish the current mail, hand the rest back.
        signal.signal(signal.SIGTERM, lambda _signum, _frame: sender.stop.set())
        try:
            with console.status("sending…") as status:
                sender.progress = lambda r: status.update(f"sending… {r.sent} sent")
                report = sender.run()
        except DigestRunError as exc:
            _summary(chosen.digest_key, sender.report, outbox.counts(chosen.digest_key))
            fail(f"{exc}; run the command again later to send the rest")
    _summary(chosen.digest_key, report, report.counts)


def _dry_run(outbox: OutboxRepo, composer: DigestComposer, frequency: str) -> None:
    items = outbox.active_items(frequency)
    seen = outbox.seen([i.subscription_id for i in items], composer.papers.period.starts_at)
    table = Table("to", "personal", "subject", title="digests that would be sent (dry run)")
    empty = 0
    for item in items:
        reader = Reader(item.subscription_id, item.interests, [], seen[item.subscription_id])
        digest = composer.compose(item, reader)
        if digest is None:
            empty += 1
            continue
        if table.row_count < 50:
            table.add_row(item.email, str(digest.personal), str(digest.message["Subject"]))
    stdout.print(table)
    stdout.print(
        f"{len(items) - empty} digests to send, {empty} with nothing in them; nothing sent"
    )


def _summary(period: str, report: RunReport, counts: dict[str, int]) -> None:
    stdout.print(
        f"{period}: sent {report.sent} now, {report.retried} to retry, {report.failed} failed, "
        f"{report.suppressed} suppressed, {report.skipped} skipped"
    )
    stdout.print("outbox: " + (", ".join(f"{n} {s}" for s, n in sorted(counts.items())) or "empty"))
