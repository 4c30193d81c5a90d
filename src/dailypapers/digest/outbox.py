"""The digest outbox: one row per (period, subscriber), claimed in batches, marked after 250.

Planning inserts rows with ON CONFLICT DO NOTHING, so any number of runs plan the same set.
A sender claims a batch for a lease (``FOR UPDATE SKIP LOCKED`` on PostgreSQL; SQLite has a
single writer), sends, and marks each row ``sent`` only after the server's 250 answer. A
killed sender leaves at most its one in-flight message unmarked; the rest of its batch goes
out when the lease ends.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, func, literal, select, update
from sqlalchemy.orm import Session

from dailypapers.db import Database
from dailypapers.digest.interests import Interests
from dailypapers.digest.subscriptions import interests_of
from dailypapers.mail.outbox import claim_ids
from dailypapers.models import DigestOutbox, DigestSentPaper, Subscription, Upvote, utcnow
from dailypapers.periods import Period

SEEN_WINDOW = timedelta(days=60)  # how far back "already sent to this reader" looks


@dataclass(frozen=True)
class OutboxItem:
    id: int
    subscription_id: int
    email: str
    user_id: int | None
    interests: Interests
    attempts: int
    active: bool  # still confirmed, subscribed and not suppressed


def active_subscriptions() -> list[ColumnElement[bool]]:
    return [
        Subscription.confirmed_at.is_not(None),
        Subscription.unsubscribed_at.is_(None),
        Subscription.suppressed_at.is_(None),
    ]


class OutboxRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    def plan(self, period: Period) -> None:
        """A pending row for every active subscriber of the period's frequency."""
        now = utcnow()
        chosen = select(
            literal(period.digest_key, DigestOutbox.period.type),
            Subscription.id,
            literal("pending", DigestOutbox.status.type),
            literal(0, DigestOutbox.attempts.type),
            literal(now, DigestOutbox.next_attempt_at.type),
            literal(now, DigestOutbox.created_at.type),
        ).where(Subscription.frequency == period.frequency, *active_subscriptions())
        columns = ["period", "subscription_id", "status", "attempts", "next_attempt_at"]
        stmt = self.db.backend.insert_ignoring(
            DigestOutbox.__table__, ["period", "subscription_id"]
        ).from_select([*columns, "created_at"], chosen)
        with self.db.writer.begin() as conn:
            conn.execute(stmt)

    def claim(self, period: str, worker: str, batch: int, lease: float) -> list[OutboxItem]:
        where = [DigestOutbox.period == period]
        with Session(self.db.writer, expire_on_commit=False) as session, session.begin():
            ids = claim_ids(session, DigestOutbox, where, worker, batch, lease)
            if not ids:
                return []
            rows = session.execute(
                select(DigestOutbox.id, DigestOutbox.attempts, Subscription)
                .join(Subscription, Subscription.id == DigestOutbox.subscription_id)
                .where(DigestOutbox.id.in_(ids))
                .order_by(DigestOutbox.id)
            ).all()
        return [self._item(int(oid), int(attempts), sub) for oid, attempts, sub in rows]

    @staticmethod
    def _item(outbox_id: int, attempts: int, sub: Subscription) -> OutboxItem:
        active = sub.confirmed_at is not None and sub.unsubscribed_at is None
        return OutboxItem(
            id=outbox_id,
            subscription_id=sub.id,
            email=sub.email,
            user_id=sub.user_id,
            interests=interests_of(sub),
            attempts=attempts,
            active=active and sub.suppressed_at is None,
        )

    def active_items(self, frequency: str, limit: int | None = None) -> list[OutboxItem]:
        """Unplanned items for every active subscriber (what a dry run would send)."""
        stmt = (
            select(Subscription)
            .where(Subscription.frequency == frequency, *active_subscriptions())
            .order_by(Subscription.id)
            .limit(limit)
        )
        with Session(self.db.reader) as session:
            return [self._item(0, 0, sub) for sub in session.scalars(stmt)]

    # -- outcomes --------------------------------------------------------------------------
    def mark_sent(self, item: OutboxItem, message_id: str, paper_ids: list[int]) -> None:
        now = utcnow()
        with self.db.writer.begin() as conn:
            conn.execute(
                update(DigestOutbox)
                .where(DigestOutbox.id == item.id)
                .values(status="sent", sent_at=now, message_id=message_id, claimed_until=None)
            )
            if paper_ids:
                conn.execute(
                    self.db.backend.insert_ignoring(
                        DigestSentPaper.__table__, ["subscription_id", "paper_id"]
                    ),
                    [
                        {"subscription_id": item.subscription_id, "paper_id": pid, "sent_at": now}
                        for pid in paper_ids
                    ],
                )

    def finish(self, item: OutboxItem, status: str, error: str | None = None) -> None:
        """End a row without sending: ``skipped``, ``failed`` or ``suppressed``."""
        with self.db.writer.begin() as conn:
            conn.execute(
                update(DigestOutbox)
                .where(DigestOutbox.id == item.id)
                .values(status=status, last_error=error, claimed_until=None)
            )
            if status == "suppressed":
                conn.execute(
                    update(Subscription)
                    .where(Subscription.id == item.subscription_id)
                    .values(suppressed_at=utcnow(), suppressed_reason=error)
                )

    def retry_later(self, item: OutboxItem, error: str, delay: float, *, count: bool) -> None:
        """Back to pending after ``delay`` seconds; ``count`` it as a failed attempt or not."""
        with self.db.writer.begin() as conn:
            conn.execute(
                update(DigestOutbox)
                .where(DigestOutbox.id == item.id)
                .values(
                    attempts=DigestOutbox.attempts + (1 if count else 0),
                    next_attempt_at=utcnow() + timedelta(seconds=delay),
                    claimed_until=None,
                    last_error=error,
                )
            )

    # -- reading ---------------------------------------------------------------------------
    def next_wake(self, period: str) -> datetime | None:
        """When a pending row of the period could next be claimed; None when none is left."""
        with self.db.reader.connect() as conn:
            rows = conn.execute(
                select(DigestOutbox.next_attempt_at, DigestOutbox.claimed_until).where(
                    DigestOutbox.period == period, DigestOutbox.status == "pending"
                )
            ).all()
        if not rows:
            return None
        return min(max(n, c or n) for n, c in rows)

    def counts(self, period: str) -> dict[str, int]:
        with self.db.reader.connect() as conn:
            rows = conn.execute(
                select(DigestOutbox.status, func.count())
                .where(DigestOutbox.period == period)
                .group_by(DigestOutbox.status)
            ).all()
        return {str(status): int(n) for status, n in rows}

    def seen(self, subscription_ids: list[int], since: datetime) -> dict[int, set[int]]:
        found: dict[int, set[int]] = {sid: set() for sid in subscription_ids}
        with self.db.reader.connect() as conn:
            for sid, pid in conn.execute(
                select(DigestSentPaper.subscription_id, DigestSentPaper.paper_id).where(
                    DigestSentPaper.subscription_id.in_(subscription_ids),
                    DigestSentPaper.sent_at >= since - SEEN_WINDOW,
                )
            ):
                found[int(sid)].add(int(pid))
        return found

    def upvoted(self, user_ids: list[int], limit: int = 50) -> dict[int, list[int]]:
        found: dict[int, list[int]] = {uid: [] for uid in user_ids}
        with self.db.reader.connect() as conn:
            for uid, pid in conn.execute(
                select(Upvote.user_id, Upvote.paper_id)
                .where(Upvote.user_id.in_(user_ids))
                .order_by(Upvote.created_at)
            ):
                found[int(uid)].append(int(pid))
        return {uid: pids[-limit:] for uid, pids in found.items()}
