"""Users and what is addressed to them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
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
    mail_replies: Mapped[str] = mapped_column(
        String(8), default="instant", server_default="instant"
    )
    mail_mentions: Mapped[str] = mapped_column(
        String(8), default="instant", server_default="instant"
    )


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
