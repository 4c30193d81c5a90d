"""Profile pages and profile edits: what a visitor may see of a user, and what they wrote.

Each activity section is public or private by its owner's choice (submissions and
comments public, upvotes private, by default); the owner always sees every section, marked
when only they can see it. Removed and hidden comments never show.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from dailypapers.accounts.service import UserNotFound
from dailypapers.db import Database
from dailypapers.models import Comment, Paper, Upvote, User
from dailypapers.people.avatar_upload import accept_avatar
from dailypapers.people.notification_kinds import checked_choices
from dailypapers.people.profiles import ProfileInput, ProfileLink, links_of
from dailypapers.store import FeedItem, FeedQuery, FeedRepo
from dailypapers.text import excerpt

ACTIVITY_LIMIT = 50


@dataclass(frozen=True)
class CommentActivity:
    paper: Paper
    comment_id: int
    excerpt: str
    created_at: datetime


@dataclass(frozen=True)
class Section:
    shown: bool  # to this visitor
    public: bool  # to everyone (else: only the owner sees it)


@dataclass
class ProfilePage:
    user: User
    own: bool
    links: list[ProfileLink]
    submissions: Section
    comments: Section
    upvotes: Section
    submitted: list[FeedItem] = field(default_factory=list)
    commented: list[CommentActivity] = field(default_factory=list)
    upvoted: list[Paper] = field(default_factory=list)


class ProfileService:
    def __init__(self, db: Database, feeds: FeedRepo, avatar_dir: Path) -> None:
        self.db = db
        self.feeds = feeds
        self.avatar_dir = avatar_dir

    # -- avatars ------------------------------------------------------------------------------
    def set_avatar(self, user: User, data: bytes, filename: str | None) -> str:
        """Keep an uploaded avatar (refused with AvatarRejected unless a plain image)."""
        avatar = accept_avatar(data, filename)
        self.avatar_dir.mkdir(parents=True, exist_ok=True)
        partial = self.avatar_dir / f".{avatar.name}.partial"
        partial.write_bytes(avatar.data)
        partial.replace(self.avatar_dir / avatar.name)  # never half a file
        self._switch_avatar(user, avatar.name)
        return avatar.name

    def clear_avatar(self, user: User) -> None:
        """Back to the generated initials."""
        self._switch_avatar(user, None)

    def _switch_avatar(self, user: User, name: str | None) -> None:
        with self.db.writer.begin() as conn:
            old = conn.scalar(select(User.avatar_file).where(User.id == user.id))
            conn.execute(update(User).where(User.id == user.id).values(avatar_file=name))
        if old and old != name and not self._in_use(old):
            (self.avatar_dir / old).unlink(missing_ok=True)

    def _in_use(self, name: str) -> bool:
        """Two users may upload the same picture: a file goes when nobody shows it."""
        with self.db.reader.connect() as conn:
            return conn.scalar(select(User.id).where(User.avatar_file == name).limit(1)) is not None

    def avatar_file(self, username: str, name: str) -> Path:
        """The uploaded avatar a URL names; NotFound unless it is the user's current one."""
        user = self.user(username)
        if not name or user.avatar_file != name:
            raise UserNotFound(f"{username} has no such avatar.")
        return self.avatar_dir / name

    def update(self, user: User, profile: ProfileInput) -> None:
        with self.db.writer.begin() as conn:
            conn.execute(update(User).where(User.id == user.id).values(**vars(profile)))

    def set_mail(self, user: User, given: dict[str, str]) -> None:
        """Mail per notification kind: instant, daily or off (InvalidInput names a bad one)."""
        choices = checked_choices(given)
        with self.db.writer.begin() as conn:
            conn.execute(update(User).where(User.id == user.id).values(mail_choices=choices))

    def suggest(self, prefix: str, limit: int = 8) -> list[User]:
        """Usernames for the comment box's @-autocomplete: by prefix, active accounts only."""
        prefix = prefix.strip().lstrip("@").lower()
        if not prefix or len(prefix) > 30:
            return []
        stmt = (
            select(User)
            .where(
                func.lower(User.username).startswith(prefix, autoescape=True),
                User.suspended_at.is_(None),
            )
            .order_by(func.length(User.username), User.username)
            .limit(limit)
        )
        with Session(self.db.reader, expire_on_commit=False) as s:
            return list(s.scalars(stmt))

    def user(self, username: str) -> User:
        with Session(self.db.reader, expire_on_commit=False) as s:
            found = s.scalars(select(User).where(User.username == username)).one_or_none()
        if found is None:
            raise UserNotFound(f"No user {username}.")
        return found

    def page(self, username: str, viewer: User | None) -> ProfilePage:
        user = self.user(username)
        own = viewer is not None and viewer.id == user.id

        def section(public: bool) -> Section:
            return Section(shown=public or own, public=public)

        page = ProfilePage(
            user,
            own,
            links_of(user),
            section(user.show_submissions),
            section(user.show_comments),
            section(user.show_upvotes),
        )
        if page.submissions.shown:
            query = FeedQuery(date.min, date.max, sort="newest", submitter=username, limit=100)
            page.submitted = self.feeds.items(query)
        if page.comments.shown:
            page.commented = self.comments_by(user.id)
        if page.upvotes.shown:
            page.upvoted = self.upvoted_by(user.id)
        return page

    def comments_by(self, user_id: int) -> list[CommentActivity]:
        stmt = (
            select(Comment, Paper)
            .join(Paper, Paper.id == Comment.paper_id)
            .where(
                Comment.user_id == user_id,
                Comment.deleted_at.is_(None),
                Comment.hidden_at.is_(None),
            )
            .order_by(Comment.created_at.desc(), Comment.id.desc())
            .limit(ACTIVITY_LIMIT)
        )
        with Session(self.db.reader, expire_on_commit=False) as s:
            rows = s.execute(stmt).all()
        return [CommentActivity(p, c.id, excerpt(c.body, 200), c.created_at) for c, p in rows]

    def upvoted_by(self, user_id: int) -> list[Paper]:
        stmt = (
            select(Paper)
            .join(Upvote, Upvote.paper_id == Paper.id)
            .where(Upvote.user_id == user_id)
            .order_by(Upvote.created_at.desc(), Paper.id.desc())
            .limit(ACTIVITY_LIMIT)
        )
        with Session(self.db.reader, expire_on_commit=False) as s:
            return list(s.scalars(stmt))
