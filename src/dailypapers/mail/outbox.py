"""The mail outbox: notices are queued here by pages and delivered by a sender (courier.py).

A row holds the whole rendered message, so a retry sends the same bytes with the same
Message-ID (a receiver that got the first try can drop the second). Claims work as in the
digest outbox: a lease (``FOR UPDATE SKIP LOCKED`` on PostgreSQL; SQLite has one writer),
and ``sent`` only after the server's 250, so a killed sender repeats at most the one
message it was sending.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from email import message_from_string
from email.message import EmailMessage

from sqlalchemy import ColumnElement, func, or_, select, update
from sqlalchemy.orm import Session

from dailypapers.db import Database
from dailypapers.mail.messages import MAIL_POLICY
from dailypapers.models import DigestOutbox, MailOutbox, utcnow

STATUSES = ("pending", "sent", "failed", "rejected", "expired")
UNSENT = ("failed", "rejected", "expired")


@dataclass(frozen=True)
class QueuedMail:
    id: int
    kind: str
    recipient: str
    message: EmailMessage
    attempts: int
    expired: bool


@dataclass(frozen=True)
class MailRow:
    """One row as `dailypapers mail list` shows it."""

    id: int
    kind: str
    recipient: str
    status: str
    attempts: int
    created_at: datetime
    last_error: str | None


class MailQueue:
    def __init__(self, db: Database) -> None:
        self.db = db

    def enqueue(
        self,
        kind: str,
        message: EmailMessage,
        *,
        key: str | None = None,
        valid_for: timedelta | None = None,
    ) -> bool:
        """Queue ``message``; False when a mail with the same ``key`` was queued before."""
        now = utcnow()
        row = {
            "kind": kind,
            "recipient": str(message["To"]),
            "message": message.as_string(policy=MAIL_POLICY),  # see messages.py
            "message_id": str(message["Message-ID"]),
            "dedupe_key": key,
            "status": "pending",
            "attempts": 0,
            "next_attempt_at": now,
            "expires_at": now + valid_for if valid_for else None,
            "created_at": now,
        }
        stmt = self.db.backend.insert_ignoring(MailOutbox.__table__, ["dedupe_key"]).values(row)
        with self.db.writer.begin() as conn:
            return conn.execute(stmt.returning(MailOutbox.id)).scalar() is not None

    def claim(self, worker: str, batch: int, lease: float) -> list[QueuedMail]:
        now = utcnow()
        with Session(self.db.writer) as session, session.begin():
            ids = claim_ids(session, MailOutbox, [], worker, batch, lease)
            rows = session.scalars(
                select(MailOutbox).where(MailOutbox.id.in_(ids)).order_by(MailOutbox.id)
            ).all()
            return [_queued(row, now) for row in rows]

    # -- outcomes --------------------------------------------------------------------------
    def _set(self, mail_id: int, **values: object) -> None:
        with self.db.writer.begin() as conn:
            conn.execute(
                update(MailOutbox)
                .where(MailOutbox.id == mail_id)
                .values(claimed_until=None, **values)
            )

    def release(self, mail_id: int) -> None:
        """Hand a claimed row back untried."""
        self._set(mail_id)

    def mark_sent(self, mail_id: int) -> None:
        self._set(mail_id, status="sent", sent_at=utcnow())

    def finish(self, mail_id: int, status: str, error: str) -> None:
        """End a row unsent: ``failed``, ``rejected`` or ``expired``."""
        self._set(mail_id, status=status, last_error=error)

    def retry_later(self, mail_id: int, error: str, delay: float, *, count: bool) -> None:
        self._set(
            mail_id,
            attempts=MailOutbox.attempts + (1 if count else 0),
            next_attempt_at=utcnow() + timedelta(seconds=delay),
            last_error=error,
        )

    def requeue_failed(self) -> int:
        """Put every failed row back (after the operator fixed the mail server)."""
        with self.db.writer.begin() as conn:
            result = conn.execute(
                update(MailOutbox)
                .where(MailOutbox.status == "failed")
                .values(status="pending", attempts=0, next_attempt_at=utcnow())
            )
        return int(result.rowcount)

    # -- reading ---------------------------------------------------------------------------
    def next_wake(self) -> datetime | None:
        """When a pending row could next be claimed; None when none is pending."""
        with self.db.reader.connect() as conn:
            rows = conn.execute(
                select(MailOutbox.next_attempt_at, MailOutbox.claimed_until).where(
                    MailOutbox.status == "pending"
                )
            ).all()
        return min((max(n, c or n) for n, c in rows), default=None)

    def counts(self) -> dict[tuple[str, str], int]:
        """Rows by (kind, status)."""
        with self.db.reader.connect() as conn:
            rows = conn.execute(
                select(MailOutbox.kind, MailOutbox.status, func.count()).group_by(
                    MailOutbox.kind, MailOutbox.status
                )
            ).all()
        return {(str(kind), str(status)): int(n) for kind, status, n in rows}

    def recent(self, *, statuses: tuple[str, ...] = (), limit: int = 20) -> list[MailRow]:
        """The newest rows (of these statuses; of any when none are named)."""
        stmt = select(MailOutbox).order_by(MailOutbox.id.desc()).limit(limit)
        if statuses:
            stmt = stmt.where(MailOutbox.status.in_(statuses))
        with Session(self.db.reader) as session:
            return [
                MailRow(r.id, r.kind, r.recipient, r.status, r.attempts, r.created_at, r.last_error)
                for r in session.scalars(stmt)
            ]


def claim_ids(
    session: Session,
    table: type[MailOutbox] | type[DigestOutbox],
    where: list[ColumnElement[bool]],
    worker: str,
    batch: int,
    lease: float,
) -> list[int]:
    """Lease up to ``batch`` due pending rows of an outbox to ``worker`` for ``lease``
    seconds (rows another sender holds are skipped, not waited for)."""
    now = utcnow()
    ready = (
        select(table.id)
        .where(
            *where,
            table.status == "pending",
            table.next_attempt_at <= now,
            or_(table.claimed_until.is_(None), table.claimed_until < now),
        )
        .order_by(table.id)
        .limit(batch)
        .with_for_update(skip_locked=True)
    )
    claim = (
        update(table)
        .where(table.id.in_(ready))
        .values(claimed_by=worker, claimed_until=now + timedelta(seconds=lease))
        .returning(table.id)
    )
    return [int(i) for i in session.scalars(claim)]


def _queued(row: MailOutbox, now: datetime) -> QueuedMail:
    message = message_from_string(row.message, policy=MAIL_POLICY)
    expired = row.expires_at is not None and row.expires_at <= now
    return QueuedMail(row.id, row.kind, row.recipient, message, row.attempts, expired)
