"""Notification mail: each new notification whose recipient wants mail for its kind is
queued once in the mail outbox (the key is the notification), with a one-click
unsubscribe for that kind.

The notification row is the source of truth: a pass queues what is not queued yet and
marks it, so a pass that dies half-way is finished by the next one, and the outbox's key
keeps a mail from being queued twice. `serve`'s mail thread runs a pass before each round
of sending; the worker's mail job does too.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from itsdangerous import BadData, URLSafeSerializer
from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session, aliased

from dailypapers.db import Database
from dailypapers.errors import InvalidInput
from dailypapers.mail.postman import Postman
from dailypapers.models import Comment, Notification, Paper, User, utcnow
from dailypapers.text import excerpt

log = logging.getLogger(__name__)
KINDS = {"reply": "mail_replies", "mention": "mail_mentions"}  # kind → the user's setting
CHOICES = ("instant", "off")
FRESH = timedelta(days=2)  # older notifications are not mailed any more
BATCH = 100


class NotificationMail:
    def __init__(self, db: Database, postman: Postman, secret: str, base_url: str) -> None:
        self.db = db
        self.postman = postman
        self.base = base_url.rstrip("/")
        self._unsubscribe = URLSafeSerializer(secret, salt="notification-unsubscribe")

    def nudge(self) -> None:
        """A comment was written: have the mail thread look for notifications now."""
        self.postman.wake()

    def unsubscribe_url(self, user_id: int, kind: str) -> str:
        return f"{self.base}/notifications/unsubscribe/{self._unsubscribe.dumps([user_id, kind])}"

    def unsubscribe(self, token: str) -> tuple[User, str]:
        """Turn off the mail of the token's kind; the user and the kind."""
        try:
            user_id, kind = self._unsubscribe.loads(token)
            column = KINDS[str(kind)]
        except (BadData, KeyError, TypeError, ValueError) as exc:
            raise InvalidInput("This unsubscribe link is not valid.") from exc
        with Session(self.db.writer, expire_on_commit=False) as s, s.begin():
            user = s.get(User, int(user_id))
            if user is None:
                raise InvalidInput("This unsubscribe link is not valid.")
            setattr(user, column, "off")
        return user, str(kind)

    def queue_new(self) -> int:
        """Queue a mail for every notification that wants one and has none yet."""
        queued = 0
        for note, recipient, actor, paper, comment in self._due():
            self._post(note, recipient, actor, paper, comment)
            with self.db.writer.begin() as conn:
                conn.execute(
                    update(Notification)
                    .where(Notification.id == note.id)
                    .values(mailed_at=utcnow())
                )
            queued += 1
        return queued

    def _due(self) -> list[tuple[Notification, User, User, Paper, Comment]]:
        recipient, actor = aliased(User), aliased(User)
        wants = [
            (Notification.kind == kind) & (getattr(recipient, column) == "instant")
            for kind, column in KINDS.items()
        ]
        stmt = (
            select(Notification, recipient, actor, Paper, Comment)
            .join(recipient, recipient.id == Notification.user_id)
            .join(actor, actor.id == Notification.actor_id)
            .join(Paper, Paper.id == Notification.paper_id)
            .join(Comment, Comment.id == Notification.comment_id)
            .where(
                Notification.mailed_at.is_(None),
                Notification.read_at.is_(None),
                Notification.created_at >= utcnow() - FRESH,
                recipient.email_verified_at.is_not(None),
                recipient.suspended_at.is_(None),
                actor.suspended_at.is_(None),
                Comment.deleted_at.is_(None),
                Comment.hidden_at.is_(None),
            )
            .where(or_(*wants))
            .order_by(Notification.id)
            .limit(BATCH)
        )
        with Session(self.db.reader, expire_on_commit=False) as s:
            return [tuple(row) for row in s.execute(stmt).all()]  # type: ignore[misc]

    def _post(
        self, note: Notification, recipient: User, actor: User, paper: Paper, comment: Comment
    ) -> None:
        unsubscribe = self.unsubscribe_url(recipient.id, note.kind)
        context = {
            "kind": note.kind,
            "actor": actor.username,
            "username": recipient.username,
            "paper_title": " ".join(paper.title.split()),
            "excerpt": excerpt(comment.body, 600),
            "link": f"{self.base}/papers/{paper.arxiv_id}#comment-{comment.id}",
            "unsubscribe_url": unsubscribe,
            "settings_url": f"{self.base}/settings#notifications",
        }
        self.postman.post(
            "notification",
            context,
            to=recipient.email,
            key=f"notification:{note.id}",
            headers={
                "List-Unsubscribe": f"<{unsubscribe}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            },
        )
