"""The data model: SQLAlchemy 2 tables shared by the SQLite and PostgreSQL stores.

Schema changes go through Alembic migrations in ``dailypapers/migrations``; a test checks
that the migrations produce exactly these tables.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    false,
    true,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from dailypapers.arxiv_ids import abs_url, pdf_url
from dailypapers.backend.types import EmbeddingVector

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


# Primary keys are INTEGER columns (32 bits on PostgreSQL): ids past this never exist.
MAX_ID = 2**31 - 1


def utcnow() -> datetime:
    """Naive UTC 'now': every timestamp in the database is naive UTC."""
    return datetime.now(UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JSON, list[str]: JSON}


class Paper(Base):
    """An arXiv paper, identified by its canonical id without version."""

    __tablename__ = "papers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    arxiv_id: Mapped[str] = mapped_column(String(64), unique=True)
    version: Mapped[int | None] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(Text)
    abstract: Mapped[str] = mapped_column(Text, default="")
    authors: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Primary category first; primary_category repeats it for indexed filtering.
    categories: Mapped[list[str]] = mapped_column(JSON, default=list)
    primary_category: Mapped[str | None] = mapped_column(String(64), index=True)
    published: Mapped[datetime | None] = mapped_column(DateTime, index=True)
    updated: Mapped[datetime | None] = mapped_column(DateTime)
    comments: Mapped[str | None] = mapped_column(Text)
    journal_ref: Mapped[str | None] = mapped_column(Text)
    doi: Mapped[str | None] = mapped_column(String(255))
    license: Mapped[str | None] = mapped_column(String(255))
    withdrawn: Mapped[bool] = mapped_column(Boolean, default=False)
    github_url: Mapped[str | None] = mapped_column(String(512))
    project_url: Mapped[str | None] = mapped_column(String(512))
    authors_truncated: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    ai_summary: Mapped[str | None] = mapped_column(Text)
    ai_summary_source: Mapped[str | None] = mapped_column(String(64))
    # Upvotes carried in by an import (e.g. the demo feed); community votes add to it.
    imported_upvotes: Mapped[int] = mapped_column(Integer, default=0)
    upvotes: Mapped[int] = mapped_column(Integer, default=0, index=True)
    # Visible comments, kept in step with the comments table in the same transactions.
    num_comments: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    modified_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    @property
    def abs_url(self) -> str:
        return abs_url(self.arxiv_id)

    @property
    def pdf_url(self) -> str:
        return pdf_url(self.arxiv_id)


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    # Public handle (shown as submitter, used by the API's `submitter` filter).
    # Always set (migration 0010 filled the gaps); nullable only because SQLite cannot add
    # NOT NULL without a table rebuild.
    username: Mapped[str] = mapped_column(String(40), unique=True, nullable=True)
    display_name: Mapped[str | None] = mapped_column(String(100))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    email_verified_at: Mapped[datetime | None] = mapped_column(DateTime)
    suspended_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # The public profile (people/profiles.py checks every field) and what it shows.
    bio: Mapped[str | None] = mapped_column(Text)
    website_url: Mapped[str | None] = mapped_column(String(300))
    github_username: Mapped[str | None] = mapped_column(String(39))
    orcid: Mapped[str | None] = mapped_column(String(19))
    scholar_id: Mapped[str | None] = mapped_column(String(20))
    show_submissions: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    show_comments: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    show_upvotes: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Mail for each kind of notification: "instant" or "off".
    mail_replies: Mapped[str] = mapped_column(
        String(8), default="instant", server_default="instant"
    )
    mail_mentions: Mapped[str] = mapped_column(
        String(8), default="instant", server_default="instant"
    )


class DailyEntry(Base):
    """A paper on the daily feed of one day. A paper is on the feed at most once."""

    __tablename__ = "daily_entries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    paper_id: Mapped[int] = mapped_column(ForeignKey("papers.id", ondelete="CASCADE"), unique=True)
    day: Mapped[date] = mapped_column(Date, index=True)
    submitted_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    submitted_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # Moderation: a removed entry leaves the feed but keeps blocking resubmission.
    removed_at: Mapped[datetime | None] = mapped_column(DateTime)
    removed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class HarvestState(Base):
    """Progress of a resumable harvest, saved with each page's papers."""

    __tablename__ = "harvest_states"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    resumption_token: Mapped[str | None] = mapped_column(Text)
    pages: Mapped[int] = mapped_column(Integer, default=0)
    records: Mapped[int] = mapped_column(Integer, default=0)
    complete_list_size: Mapped[int | None] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(DateTime)


