"""Moderation: hiding comments, removing papers from the daily feed and suspending
accounts, each with a reason, written to a log that admins read, and undoable.

An action and its log row are written in one transaction; so are an undo and its mark.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from sqlalchemy import Connection, delete, insert, select, update
from sqlalchemy.orm import Session

from dailypapers.community.repo import NotAllowed
from dailypapers.db import Database
from dailypapers.errors import Conflict
from dailypapers.models import (
    Comment,
    DailyEntry,
    ModerationAction,
    Paper,
    SessionRecord,
    User,
    utcnow,
)
from dailypapers.people.notifications import NewNotification, notify

MAX_REASON = 500
LABELS = {
    "hide_comment": "hid a comment",
    "remove_entry": "removed from the daily feed",
    "suspend_user": "suspended",
}


class AlreadyDone(Conflict):
    """The action has no effect: already hidden, removed, suspended or undone."""


Reversal = Callable[[Connection, int], None]  # undo one logged action, by its target id


class ModerationService:
    """Moderation on comments, the feed and accounts; ``reversals`` and ``labels`` add what
    other services log here (authorship claims) so that the log can show and undo them."""

    def __init__(
        self,
        db: Database,
        reversals: Mapping[str, Reversal] | None = None,
        labels: Mapping[str, str] | None = None,
    ) -> None:
        self.db = db
        self.reversals = {**_REVERSE, **(reversals or {})}
        self.labels = {**LABELS, **(labels or {})}

    @staticmethod
    def require_admin(user: User | None) -> User:
        if user is None or not user.is_admin or user.suspended_at is not None:
            raise NotAllowed("Only moderators can do that.")
        return user

    def _tell(
        self, conn: Connection, user_id: int, action: ModerationAction, paper_id: int, what: str
    ) -> None:
        """The author of what was moderated is told, with the reason (in the same
        transaction as the action)."""
        detail = f"{what}: {action.reason}" if action.reason else what
        note = NewNotification(
            user_id,
            "moderation",
            f"moderation:{action.id}",
            actor_id=action.moderator_id,
            paper_id=paper_id,
            detail=detail[:300],
        )
        notify(conn, self.db.backend, [note])

    # -- actions -----------------------------------------------------------------------------
    def hide_comment(self, user: User | None, comment_id: int, reason: str) -> ModerationAction:
        admin = self.require_admin(user)
        with self.db.writer.begin() as conn:
            row = conn.execute(
                select(Comment.paper_id, Comment.user_id, Comment.body, Paper.arxiv_id, Paper.title)
                .join(Paper, Paper.id == Comment.paper_id)
                .where(Comment.id == comment_id)
                .where(Comment.hidden_at.is_(None), Comment.deleted_at.is_(None))
            ).first()
            if row is None:
                raise AlreadyDone("That comment is already hidden or deleted.")
            conn.execute(
                update(Comment)
                .where(Comment.id == comment_id)
                .values(hidden_at=utcnow(), hidden_by_id=admin.id)
            )
            _count_comment(conn, row.paper_id, -1)
            label = row.body[:120] or "(empty comment)"
            url = f"/papers/{row.arxiv_id}#comment-{comment_id}"
            action = log_action(conn, admin, "hide_comment", comment_id, label, url, reason)
            what = f"hid your comment on “{row.title}”"
            self._tell(conn, row.user_id, action, row.paper_id, what)
            return action

    def remove_entry(self, user: User | None, paper: Paper, reason: str) -> ModerationAction:
        admin = self.require_admin(user)
        with self.db.writer.begin() as conn:
            removed = conn.execute(
                update(DailyEntry)
                .where(DailyEntry.paper_id == paper.id, DailyEntry.removed_at.is_(None))
                .values(removed_at=utcnow(), removed_by_id=admin.id)
                .returning(DailyEntry.id)
            ).first()
            if removed is None:
                raise AlreadyDone("That paper is not on a daily feed.")
            url = f"/papers/{paper.arxiv_id}"
            action = log_action(conn, admin, "remove_entry", paper.id, paper.title, url, reason)
            submitter = conn.scalar(
                select(DailyEntry.submitted_by_id).where(DailyEntry.paper_id == paper.id)
            )
            if submitter is not None:
                what = "took the paper you submitted off the daily feed"
                self._tell(conn, submitter, action, paper.id, what)
            return action

    def suspend(self, user: User | None, target: User, reason: str) -> ModerationAction:
        admin = self.require_admin(user)
        if target.id == admin.id:
            raise NotAllowed("Moderators cannot suspend themselves.")
        with self.db.writer.begin() as conn:
            changed = conn.execute(
                update(User)
                .where(User.id == target.id, User.suspended_at.is_(None))
                .values(suspended_at=utcnow())
                .returning(User.id)
            ).first()
            if changed is None:
                raise AlreadyDone(f"{target.username} is already suspended.")
            conn.execute(delete(SessionRecord).where(SessionRecord.user_id == target.id))
            url = f"/users/{target.username}"
            return log_action(conn, admin, "suspend_user", target.id, target.username, url, reason)

    def restore(self, user: User | None, target: User) -> None:
        """Lift a suspension: undo the action that made it (or, for one older than the log,
        just lift it)."""
        self.require_admin(user)
        with self.db.reader.connect() as conn:
            open_action = conn.scalar(
                select(ModerationAction.id)
                .where(ModerationAction.action == "suspend_user")
                .where(ModerationAction.target_id == target.id)
                .where(ModerationAction.undone_at.is_(None))
                .order_by(ModerationAction.id.desc())
            )
        if open_action is not None:
            self.undo(user, open_action)
            return
        if target.suspended_at is None:
            raise AlreadyDone(f"{target.username} is not suspended.")
        with self.db.writer.begin() as conn:
            _unsuspend(conn, target.id)

    # -- the log and undo ----------------------------------------------------------------------
    def recent(self, limit: int = 200) -> list[tuple[ModerationAction, User | None]]:
        with Session(self.db.reader, expire_on_commit=False) as s:
            rows = s.execute(
                select(ModerationAction, User)
                .outerjoin(User, User.id == ModerationAction.moderator_id)
                .order_by(ModerationAction.id.desc())
                .limit(limit)
            ).all()
        return [(action, moderator) for action, moderator in rows]

    def get(self, action_id: int) -> ModerationAction | None:
        with Session(self.db.reader, expire_on_commit=False) as s:
            return s.get(ModerationAction, action_id)

    def undo(self, user: User | None, action_id: int) -> ModerationAction:
        """Reverse an action: the comment shows again, the paper is back on its day, the
        account can log in again."""
        admin = self.require_admin(user)
        with Session(self.db.writer, expire_on_commit=False) as s, s.begin():
            action = s.get(ModerationAction, action_id)
            if action is None:
                raise AlreadyDone("No such moderation action.")
            if action.undone_at is not None:
                raise AlreadyDone("That action was already undone.")
            self.reversals[action.action](s.connection(), action.target_id)
            action.undone_at, action.undone_by_id = utcnow(), admin.id
        return action


def log_action(
    conn: Connection,
    admin: User,
    action: str,
    target_id: int,
    label: str,
    url: str,
    reason: str,
) -> ModerationAction:
    values = {
        "moderator_id": admin.id,
        "action": action,
        "target_id": target_id,
        "target_label": label[:300],
        "target_url": url[:300],
        "reason": reason.strip()[:MAX_REASON],
        "created_at": utcnow(),
    }
    new_id = conn.execute(
        insert(ModerationAction).values(**values).returning(ModerationAction.id)
    ).scalar_one()
    return ModerationAction(id=new_id, **values)


def _count_comment(conn: Connection, paper_id: int, delta: int) -> None:
    conn.execute(
        update(Paper).where(Paper.id == paper_id).values(num_comments=Paper.num_comments + delta)
    )


def _unhide(conn: Connection, comment_id: int) -> None:
    paper_id = conn.execute(
        update(Comment)
        .where(Comment.id == comment_id, Comment.hidden_at.is_not(None))
        .values(hidden_at=None, hidden_by_id=None)
        .returning(Comment.paper_id)
    ).scalar()
    if paper_id is not None and conn.scalar(
        select(Comment.deleted_at.is_(None)).where(Comment.id == comment_id)
    ):
        _count_comment(conn, paper_id, +1)


def _restore_entry(conn: Connection, paper_id: int) -> None:
    conn.execute(
        update(DailyEntry)
        .where(DailyEntry.paper_id == paper_id)
        .values(removed_at=None, removed_by_id=None)
    )


def _unsuspend(conn: Connection, user_id: int) -> None:
    conn.execute(update(User).where(User.id == user_id).values(suspended_at=None))


_REVERSE = {"hide_comment": _unhide, "remove_entry": _restore_entry, "suspend_user": _unsuspend}
