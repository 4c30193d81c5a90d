"""Sending a period's digests from the outbox: compose, send, record; safe to rerun.

Outcomes per recipient follow mail/delivery.py; for digests a 5xx suppresses the address,
and three lost connections in a row end the run (the server is down; the next run sends
the rest).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import EmailMessage

from dailypapers.digest.content import DigestPaper, PeriodPapers
from dailypapers.digest.following import Followed, FollowingMatcher, follows_of
from dailypapers.digest.matching import PersonalMatcher, Reader
from dailypapers.digest.outbox import OutboxItem, OutboxRepo
from dailypapers.digest.subscriptions import DigestSite, SubscriptionService
from dailypapers.mail import Mailer, render_email
from dailypapers.mail.delivery import RetryPolicy, Verdict, attempt
from dailypapers.mail.transport import Sender
from dailypapers.metrics import MAILS
from dailypapers.models import utcnow

log = logging.getLogger(__name__)
MAX_CONNECTION_FAILURES = 3


class DigestRunError(RuntimeError):
    """The run cannot go on (mail server unreachable or refusing the sender)."""


@dataclass(frozen=True)
class SendOptions:
    rate_per_second: float = 20.0
    max_attempts: int = 5
    retry_seconds: float = 60.0
    claim_seconds: float = 120.0
    batch: int = 25


@dataclass
class RunReport:
    sent: int = 0
    skipped: int = 0
    retried: int = 0
    failed: int = 0
    suppressed: int = 0
    counts: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Digest:
    message: EmailMessage
    papers: list[int]  # every paper in it: remembered so the personal section never repeats
    personal: int


class DigestComposer:
    def __init__(
        self,
        papers: PeriodPapers,
        matcher: PersonalMatcher,
        links: SubscriptionService,
        site: DigestSite,
        personal: int,
        following: FollowingMatcher | None = None,
    ) -> None:
        self.papers = papers
        self.matcher = matcher
        self.following = following
        self.links = links
        self.site = site
        self.personal = personal
        self.domain = site.mail_from.rpartition("@")[2].strip("> ") or "localhost"

    def message_id(self, item: OutboxItem) -> str:
        period = self.papers.period.digest_key.replace(":", ".")
        return f"<digest.{period}.{item.subscription_id}.{item.id}@{self.domain}>"

    def compose(self, item: OutboxItem, reader: Reader) -> Digest | None:
        """The reader's digest, or None when there is nothing to send."""
        mine = self.matcher.match(reader, self.personal)
        followed: list[DigestPaper] = []
        if self.following is not None and reader.followed:
            skip = reader.seen | {p.paper_id for p in mine}
            followed = self.following.match(reader.followed, skip, self.personal)
        if not self.papers.trending and not mine and not followed:
            return None
        unsubscribe = self.links.unsubscribe_url(item.subscription_id)
        context = {
            "site_name": self.site.site_name,
            "site_url": self.site.base_url.rstrip("/"),
            "period": self.papers.period,
            "trending": self.papers.trending,
            "personal": mine,
            "following": followed,
            "interests": item.interests,
            "unsubscribe_url": unsubscribe,
            "manage_url": self.links.manage_url(item.subscription_id),
        }
        message = render_email(
            "digest",
            context,
            to=item.email,
            sender=self.site.mail_from,
            message_id=self.message_id(item),
            headers={
                "List-Unsubscribe": f"<{unsubscribe}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                "List-Id": f"{self.site.site_name} digest <digest.{self.domain}>",
            },
        )
        ids = [p.paper_id for p in [*self.papers.trending, *mine, *followed]]
        return Digest(message, ids, len(mine))


