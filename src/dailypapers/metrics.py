"""Prometheus metrics: process-local instruments, plus figures read from the database at
scrape time (so they are right whichever process did the work).

With several app processes, scrape each one, or set PROMETHEUS_MULTIPROC_DIR (prometheus
client's multiprocess mode) to have one /metrics add them up.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import REGISTRY, Collector
from sqlalchemy import func, select

from dailypapers.db import Database
from dailypapers.models import DigestOutbox, HarvestState, JobRun, MailOutbox, Paper

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

HTTP_LATENCY = Histogram(
    "dailypapers_http_request_duration_seconds",
    "Time to answer a request, by route template.",
    ["method", "route", "status"],
    buckets=LATENCY_BUCKETS,
)
SEARCH_LATENCY = Histogram(
    "dailypapers_search_duration_seconds",
    "Time to rank a search or a similar-papers list (in-process, no HTTP).",
    ["kind"],
    buckets=LATENCY_BUCKETS,
)
ARXIV_REQUESTS = Counter(
    "dailypapers_arxiv_requests_total",
    "Requests to arXiv by answer (HTTP status, or 'error' when none came).",
    ["status"],
)
MAILS = Counter(
    "dailypapers_mails_total",
    "Mails this process tried to send, by kind (digest, verify, …) and outcome.",
    ["kind", "outcome"],
)


def count_arxiv(status: int | None) -> None:
    ARXIV_REQUESTS.labels("error" if status is None else str(status)).inc()


class DatabaseCollector(Collector):
    """Figures every process shares: papers, harvests, scheduled jobs, the mail outboxes."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def collect(self) -> Iterator[Metric]:
        with self.db.reader.connect() as conn:
            papers = conn.scalar(select(func.count()).select_from(Paper)) or 0
            harvested = conn.scalar(select(func.max(HarvestState.completed_at)))
            jobs = conn.execute(
                select(JobRun.job, func.max(JobRun.finished_at))
                .where(JobRun.status == "done")
                .group_by(JobRun.job)
            ).all()
            outbox = conn.execute(
                select(DigestOutbox.status, func.count()).group_by(DigestOutbox.status)
            ).all()
            notices = conn.execute(
                select(MailOutbox.kind, MailOutbox.status, func.count()).group_by(
                    MailOutbox.kind, MailOutbox.status
                )
            ).all()
        yield GaugeMetricFamily("dailypapers_papers", "Papers in the database.", value=papers)
        last = GaugeMetricFamily(
            "dailypapers_last_success_timestamp_seconds",
            "When each job last finished well (unix time); harvest = last OAI-PMH harvest.",
            labels=["job"],
        )
        if harvested is not None:
            last.add_metric(["oai-harvest"], _unix(harvested))
        for job, finished in jobs:
            if finished is not None:
                last.add_metric([str(job)], _unix(finished))
        yield last
        mails = GaugeMetricFamily(
            "dailypapers_digest_outbox", "Digest outbox rows by status.", labels=["status"]
        )
        for status, count in outbox:
            mails.add_metric([str(status)], count)
        yield mails
        queued = GaugeMetricFamily(
            "dailypapers_mail_outbox",
            "Notices (confirmations, resets, …) in the mail outbox by kind and status.",
            labels=["kind", "status"],
        )
        for kind, status, count in notices:
            queued.add_metric([str(kind), str(status)], count)
        yield queued


def _unix(moment: datetime) -> float:
    return moment.replace(tzinfo=UTC).timestamp()


def exposition(db: Database) -> tuple[bytes, str]:
    """The text a /metrics endpoint answers, and its content type."""
    registry = REGISTRY
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    shared = CollectorRegistry()
    shared.register(DatabaseCollector(db))
    return generate_latest(registry) + generate_latest(shared), CONTENT_TYPE_LATEST
