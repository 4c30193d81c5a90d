"""Storage of upvotes, comments, submissions and moderation, exact under concurrency.

Every counter (papers.upvotes, papers.num_comments) changes in the same transaction as the
row it counts, and only when that row really changed, so concurrent clicks add up exactly.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, Connection, and_, delete, func, select, update
from sqlalchemy.orm import Session

from dailypapers.db import Database
from dailypapers.errors import Forbidden
from dailypapers.models import Comment, DailyEntry, Paper, Upvote, User, utcnow
from dailypapers.people.notifications import record_for_comment


class NotAllowed(Forbidden):
    """The action is not the user's to take (someone else's comment, a removed entry…)."""


@dataclass(frozen=True)
class CommentView:
    comment: Comment
    author: User
    replies: list[CommentView]

    @property
    def visible(self) -> bool:
        return self.comment.deleted_at is None and self.comment.hidden_at is None


def _visible() -> ColumnElement[bool]:
    return and_(Comment.deleted_at.is_(None), Comment.hidden_at.is_(None))


class CommunityRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    # -- upvotes ---------------------------------------------------------------------------
    def upvote(self, user_id: int, paper_id: int) -> int:
        """Add the user's vote (idempotent); returns the paper's new count."""
        with self.db.writer.begin() as conn:
            # RETURNING tells reliably whether the row was new (rowcount is -1 on psycopg).
            added = conn.execute(
                self.db.backend.insert_ignoring(
                    Upvote.__table__, ["user_id", "paper_id"]
                ).returning(Upvote.user_id),
                {"user_id": user_id, "paper_id": paper_id, "created_at": utcnow()},
            ).first()
            return self._change_upvotes(conn, paper_id, +1 if added else 0)

    def remove_upvote(self, user_id: int, paper_id: int) -> int:
        """Take the user's vote back (idempotent); returns the paper's new count."""
        with self.db.writer.begin() as conn:
            removed = conn.execute(
                delete(Upvote)
                .where(Upvote.user_id == user_id, Upvote.paper_id == paper_id)
                .returning(Upvote.user_id)
            ).first()
            return self._change_upvotes(conn, paper_id, -1 if removed else 0)

    @staticmethod
    def _change_upvotes(conn: Connection, paper_id: int, delta: int) -> int:
        if delta:
            conn.execute(
                update(Paper).where(Paper.id == paper_id).values(upvotes=Paper.upvotes + delta)
            )
        return int(conn.scalar(select(Paper.upvotes).where(Paper.id == paper_id)) or 0)

    def voted(self, user_id: int, paper_ids: list[int]) -> set[int]:
        if not paper_ids:
            return set()
        with self.db.reader.connect() as conn:
            rows = conn.scalars(
                select(Upvote.paper_id).where(
                    Upvote.user_id == user_id, Upvote.paper_id.in_(paper_ids)
                )
            )
            return set(rows)

    # -- comments --------------------------------------------------------------------------
    def add_comment(
        self, *, paper_id: int, user_id: int, body: str, body_html: str, parent_id: int | None
    ) -> Comment:
        with Session(self.db.writer, expire_on_commit=False) as s, s.begin():
            replied_to = None  # the author of the comment answered (told of the reply)
            if parent_id is not None:
                parent = s.get(Comment, parent_id)
                if parent is None or parent.paper_id != paper_id:
                    raise NotAllowed("That comment is not on this paper.")
                root = s.get(Comment, parent.parent_id) if parent.parent_id else parent
                if parent.hidden_at is not None or (root is not None and root.hidden_at):
                    raise NotAllowed("A moderator hid that comment; it takes no replies.")
                parent_id = parent.parent_id or parent.id  # replies stay one level deep
                replied_to = parent.user_id
            comment = Comment(
                paper_id=paper_id,
                user_id=user_id,
                body=body,
                body_html=body_html,
                parent_id=parent_id,
                created_at=utcnow(),
            )
            s.add(comment)
            s.flush()  # its id, for the notifications
            record_for_comment(s, comment, replied_to)
            s.execute(
                update(Paper)
                .where(Paper.id == paper_id)
                .values(num_comments=Paper.num_comments + 1)
            )
        return comment

    def get_comment(self, comment_id: int) -> Comment | None:
        with Session(self.db.reader, expire_on_commit=False) as s:
            return s.get(Comment, comment_id)

    def edit_comment(self, comment_id: int, user_id: int, body: str, body_html: str) -> None:
        with self.db.writer.begin() as conn:
            changed = conn.execute(
                update(Comment)
                .where(Comment.id == comment_id, Comment.user_id == user_id)
                .where(Comment.deleted_at.is_(None), Comment.hidden_at.is_(None))
                .values(body=body, body_html=body_html, edited_at=utcnow())
                .returning(Comment.id)
            ).first()
        if changed is None:
            raise NotAllowed("You can only edit your own comments.")

    def delete_comment(self, comment_id: int, user_id: int) -> None:
        """Soft-delete one's own comment; its text is erased, its replies stay."""
        self._retire(
            comment_id, Comment.user_id == user_id, body="", body_html="", deleted_at=utcnow()
        )

    def _retire(self, comment_id: int, allowed: ColumnElement[bool], **values: object) -> None:
        with self.db.writer.begin() as conn:
            comment = conn.execute(
                select(Comment.paper_id).where(Comment.id == comment_id, allowed, _visible())
            ).first()
            if comment is None:
                raise NotAllowed("That comment cannot be changed.")
            conn.execute(update(Comment).where(Comment.id == comment_id).values(**values))
            conn.execute(
                update(Paper)
                .where(Paper.id == comment.paper_id)
                .values(num_comments=Paper.num_comments - 1)
            )

    def comments_for(self, paper_id: int) -> list[CommentView]:
        """Top-level comments, oldest first, each with its replies."""
        with Session(self.db.reader, expire_on_commit=False) as s:
            rows = s.execute(
                select(Comment, User)
                .join(User, User.id == Comment.user_id)
                .where(Comment.paper_id == paper_id)
                .order_by(Comment.created_at, Comment.id)
            ).all()
        replies: dict[int, list[CommentView]] = {}
        for comment, author in rows:
            if comment.parent_id is not None:
                replies.setdefault(comment.parent_id, []).append(CommentView(comment, author, []))
        return [
            CommentView(comment, author, replies.get(comment.id, []))
            for comment, author in rows
            if comment.parent_id is None
        ]

    # -- submissions and moderation ----------------------------------------------------------
    def submit(self, paper_id: int, user_id: int, day: date) -> tuple[DailyEntry, bool]:
        """Put a paper on ``day``'s feed; (entry, False) when it was already on a feed."""
        with self.db.writer.begin() as conn:
            added = conn.execute(
                self.db.backend.insert_ignoring(DailyEntry.__table__, ["paper_id"]).returning(
                    DailyEntry.id
                ),
                {
                    "paper_id": paper_id,
                    "day": day,
                    "submitted_by_id": user_id,
                    "submitted_at": utcnow(),
                },
            ).first()
        with Session(self.db.reader, expire_on_commit=False) as s:
            entry = s.scalars(select(DailyEntry).where(DailyEntry.paper_id == paper_id)).one()
        return entry, added is not None

    def submissions_on(self, user_id: int, day: date) -> int:
        with self.db.reader.connect() as conn:
            value = conn.scalar(
                select(func.count())
                .select_from(DailyEntry)
                .where(DailyEntry.submitted_by_id == user_id, DailyEntry.day == day)
            )
        return int(value or 0)