class DigestSender:
    def __init__(
        self,
        outbox: OutboxRepo,
        composer: DigestComposer,
        mailer: Mailer,
        options: SendOptions,
        *,
        progress: Callable[[RunReport], None] | None = None,
        stop: threading.Event | None = None,
    ) -> None:
        self.outbox = outbox
        self.composer = composer
        self.mailer = mailer
        self.options = options
        self.policy = RetryPolicy(options.max_attempts, options.retry_seconds)
        self.progress = progress or (lambda report: None)
        self.stop = stop or threading.Event()  # set it (SIGTERM) to finish the current mail and end
        self.worker = f"{socket.gethostname()}:{os.getpid()}:{time.monotonic_ns()}"
        self.report = RunReport()
        self._failures = 0
        self._next_send = 0.0

    def run(self) -> RunReport:
        period = self.composer.papers.period
        self.outbox.plan(period)
        with self.mailer.session() as connection:
            while not self.stop.is_set():
                items = self.outbox.claim(
                    period.digest_key, self.worker, self.options.batch, self.options.claim_seconds
                )
                if items:
                    self._send_batch(connection, items)
                    continue
                wake = self.outbox.next_wake(period.digest_key)
                if wake is None:
                    break
                self.stop.wait(min(max((wake - utcnow()).total_seconds(), 0.05), 5.0))
        self.report.counts = self.outbox.counts(period.digest_key)
        return self.report

    def _readers(self, items: list[OutboxItem]) -> list[Reader]:
        seen = self.outbox.seen(
            [i.subscription_id for i in items], self.composer.papers.period.starts_at
        )
        users = [i.user_id for i in items if i.user_id is not None]
        liking = [i.user_id for i in items if i.user_id is not None and i.interests.like_upvoted]
        upvoted = self.outbox.upvoted(liking) if liking else {}
        followed = follows_of(self.outbox.db, users)
        self.composer.matcher.prepare(i.interests.query for i in items)
        return [
            Reader(
                i.subscription_id,
                i.interests,
                upvoted.get(i.user_id, []) if i.user_id is not None else [],
                seen[i.subscription_id],
                followed.get(i.user_id, Followed()) if i.user_id is not None else Followed(),
            )
            for i in items
        ]

    def _send_batch(self, connection: Sender, items: list[OutboxItem]) -> None:
        for item, reader in zip(items, self._readers(items), strict=True):
            if self.stop.is_set():  # hand the rest of the batch back at once
                self.outbox.retry_later(item, "sender stopped", 0, count=False)
                continue
            if not item.active:
                self.outbox.finish(item, "skipped", "unsubscribed or suppressed before sending")
                self.report.skipped += 1
                continue
            digest = self.composer.compose(item, reader)
            if digest is None:
                self.outbox.finish(item, "skipped", "nothing to send for this period")
                self.report.skipped += 1
                continue
            self._pace()
            self._deliver(connection, item, digest)
            self.progress(self.report)

    def _pace(self) -> None:
        if self.options.rate_per_second <= 0:
            return
        now = time.monotonic()
        if self._next_send > now:
            time.sleep(self._next_send - now)
        self._next_send = max(now, self._next_send) + 1.0 / self.options.rate_per_second

    def _deliver(self, connection: Sender, item: OutboxItem, digest: Digest) -> None:
        outcome = self.policy.judge(attempt(connection, digest.message), item.attempts)
        MAILS.labels("digest", outcome.metric_label).inc()
        verdict = outcome.verdict
        if verdict is Verdict.SENT:
            self._failures = 0
            self.outbox.mark_sent(item, str(digest.message["Message-ID"]), digest.papers)
            self.report.sent += 1
        elif verdict is Verdict.STOP:
            self.outbox.retry_later(item, outcome.error, 0, count=False)
            raise DigestRunError(f"the mail server refused us: {outcome.error}")
        elif verdict is Verdict.REQUEUE:  # the connection broke; not the reader's fault
            self._failures += 1
            self.outbox.retry_later(item, outcome.error, outcome.delay, count=False)
            log.warning("mail server connection failed (%s); will retry", outcome.error)
            if self._failures >= MAX_CONNECTION_FAILURES:
                raise DigestRunError(f"the mail server is unreachable: {outcome.error}")
        elif verdict is Verdict.REJECTED:
            self.outbox.finish(item, "suppressed", outcome.error)
            self.report.suppressed += 1
            log.warning("suppressing %s after a permanent failure: %s", item.email, outcome.error)
        elif verdict is Verdict.GIVE_UP:
            self.outbox.finish(item, "failed", outcome.error)
            self.report.failed += 1
        else:
            self.outbox.retry_later(item, outcome.error, outcome.delay, count=True)
            self.report.retried += 1
