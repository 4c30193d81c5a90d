"""`dailypapers worker`: the scheduled jobs (listing, harvest, embedding, digests)."""

from __future__ import annotations

from datetime import UTC, datetime

import typer
from prometheus_client import start_http_server

from dailypapers.cli.common import (
    EXIT_BAD_INPUT,
    console,
    fail,
    load_settings,
    opened_store,
    stdout,
)
from dailypapers.web.observability import configure_logging
from dailypapers.worker.jobs import configured_jobs
from dailypapers.worker.scheduler import Worker


def _utc(value: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        fail(f"--now wants YYYY-MM-DDTHH:MM, not {value!r}", code=EXIT_BAD_INPUT)
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


def worker_command(
    once: bool = typer.Option(
        False, "--once", help="Run what is due (and what a dead worker left), then exit."
    ),
    now: str | None = typer.Option(
        None, "--now", help="With --once: act as if it were this UTC time (YYYY-MM-DDTHH:MM)."
    ),
) -> None:
    """Run the recurring jobs on their schedules; several workers share the work safely."""
    settings = load_settings()
    moment = _utc(now) if now is not None else None
    configure_logging()
    with opened_store(settings) as store:
        try:
            worker = Worker(store, settings, configured_jobs(settings))
        except ValueError as exc:  # a bad cron expression or time zone
            fail(f"invalid schedule: {exc}", code=EXIT_BAD_INPUT)
        if once:
            for line in worker.run_due(moment) or ["nothing due"]:
                stdout.print(line, soft_wrap=True)
            return
        if settings.worker_metrics_port:
            start_http_server(settings.worker_metrics_port, addr="127.0.0.1")
        console.print(f"worker {worker.name} started; SIGTERM stops it after the current work")
        worker.serve()
    console.print("worker stopped")
