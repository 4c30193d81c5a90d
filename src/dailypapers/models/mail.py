"""Digest subscriptions and the two outboxes (digests; every other mail)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from dailypapers.models.base import Base, utcnow


class Subscription(Base):
    """A digest subscription: one per address, with or without an account.

    Nothing is sent before ``confirmed_at``. A pending confirmation carries ``confirm_nonce``;
    confirming clears it, which makes every outstanding link single-use.
    """

    __tablename__ = "subscriptions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    frequency: Mapped[str] = mapped_column(String(16), default="daily")  # daily | weekly
    query: Mapped[str] = mapped_column(Text, default="")
    categories: Mapped[list[str]] = mapped_column(JSON, default=list)
    authors: Mapped[list[str]] = mapped_column(JSON, default=list)
    like_upvoted: Mapped[bool] = mapped_column(Boolean, default=False)
    confirm_nonce: Mapped[str | None] = mapped_column(String(64))
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime)
    unsubscribed_at: Mapped[datetime | None] = mapped_column(DateTime)
    # Set when the mail server answered 5xx: the address is not written to again until the
    # reader confirms a new subscription.
    suppressed_at: Mapped[datetime | None] = mapped_column(DateTime)
    suppressed_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class DigestOutbox(Base):
    """One digest for one subscriber in one period; the unique key makes planning idempotent.

    A row is claimed (``claimed_until``) by one sender, and marked ``sent`` only after the
    SMTP server's 250, so a killed sender's unsent rows go out on the next run.
    """

    __tablename__ = "digest_outbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    period: Mapped[str] = mapped_column(String(32), index=True)  # daily:2026-11-24
    subscription_id: Mapped[int] = mapped_column(
        ForeignKey("subscriptions.id", ondelete="CASCADE"), index=True
    )
    # pending | sent | failed (4xx too often) | suppressed (5xx) | skipped (nothing to send)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_until: Mapped[datetime | None] = mapped_column(DateTime)
    message_id: Mapped[str | None] = mapped_column(String(255))
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)

    __table_args__ = (UniqueConstraint("period", "subscription_id"),)


class DigestSentPaper(Base):
    """Papers already mailed to a subscriber, so a personal section never repeats itself."""

    __tablename__ = "digest_sent_papers"

    subscription_id: Mapped[int] = mapped_column(
        ForeignKey("subscriptions.id", ondelete="CASCADE"), primary_key=True
    )
    paper_id: Mapped[int] = mapped_column(
        ForeignKey("papers.id", ondelete="CASCADE"), primary_key=True
    )
    sent_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class MailOutbox(Base):
    """One rendered notice (a confirmation link, a reply notification) waiting to be sent.

    Pages only insert here; a sender (`serve`'s mail thread, the worker's mail job) claims
    rows and marks each ``sent`` after the server's 250. ``dedupe_key`` makes a notice that
    must go once (per event and recipient) insert once; ``expires_at`` drops a link that
    would arrive dead.
    """

    __tablename__ = "mail_outbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))  # the template: verify, password_reset, …
    recipient: Mapped[str] = mapped_column(String(320), index=True)
    message: Mapped[str] = mapped_column(Text)  # the whole message, as it goes on the wire
    message_id: Mapped[str] = mapped_column(String(255))
    dedupe_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    # pending | sent | failed (4xx too often) | rejected (5xx) | expired
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(DateTime)
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_until: Mapped[datetime | None] = mapped_column(DateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)
