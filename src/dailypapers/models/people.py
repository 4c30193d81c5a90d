"""Users and what is addressed to them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
    func,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column

from dailypapers.models.base import Base, utcnow


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
    # An uploaded avatar's file (people/avatar_upload.py); None: the generated initials.
    avatar_file: Mapped[str | None] = mapped_column(String(40))
    # Mail for each kind of notification: "instant" or "off".
    # Mail per notification kind: {"reply": "instant", "paper": "daily", …}; a kind it does
    # not name takes its default (people/notification_kinds.py).
    mail_choices: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    # @mentions and the autocomplete find usernames without regard to case.
    __table_args__ = (Index("ix_users_lower_username", func.lower(username)),)


class Notification(Base):
    """Something a user is told about: a reply, a mention, a followed author's new paper,
    their paper trending, a claim decided, a moderation action on their content.

    Written in the same transaction as what causes it. One per comment and recipient for the
    comment kinds (however the comment mentions them), one per subject and recipient for
    the others ("claim:12:verified", "top:345:2026-12-08").
    """

    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))  # people/notification_kinds.py
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    paper_id: Mapped[int | None] = mapped_column(ForeignKey("papers.id", ondelete="CASCADE"))
    comment_id: Mapped[int | None] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"))
    subject: Mapped[str | None] = mapped_column(String(120))
    detail: Mapped[str | None] = mapped_column(String(300))  # e.g. an author's name
    link: Mapped[str | None] = mapped_column(String(300))  # where it leads, when not a comment
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(DateTime)
    # None: not looked at by the mail pass yet; then instant | daily | off.
    mail_state: Mapped[str | None] = mapped_column(String(8))
    mailed_at: Mapped[datetime | None] = mapped_column(DateTime)  # queued in the mail outbox

    __table_args__ = (
        UniqueConstraint("user_id", "comment_id"),
        UniqueConstraint("user_id", "subject"),
        Index("ix_notifications_user_id_read_at", "user_id", "read_at"),
    )


class Follow(Base):
    """A user follows an author (by key), a user or an organisation (by id), or a category."""

    __tablename__ = "follows"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(12))  # author | user | org | category
    target: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    __table_args__ = (
        UniqueConstraint("user_id", "kind", "target"),
        Index("ix_follows_kind_target", "kind", "target"),
    )
