"""Wire a digest run from the settings (used by the CLI, the worker and the benchmark)."""

from __future__ import annotations

import threading
from datetime import date

from dailypapers.digest.content import load_period
from dailypapers.digest.following import FollowingMatcher
from dailypapers.digest.matching import PersonalMatcher
from dailypapers.digest.outbox import OutboxRepo
from dailypapers.digest.sender import DigestComposer, DigestSender, RunReport, SendOptions
from dailypapers.digest.subscriptions import DigestSite, SubscriptionRepo, SubscriptionService
from dailypapers.mail import Mailer
from dailypapers.mail.factory import postman_for, settings_mailer
from dailypapers.mail.postman import Postman
from dailypapers.models import utcnow
from dailypapers.periods import Period, last_complete, period_containing, zone
from dailypapers.search.embed import Embedder, OnnxEmbedder
from dailypapers.search.embeddings import EmbeddingRepo
from dailypapers.settings import Settings
from dailypapers.store import PaperStore


def digest_site(settings: Settings) -> DigestSite:
    return DigestSite(settings.base_url, settings.site_name, settings.mail_from)


def subscription_service(
    store: PaperStore, settings: Settings, postman: Postman | None = None
) -> SubscriptionService:
    return SubscriptionService(
        SubscriptionRepo(store.db),
        postman or postman_for(store.db, settings),
        settings.resolved_secret_key(),
        digest_site(settings),
    )


def choose_period(settings: Settings, frequency: str, day: date | None) -> Period:
    tz = zone(settings.timezone)
    if day is not None:
        return period_containing(frequency, day, tz)
    return last_complete(frequency, utcnow(), tz)


def build_composer(
    store: PaperStore,
    settings: Settings,
    period: Period,
    *,
    embedder: Embedder | None = None,
) -> DigestComposer:
    embedder = embedder or OnnxEmbedder(max_tokens=settings.embed_max_tokens)
    papers = load_period(
        store.db, period, base_url=settings.base_url, trending=settings.digest_trending_count
    )
    matcher = PersonalMatcher(
        papers,
        EmbeddingRepo(store.db, embedder.name),
        embedder,
        store.db.backend.keyword_index(store.db, settings.data_dir),
        base_url=settings.base_url,
    )
    return DigestComposer(
        papers,
        matcher,
        subscription_service(store, settings),
        digest_site(settings),
        settings.digest_personal_count,
        FollowingMatcher(store.db, papers, settings.base_url),
    )


def send_options(settings: Settings) -> SendOptions:
    return SendOptions(
        rate_per_second=settings.digest_rate_per_second,
        max_attempts=settings.digest_max_attempts,
        retry_seconds=settings.digest_retry_seconds,
        claim_seconds=settings.digest_claim_seconds,
    )


def send_digests(
    store: PaperStore,
    settings: Settings,
    period: Period,
    *,
    mailer: Mailer | None = None,
    embedder: Embedder | None = None,
    stop: threading.Event | None = None,
) -> RunReport:
    mailer = mailer or settings_mailer(settings)
    composer = build_composer(store, settings, period, embedder=embedder)
    options = send_options(settings)
    return DigestSender(OutboxRepo(store.db), composer, mailer, options, stop=stop).run()
