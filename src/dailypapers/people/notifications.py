"""Notifications: a reply to your comment, an @mention of you.

They are written in the transaction that writes the comment (``record_for_comment``), so a
comment and its notifications exist together or not at all; the unique key (recipient,
comment) means one each, however often a comment names you. Nobody is notified of their own
comments, and a comment that is later hidden or deleted, or whose author is suspended, drops
out of everyone's list and count.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, func, select, update
from sqlalchemy.orm import Session, aliased

from dailypapers.db import Database
from dailypapers.models import Comment, Notification, Paper, User, utcnow
from dailypapers.text import excerpt

MENTION_AT = re.compile(r"@([A-Za-z0-9][A-Za-z0-9_-]{1,29})\b")  # a username after "@"
MENTION = re.compile(r"(?<![\w@/.-])" + MENTION_AT.pattern)  # not inside an address or path
MAX_MENTIONS = 10  # per comment: a comment naming fifty people notifies none past these
PAGE_SIZE = 50


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


@dataclass(frozen=True)
class NotificationView:
    id: int
    kind: str
    actor: str
    paper_title: str
    arxiv_id: str
    comment_id: int
    excerpt: str
    created_at: datetime
    read: bool

    @property
    def url(self) -> str:
        return f"/papers/{self.arxiv_id}#comment-{self.comment_id}"


class NotificationRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    @staticmethod
    def _shown(user_id: int) -> list[ColumnElement[bool]]:
        """The recipient's notifications whose comment and author are still visible."""
        actor = aliased(User)
        return [
            Notification.user_id == user_id,
            select(Comment.id)
            .join(actor, actor.id == Comment.user_id)
            .where(
                Comment.id == Notification.comment_id,
                Comment.deleted_at.is_(None),
                Comment.hidden_at.is_(None),
                actor.suspended_at.is_(None),
            )
            .exists(),
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
        actor = aliased(User)
        stmt = (
            select(Notification, actor.username, Paper.title, Paper.arxiv_id, Comment.body)
            .join(actor, actor.id == Notification.actor_id)
            .join(Paper, Paper.id == Notification.paper_id)
            .join(Comment, Comment.id == Notification.comment_id)
            .where(*self._shown(user_id), *([Notification.id == only] if only else []))
            .order_by(Notification.created_at.desc(), Notification.id.desc())
            .limit(limit)
        )
        with Session(self.db.reader) as s:
            rows = s.execute(stmt).all()
        return [
            NotificationView(
                n.id,
                n.kind,
                name,
                title,
                arxiv_id,
                n.comment_id,
                excerpt(body, 160),
                n.created_at,
                n.read_at is not None,
            )
            for n, name, title, arxiv_id, body in rows
        ]

    def mark_read(self, user_id: int, notification_id: int | None = None) -> None:
        """One of the user's notifications, or (None) all of them."""
        mine = and_(Notification.user_id == user_id, Notification.read_at.is_(None))
        if notification_id is not None:
            mine = and_(mine, Notification.id == notification_id)
        with self.db.writer.begin() as conn:
            conn.execute(update(Notification).where(mine).values(read_at=utcnow()))
