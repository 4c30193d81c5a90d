"""The worker's jobs: what each one does for one scheduled run (its slot).

Every job is safe to run again for the same slot: listings and harvests upsert, embedding
picks up what has no vector, digests and other mail go through their outboxes.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from dailypapers.digest.factory import send_digests
from dailypapers.ingest.http import client_for
from dailypapers.ingest.listing import ingest_listing
from dailypapers.ingest.oai import HarvestSummary, harvest
from dailypapers.mail.factory import courier_for, postman_for
from dailypapers.people.identities import Identities
from dailypapers.people.milestones import Milestones
from dailypapers.people.notification_mail import NotificationMail
from dailypapers.periods import last_complete, zone
from dailypapers.search.embed import OnnxEmbedder
from dailypapers.search.embeddings import EmbeddingRepo
from dailypapers.search.factory import vector_index
from dailypapers.search.pipeline import index_pending
from dailypapers.settings import Settings
from dailypapers.store import FeedRepo, PaperStore

HARVEST_DAYS = 3


class Stopped(Exception):
    """The worker is shutting down: the job saved its progress and ends early."""


@dataclass(frozen=True)
class JobContext:
    store: PaperStore
    settings: Settings
    slot: datetime  # the scheduled time, naive UTC
    stop: threading.Event

    def checkpoint(self) -> None:
        if self.stop.is_set():
            raise Stopped


JobFunction = Callable[[JobContext], str]


@dataclass(frozen=True)
class Job:
    name: str
    cron: str
    run: JobFunction


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def listing_job(ctx: JobContext) -> str:
    categories = _split(ctx.settings.listing_categories)
    with client_for(ctx.settings) as client:
        result = ingest_listing(ctx.store, client, ctx.settings.arxiv_listing_url, categories)
    return f"listing of {result.day}: {result.stored.daily_added} papers added to the feed"


def harvest_job(ctx: JobContext) -> str:
    """Catch up on the last few days of each set (resumable page by page)."""
    until = ctx.slot.date()
    done = []
    with client_for(ctx.settings) as client:
        for set_spec in _split(ctx.settings.harvest_sets):
            summary = harvest(
                ctx.store,
                client,
                ctx.settings.arxiv_oai_url,
                set_spec=set_spec,
                start=until - timedelta(days=HARVEST_DAYS),
                until=until,
                on_page=lambda _page: ctx.checkpoint(),
            )
            done.append(_harvested(set_spec, summary))
    return "; ".join(done)


def _harvested(set_spec: str, summary: HarvestSummary) -> str:
    return f"{set_spec}: {summary.pages} pages, {summary.inserted} new, {summary.updated} updated"


def embed_job(ctx: JobContext) -> str:
    embedder = OnnxEmbedder(max_tokens=ctx.settings.embed_max_tokens)
    vectors = vector_index(
        EmbeddingRepo(ctx.store.db, embedder.name), data_dir=ctx.settings.data_dir
    )
    report = index_pending(
        ctx.store.db, embedder, vectors, progress=lambda _step, _n, _t: ctx.checkpoint()
    )
    return (
        f"embedded {report.embedded} papers, measured {report.measured} neighbourhoods,"
        f" {report.split} sentence sets"
    )


def mail_job(ctx: JobContext) -> str:
    """Queue notification mail, then send what is due (`serve` does most of it at once)."""
    postman = postman_for(ctx.store.db, ctx.settings)
    secret = ctx.settings.resolved_secret_key()
    feeds = FeedRepo(ctx.store.db)
    Milestones(ctx.store.db, feeds, Identities(ctx.store.db)).check(force=True)
    hour = ctx.settings.notification_mail_hour
    NotificationMail(
        ctx.store.db, postman, secret, ctx.settings.base_url, daily_hour=hour
    ).queue_new()
    report = courier_for(ctx.store.db, ctx.settings).deliver_ready(ctx.stop)
    ctx.checkpoint()
    if report.stopped:
        raise RuntimeError(report.stopped)
    return f"mail: {report.outcomes or 'nothing was due'}"


def digest_job(frequency: str) -> JobFunction:
    def run(ctx: JobContext) -> str:
        period = last_complete(frequency, ctx.slot, zone(ctx.settings.timezone))
        report = send_digests(ctx.store, ctx.settings, period, stop=ctx.stop)
        ctx.checkpoint()
        return f"{period.digest_key}: {report.sent} sent, {report.counts}"

    return run


def configured_jobs(settings: Settings) -> list[Job]:
    """The jobs this installation runs (a job with an empty schedule or no input is off)."""
    candidates = [
        Job(
            "listing", settings.schedule_listing if settings.listing_categories else "", listing_job
        ),
        Job("harvest", settings.schedule_harvest if settings.harvest_sets else "", harvest_job),
        Job("embed", settings.schedule_embed, embed_job),
        Job("mail", settings.schedule_mail, mail_job),
        Job("daily-digest", settings.schedule_daily_digest, digest_job("daily")),
        Job("weekly-digest", settings.schedule_weekly_digest, digest_job("weekly")),
    ]
    return [job for job in candidates if job.cron.strip()]
