"""Notifications: replies, @mentions, followed authors' papers, your paper trending,
claims decided, moderation (the kinds: notification_kinds.py).

Each is written in the transaction of what causes it: a comment's by ``record_for_comment``
(one per comment and recipient, however often it names you), every other kind by
``notify`` (one per subject and recipient). Nobody is notified of their own actions, and a
comment that is later hidden or deleted, or whose author is suspended, drops out of
everyone's list and count.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import cast

from sqlalchemy import ColumnElement, Connection, Table, and_, func, or_, select, update
from sqlalchemy.orm import Session, aliased

from dailypapers.backend.base import Backend
from dailypapers.db import Database
from dailypapers.models import Comment, Notification, Paper, User, utcnow
from dailypapers.text import excerpt

MENTION_AT = re.compile(r"@([A-Za-z0-9][A-Za-z0-9_-]{1,29})\b")  # a username after "@"
MENTION = re.compile(r"(?<![\w@/.-])" + MENTION_AT.pattern)  # not inside an address or path
MAX_MENTIONS = 10  # per comment: a comment naming fifty people notifies none past these
PAGE_SIZE = 50
NOTIFICATIONS = cast(Table, Notification.__table__)
# Aliases made once: building one costs more than the query it serves (column proxies).
# Three apart: a subquery sharing an alias with its outer query would correlate to it.
_COMMENTER, _SUSPENDED, _ACTOR = aliased(User), aliased(User), aliased(User)


def mentioned(body: str) -> list[str]:
    """The usernames a comment @mentions, in order, each once (at most MAX_MENTIONS)."""
    names = list(dict.fromkeys(m.group(1).lower() for m in MENTION.finditer(body)))
    return names[:MAX_MENTIONS]


def record_for_comment(session: Session, comment: Comment, parent_author: int | None) -> None:
    """Inside the comment's transaction: tell the parent's author, then those mentioned."""
    told = {comment.user_id}  # never your own comment
    rows = []
    if parent_author is not None and parent_author not in told:
        rows.append((parent_author, "reply"))
        told.add(parent_author)
    names = mentioned(comment.body)
    if names:
        found = session.execute(
            select(User.id, func.lower(User.username)).where(
                func.lower(User.username).in_(names), User.suspended_at.is_(None)
            )
        ).all()
        by_name = {name: uid for uid, name in found}
        for name in names:
            uid = by_name.get(name)
            if uid is not None and uid not in told:
                rows.append((uid, "mention"))
                told.add(uid)
    for user_id, kind in rows:
        session.add(
            Notification(
                user_id=user_id,
                kind=kind,
                actor_id=comment.user_id,
                paper_id=comment.paper_id,
                comment_id=comment.id,
                created_at=comment.created_at,
            )
        )


def notify(conn: Connection, backend: Backend, rows: list[NewNotification]) -> None:
    """Inside the transaction of what caused them: one per recipient and subject (a second
    call for the same subject adds nothing); never to the one who acted."""
    values = [
        {**vars(row), "created_at": row.created_at or utcnow()}
        for row in rows
        if row.user_id != row.actor_id
    ]
    if values:
        conn.execute(backend.insert_ignoring(NOTIFICATIONS, ["user_id", "subject"]), values)


@dataclass(frozen=True)
class NewNotification:
    user_id: int
    kind: str
    subject: str
    actor_id: int | None = None
    paper_id: int | None = None
    detail: str | None = None
    link: str | None = None
    created_at: datetime | None = None


@dataclass(frozen=True)
class NotificationView:
    id: int
    kind: str
    actor: User | None
    paper_title: str | None
    arxiv_id: str | None
    comment_id: int | None
    detail: str | None
    link: str | None
    excerpt: str
    created_at: datetime
    read: bool

    @property
    def url(self) -> str:
        if self.comment_id is not None:
            return f"/papers/{self.arxiv_id}#comment-{self.comment_id}"
        if self.link:
            return self.link
        return f"/papers/{self.arxiv_id}" if self.arxiv_id else "/notifications"

    @property
    def sentence(self) -> str:
        """What happened, as plain text (escaped where it is shown)."""
        who = f"@{self.actor.username}" if self.actor else "Someone"
        title = f"“{self.paper_title}”" if self.paper_title else ""
        return {
            "reply": f"{who} replied to your comment on {title}",
            "mention": f"{who} mentioned you on {title}",
            "paper": f"New paper by {self.detail or 'an author you follow'}: {title}",
            "trending": f"Your paper {title} is {self.detail or 'trending'}",
            "claim": f"Your authorship claim: {self.detail or 'decided'}",
            "moderation": f"A moderator {self.detail or 'acted on your content'}",
        }.get(self.kind, title)


class NotificationRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    @staticmethod
    def _shown(user_id: int) -> list[ColumnElement[bool]]:
        """The recipient's notifications whose comment (if any) and actor are still shown."""
        author, actor = _COMMENTER, _SUSPENDED
        visible_comment = (
            select(Comment.id)
            .join(author, author.id == Comment.user_id)
            .where(
                Comment.id == Notification.comment_id,
                Comment.deleted_at.is_(None),
                Comment.hidden_at.is_(None),
                author.suspended_at.is_(None),
            )
            .exists()
        )
        suspended_actor = (
            select(actor.id)
            .where(actor.id == Notification.actor_id, actor.suspended_at.is_not(None))
            .exists()
        )
        return [
            Notification.user_id == user_id,
            or_(Notification.comment_id.is_(None), visible_comment),
            ~suspended_actor,
        ]

    def unread(self, user_id: int) -> int:
        stmt = select(func.count()).where(*self._shown(user_id), Notification.read_at.is_(None))
        with self.db.reader.connect() as conn:
            return int(conn.scalar(stmt.select_from(Notification)) or 0)

    def one(self, user_id: int, notification_id: int) -> NotificationView | None:
        found = self.latest(user_id, limit=1, only=notification_id)
        return found[0] if found else None

    def latest(
        self, user_id: int, limit: int = PAGE_SIZE, *, only: int | None = None
    ) -> list[NotificationView]:
        actor = _ACTOR
        stmt = (
            select(Notification, actor, Paper.title, Paper.arxiv_id, Comment.body)
            .outerjoin(actor, actor.id == Notification.actor_id)
            .outerjoin(Paper, Paper.id == Notification.paper_id)
            .outerjoin(Comment, Comment.id == Notification.comment_id)
            .where(*self._shown(user_id), *([Notification.id == only] if only else []))
            .order_by(Notification.created_at.desc(), Notification.id.desc())
            .limit(limit)
        )
        with Session(self.db.reader, expire_on_commit=False) as s:
            rows = s.execute(stmt).all()
        return [view(n, who, title, arxiv_id, body) for n, who, title, arxiv_id, body in rows]

    def mark_read(self, user_id: int, notification_id: int | None = None) -> None:
        """One of the user's notifications, or (None) all of them."""
        mine = and_(Notification.user_id == user_id, Notification.read_at.is_(None))
        if notification_id is not None:
            mine = and_(mine, Notification.id == notification_id)
        with self.db.writer.begin() as conn:
            conn.execute(update(Notification).where(mine).values(read_at=utcnow()))


def view(
    n: Notification, actor: User | None, title: str | None, arxiv_id: str | None, body: str | None
) -> NotificationView:
    return NotificationView(
        n.id,
        n.kind,
        actor,
        " ".join(title.split()) if title else None,
        arxiv_id,
        n.comment_id,
        n.detail,
        n.link,
        excerpt(body, 160) if body else "",
        n.created_at,
        n.read_at is not None,
    )
