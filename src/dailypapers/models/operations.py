"""Scheduled job runs."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from dailypapers.models.base import Base, utcnow


class JobRun(Base):
    """One scheduled run of a worker job: the unique (job, slot) makes it run once.

    A worker claims a slot by inserting its row, renews ``lease_until`` while it works, and
    another worker takes the slot over only once the lease has lapsed (a killed worker).
    """

    __tablename__ = "job_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    job: Mapped[str] = mapped_column(String(64))
    slot: Mapped[datetime] = mapped_column(DateTime)  # the scheduled time, naive UTC
    status: Mapped[str] = mapped_column(String(16), default="running")  # running|done|failed
    worker: Mapped[str] = mapped_column(String(128))
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    started_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    lease_until: Mapped[datetime] = mapped_column(DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    summary: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (UniqueConstraint("job", "slot"),)
