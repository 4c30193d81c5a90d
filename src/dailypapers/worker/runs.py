"""Claims on scheduled job runs, shared by every worker through the database.

A run is (job, slot) with slot the scheduled time. Inserting the row claims it (the unique
key lets one insert win, on either engine); the owner renews ``lease_until`` while it works.
A row still ``running`` after its lease lapsed belongs to a worker that died: the next worker
to look takes it over, with the attempt counted. Failed runs are retried the same way, up to
MAX_ATTEMPTS.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from dailypapers.db import Database
from dailypapers.models import JobRun, utcnow

MAX_ATTEMPTS = 3
RETRY_FAILED_AFTER = timedelta(minutes=5)


def _recoverable(now: datetime) -> ColumnElement[bool]:
    """Still running past its lease (the worker died), or failed a while ago; tries left."""
    return and_(
        JobRun.attempts < MAX_ATTEMPTS,
        or_(
            and_(JobRun.status == "running", JobRun.lease_until < now),
            and_(JobRun.status == "failed", JobRun.finished_at < now - RETRY_FAILED_AFTER),
        ),
    )


class JobRunRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    def claim(self, job: str, slot: datetime, worker: str, lease: float) -> bool:
        """True when this worker now owns the run (new, abandoned, or failed and due again)."""
        now = utcnow()
        until = now + timedelta(seconds=lease)
        try:
            with self.db.writer.begin() as conn:
                conn.execute(
                    insert(JobRun).values(
                        job=job,
                        slot=slot,
                        status="running",
                        worker=worker,
                        attempts=1,
                        started_at=now,
                        lease_until=until,
                    )
                )
            return True
        except IntegrityError:
            pass
        takeover = (
            update(JobRun)
            .where(
                JobRun.job == job,
                JobRun.slot == slot,
                _recoverable(now),
            )
            .values(
                status="running",
                worker=worker,
                attempts=JobRun.attempts + 1,
                started_at=now,
                lease_until=until,
                finished_at=None,
            )
            .returning(JobRun.id)
        )
        with self.db.writer.begin() as conn:
            return conn.execute(takeover).first() is not None

    def renew(self, job: str, slot: datetime, worker: str, lease: float) -> bool:
        """Extend the lease; False if the run is no longer ours."""
        with self.db.writer.begin() as conn:
            row = conn.execute(
                update(JobRun)
                .where(
                    JobRun.job == job,
                    JobRun.slot == slot,
                    JobRun.worker == worker,
                    JobRun.status == "running",
                )
                .values(lease_until=utcnow() + timedelta(seconds=lease))
                .returning(JobRun.id)
            ).first()
        return row is not None

    def release(self, job: str, slot: datetime, worker: str) -> None:
        """Hand a stopped run back at once: the next worker to look resumes it."""
        with self.db.writer.begin() as conn:
            conn.execute(
                update(JobRun)
                .where(JobRun.job == job, JobRun.slot == slot, JobRun.worker == worker)
                .values(lease_until=utcnow() - timedelta(seconds=1), summary="stopped")
            )

    def finish(self, job: str, slot: datetime, worker: str, status: str, summary: str) -> None:
        with self.db.writer.begin() as conn:
            conn.execute(
                update(JobRun)
                .where(JobRun.job == job, JobRun.slot == slot, JobRun.worker == worker)
                .values(status=status, finished_at=utcnow(), summary=summary[:2000])
            )

    def recoverable(self, now: datetime | None = None) -> list[tuple[str, datetime]]:
        """Runs a worker died in, or that failed and may be tried again."""
        now = now or utcnow()
        with self.db.reader.connect() as conn:
            rows = conn.execute(select(JobRun.job, JobRun.slot).where(_recoverable(now))).all()
        return [(str(job), slot) for job, slot in rows]

    def seen(self, job: str, slot: datetime) -> bool:
        with self.db.reader.connect() as conn:
            found = conn.scalar(select(JobRun.id).where(JobRun.job == job, JobRun.slot == slot))
        return found is not None
