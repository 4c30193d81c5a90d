"""Notification mail: each kind as its recipient chose it (notification_kinds.py): one mail
per notification (instant), one mail a day with all of a day's (daily), or none; each with
a one-click unsubscribe (RFC 8058) for what it carries.

The notification row is the source of truth. A pass first sorts each new notification by
its recipient's choice (``mail_state``), then queues what is due and marks it mailed. The
outbox's key (the notification; the recipient and day for a daily mail) keeps a mail from
being queued twice, so a pass that dies half-way is finished by the next one. `serve`'s mail
thread runs a pass before each round of sending; the worker's mail job does too.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from itsdangerous import BadData, URLSafeSerializer
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from dailypapers.db import Database
from dailypapers.errors import InvalidInput
from dailypapers.mail.postman import Postman
from dailypapers.models import Notification, User, utcnow
from dailypapers.people.notification_kinds import BY_NAME, choice_of
from dailypapers.people.notifications import NotificationRepo, NotificationView

log = logging.getLogger(__name__)
FRESH = timedelta(days=2)  # older notifications are not mailed any more
BATCH = 200
DAILY_LIMIT = 50  # notifications listed in one daily mail (the rest: "and N more")
ALL_DAILY = "daily"  # the unsubscribe token of a daily mail: every kind mailed daily


@dataclass(frozen=True)
class Due:
    recipient: User
    items: list[NotificationView]


class NotificationMail:
    def __init__(
        self, db: Database, postman: Postman, secret: str, base_url: str, *, daily_hour: int = 7
    ) -> None:
        self.db = db
        self.postman = postman
        self.base = base_url.rstrip("/")
        self.daily_hour = daily_hour  # UTC hour after which the day's mail goes out
        self.repo = NotificationRepo(db)
        self._unsubscribe = URLSafeSerializer(secret, salt="notification-unsubscribe")

    def nudge(self) -> None:
        """Something was written: have the mail thread look for notifications now."""
        self.postman.wake()

    # -- unsubscribing ------------------------------------------------------------------------
    def unsubscribe_url(self, user_id: int, kind: str) -> str:
        return f"{self.base}/notifications/unsubscribe/{self._unsubscribe.dumps([user_id, kind])}"

    def unsubscribe(self, token: str) -> tuple[User, str]:
        """Turn off the mail the token names (a kind, or every daily one); the user and it."""
        try:
            user_id, kind = self._unsubscribe.loads(token)
            if kind != ALL_DAILY and str(kind) not in BY_NAME:
                raise ValueError(kind)
        except (BadData, TypeError, ValueError) as exc:
            raise InvalidInput("This unsubscribe link is not valid.") from exc
        with Session(self.db.writer, expire_on_commit=False) as s, s.begin():
            user = s.get(User, int(user_id))
            if user is None:
                raise InvalidInput("This unsubscribe link is not valid.")
            choices = {name: choice_of(user.mail_choices, name) for name in BY_NAME}
            for name, chosen in choices.items():
                if name == kind or (kind == ALL_DAILY and chosen == "daily"):
                    choices[name] = "off"
            user.mail_choices = choices
        return user, str(kind)

    # -- the pass -----------------------------------------------------------------------------
    def queue_new(self, now: datetime | None = None) -> int:
        """Sort new notifications by their recipients' choices, then queue what is due."""
        now = now or utcnow()
        self._sort(now)
        queued = 0
        for note_id, recipient in self._due("instant", now):
            found = self.repo.one(recipient.id, note_id)
            if found is not None:
                self._post_one(recipient, found)
                queued += 1
            self._mark([note_id], now)
        if now.hour >= self.daily_hour:
            for due in self._daily(now):
                # Already mailed today: these wait for tomorrow's (a pass that died after
                # queueing lists them again then: the same news twice, never a second mail).
                if self._post_daily(due, now.date()):
                    self._mark([item.id for item in due.items], now)
                    queued += 1
        return queued

    def _sort(self, now: datetime) -> None:
        """Give each notification not looked at yet its recipient's choice for its kind."""
        stmt = (
            select(Notification.id, Notification.kind, User.mail_choices, User.email_verified_at)
            .join(User, User.id == Notification.user_id)
            .where(Notification.mail_state.is_(None))
            .limit(BATCH * 5)
        )
        with self.db.reader.connect() as conn:
            rows = conn.execute(stmt).all()
        states: dict[str, list[int]] = defaultdict(list)
        for note_id, kind, choices, verified in rows:
            chosen = choice_of(choices, kind) if kind in BY_NAME and verified else "off"
            states[chosen].append(note_id)
        with self.db.writer.begin() as conn:
            for state, ids in states.items():
                values = {"mail_state": state} | ({"mailed_at": now} if state == "off" else {})
                conn.execute(update(Notification).where(Notification.id.in_(ids)).values(values))

    def _due(self, state: str, now: datetime) -> list[tuple[int, User]]:
        stmt = (
            select(Notification.id, User)
            .join(User, User.id == Notification.user_id)
            .where(
                Notification.mail_state == state,
                Notification.mailed_at.is_(None),
                Notification.read_at.is_(None),
                Notification.created_at >= now - FRESH,
                User.suspended_at.is_(None),
            )
            .order_by(Notification.id)
            .limit(BATCH)
        )
        with Session(self.db.reader, expire_on_commit=False) as s:
            return [(int(note_id), user) for note_id, user in s.execute(stmt).all()]

    def _daily(self, now: datetime) -> list[Due]:
        by_user: dict[int, Due] = {}
        for note_id, recipient in self._due("daily", now):
            due = by_user.setdefault(recipient.id, Due(recipient, []))
            found = self.repo.one(recipient.id, note_id)
            if found is not None:
                due.items.append(found)
            else:  # its comment went away: nothing to tell
                self._mark([note_id], now)
        return [due for due in by_user.values() if due.items]

    def _mark(self, ids: list[int], now: datetime) -> None:
        with self.db.writer.begin() as conn:
            conn.execute(
                update(Notification)
                .where(Notification.id.in_(ids), Notification.mailed_at.is_(None))
                .values(mailed_at=now)
            )

    # -- the mails ----------------------------------------------------------------------------
    def _links(self, recipient: User, token_kind: str) -> dict[str, str]:
        return {
            "unsubscribe_url": self.unsubscribe_url(recipient.id, token_kind),
            "settings_url": f"{self.base}/settings#notifications",
            "notifications_url": f"{self.base}/notifications",
        }

    def _headers(self, unsubscribe: str) -> dict[str, str]:
        return {
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        }

    def _post_one(self, recipient: User, item: NotificationView) -> None:
        links = self._links(recipient, item.kind)
        context = {
            "kind": item.kind,
            "kind_label": BY_NAME[item.kind].label,
            "sentence": item.sentence,
            "excerpt": item.excerpt,
            "link": self.base + item.url,
            "username": recipient.username,
        } | links
        self.postman.post(
            "notification",
            context,
            to=recipient.email,
            key=f"notification:{item.id}",
            headers=self._headers(links["unsubscribe_url"]),
        )

    def _post_daily(self, due: Due, day: date) -> bool:
        """One mail with the day's notifications; False when that day's was queued before."""
        links = self._links(due.recipient, ALL_DAILY)
        items = [
            {
                "sentence": item.sentence,
                "excerpt": item.excerpt,
                "link": self.base + item.url,
                "kind": BY_NAME[item.kind].label,
            }
            for item in due.items[:DAILY_LIMIT]
        ]
        kinds = dict.fromkeys(item.kind for item in due.items)  # in the order they came
        per_kind = [
            {"label": BY_NAME[kind].label, "url": self.unsubscribe_url(due.recipient.id, kind)}
            for kind in kinds
        ]
        context = {
            "username": due.recipient.username,
            "items": items,
            "more": max(0, len(due.items) - DAILY_LIMIT),
            "day": day.isoformat(),
            "per_kind": per_kind,
        } | links
        return self.postman.post(
            "notification_daily",
            context,
            to=due.recipient.email,
            key=f"notifications-daily:{due.recipient.id}:{day.isoformat()}",
            headers=self._headers(links["unsubscribe_url"]),
        )