class Upvote(Base):
    """One user's vote for one paper; the primary key makes votes idempotent."""

    __tablename__ = "upvotes"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    paper_id: Mapped[int] = mapped_column(
        ForeignKey("papers.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Notification(Base):
    """Something a user is told about: a reply to their comment, a mention.

    Written in the same transaction as the comment that causes it; the unique key keeps
    one per comment and recipient, however the comment mentions them.
    """

    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))  # reply | mention
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    paper_id: Mapped[int] = mapped_column(ForeignKey("papers.id", ondelete="CASCADE"))
    comment_id: Mapped[int] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(DateTime)
    mailed_at: Mapped[datetime | None] = mapped_column(DateTime)  # queued in the mail outbox

    __table_args__ = (
        UniqueConstraint("user_id", "comment_id"),
        Index("ix_notifications_user_id_read_at", "user_id", "read_at"),
    )


class ModerationAction(Base):
    """What a moderator did, to what, and why; undone actions keep their row."""

    __tablename__ = "moderation_actions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    moderator_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(20))  # hide_comment, remove_entry, suspend_user
    target_id: Mapped[int] = mapped_column(Integer)
    target_label: Mapped[str] = mapped_column(String(300))
    target_url: Mapped[str] = mapped_column(String(300))
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    undone_at: Mapped[datetime | None] = mapped_column(DateTime)
    undone_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class Comment(Base):
    """A Markdown comment on a paper; replies go one level deep (parent is a top comment)."""

    __tablename__ = "comments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    paper_id: Mapped[int] = mapped_column(ForeignKey("papers.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"))
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    edited_at: Mapped[datetime | None] = mapped_column(DateTime)
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime)
    hidden_at: Mapped[datetime | None] = mapped_column(DateTime)
    hidden_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class SessionRecord(Base):
    """A signed-in browser. The cookie holds a random token; only its hash is stored."""

    __tablename__ = "sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime, index=True)


class ApiToken(Base):
    """A personal token for the write API; only its hash is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime)


class RateLimitWindow(Base):
    """Fixed-window counters shared by every process (sign-ups, log-ins, submissions)."""

    __tablename__ = "rate_limits"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    window_start: Mapped[datetime] = mapped_column(DateTime, primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)


class PaperEmbedding(Base):
    """A paper's sentence embedding under one model, and the text hash it was made from."""

    __tablename__ = "paper_embeddings"
    # The ANN mirror checks (count, newest) per model every second: an index answers it
    # without reading the vectors (a table scan took 190 ms on 74k papers).
    # Likewise, finding vectors whose neighbourhood needs measuring (search/neighbourhood.py).
    __table_args__ = (
        Index(None, "model", "updated_at"),
        Index(None, "model", "neighbour_corpus"),
    )

    paper_id: Mapped[int] = mapped_column(
        ForeignKey("papers.id", ondelete="CASCADE"), primary_key=True
    )
    model: Mapped[str] = mapped_column(String(64))
    text_hash: Mapped[str] = mapped_column(String(32))
    vector: Mapped[Any] = mapped_column(EmbeddingVector(384))
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # Mean similarity to the nearest neighbours, and how many vectors there were then
    # (search/neighbourhood.py); NULL until measured.
    neighbour_similarity: Mapped[float | None] = mapped_column(Float)
    neighbour_corpus: Mapped[int | None] = mapped_column(Integer)


class PaperSentences(Base):
    """A paper's sentences (title first), each embedded alone: int8 rows, one per sentence.
    "Similar papers" re-ranks its head by sentence matching (search/sentences.py)."""

    __tablename__ = "paper_sentences"

    paper_id: Mapped[int] = mapped_column(
        ForeignKey("papers.id", ondelete="CASCADE"), primary_key=True
    )
    model: Mapped[str] = mapped_column(String(64), index=True)
    vectors: Mapped[bytes] = mapped_column(LargeBinary)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


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
