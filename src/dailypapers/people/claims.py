"""Claimed authorship: "this is me", verified by a listed address or decided by an admin.

A claim is verified at once when a paper of the author lists an address that vouches for
the claimant's verified email (the same address, or the same institution's domain: see
author_names.vouches_for); otherwise it waits in the admins' queue, where each decision
(approve, or reject with a reason) is written to the moderation log, can be undone there,
and is a notification to the claimant (mailed as they chose: by default at once). Admins
also merge name variants into one author. A verified author may hide a paper from their
profile, or give the name up.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import Connection, delete, insert, select, update
from sqlalchemy.orm import Session, aliased

from dailypapers.community.moderation import ModerationService, log_action
from dailypapers.db import Database
from dailypapers.errors import Conflict, Forbidden, InvalidInput
from dailypapers.models import (
    Author,
    AuthorClaim,
    HiddenAuthorship,
    Paper,
    PaperAuthor,
    User,
    utcnow,
)
from dailypapers.people.author_names import listed_addresses, vouches_for
from dailypapers.people.authors import AuthorNotFound
from dailypapers.people.notifications import NewNotification, notify

log = logging.getLogger(__name__)
PENDING, VERIFIED, REJECTED = "pending", "verified", "rejected"
EVIDENCE_PAPERS = 200  # the newest papers of a name searched for a vouching address
# Aliases made once: building one costs more than the query it serves (column proxies).
_HOLDER = aliased(User)
LABELS = {
    "approve_claim": "approved an authorship claim",
    "reject_claim": "rejected an authorship claim",
    "merge_author": "merged an author name",
}


@dataclass(frozen=True)
class QueuedClaim:
    claim: AuthorClaim
    claimant: User
    author: Author
    paper: Paper | None
    holder: User | None  # already verified as this author, when someone is


class ClaimService:
    def __init__(self, db: Database) -> None:
        self.db = db

    # -- claiming ---------------------------------------------------------------------------
    def claim(self, user: User, key: str, arxiv_id: str | None = None) -> AuthorClaim:
        """Claim a name (on one of its papers, or on its page); verified or queued."""
        if user.email_verified_at is None:
            raise Forbidden("Verify your email address first: claims are checked against it.")
        with Session(self.db.writer, expire_on_commit=False) as s, s.begin():
            author = self._author(s, key)
            paper = self._paper_of(s, author, arxiv_id)
            if author.user_id == user.id:
                raise Conflict("You are already verified as this author.")
            claim = s.scalars(
                select(AuthorClaim).where(
                    AuthorClaim.user_id == user.id, AuthorClaim.author_id == author.id
                )
            ).one_or_none()
            if claim is not None:
                raise Conflict(_already(claim))
            claim = AuthorClaim(
                user_id=user.id, author_id=author.id, paper_id=paper, status=PENDING
            )
            s.add(claim)
            address = None if author.user_id else self._vouching(s, author, user.email)
            if address is not None:
                claim.status, claim.method, claim.evidence = VERIFIED, "email", address
                claim.decided_at = utcnow()
                author.user_id, author.verified_at = user.id, utcnow()
            s.flush()
        log.info("claim %s by user %s on %s: %s", claim.id, user.id, key, claim.status)
        return claim

    @staticmethod
    def _author(s: Session, key: str) -> Author:
        """The author of a key that some paper prints (made on first use), or its root."""
        author = s.scalars(select(Author).where(Author.key == key)).one_or_none()
        if author is None:
            name = s.scalar(select(PaperAuthor.name).where(PaperAuthor.author_key == key).limit(1))
            if name is None:
                raise AuthorNotFound(f"No author {key!r} here.")
            author = Author(key=key, name=name)
            s.add(author)
            s.flush()
        if author.merged_into_id is not None:
            root = s.get(Author, author.merged_into_id)
            if root is not None:
                return root
        return author

    @staticmethod
    def _paper_of(s: Session, author: Author, arxiv_id: str | None) -> int | None:
        if arxiv_id is None:
            return None
        paper_id = s.scalar(
            select(Paper.id)
            .join(PaperAuthor, PaperAuthor.paper_id == Paper.id)
            .where(Paper.arxiv_id == arxiv_id, PaperAuthor.author_key.in_(_keys(s, author)))
        )
        if paper_id is None:
            raise InvalidInput(f"{author.name} is not an author of {arxiv_id}.")
        return int(paper_id)

    @staticmethod
    def _vouching(s: Session, author: Author, email: str) -> str | None:
        """An address on one of the author's newest papers that vouches for this email."""
        rows = s.execute(
            select(Paper.abstract, Paper.comments)
            .join(PaperAuthor, PaperAuthor.paper_id == Paper.id)
            .where(PaperAuthor.author_key.in_(_keys(s, author)))
            .order_by(Paper.published.desc())
            .limit(EVIDENCE_PAPERS)
        )
        for abstract, comments in rows:
            for address in sorted(listed_addresses(abstract, comments)):
                if vouches_for(address, email):
                    return address
        return None

    def release(self, user: User, key: str) -> None:
        """Stop being verified as this author (the claim can be made again later)."""
        with Session(self.db.writer) as s, s.begin():
            author = self._author(s, key)
            if author.user_id != user.id:
                raise Forbidden("You are not verified as this author.")
            author.user_id = author.verified_at = None
            s.execute(
                delete(AuthorClaim).where(
                    AuthorClaim.author_id == author.id, AuthorClaim.user_id == user.id
                )
            )

    def hide(self, user: User, key: str, arxiv_id: str, *, hidden: bool) -> None:
        """Keep one of your papers off your profile, or show it again."""
        with Session(self.db.writer) as s, s.begin():
            author = self._author(s, key)
            if author.user_id != user.id:
                raise Forbidden("Only the verified author can hide their papers.")
            paper_id = self._paper_of(s, author, arxiv_id)
            row = {"author_id": author.id, "paper_id": paper_id}
            s.execute(delete(HiddenAuthorship).filter_by(**row))
            if hidden:
                s.execute(insert(HiddenAuthorship).values(**row, created_at=utcnow()))

    # -- the admins' queue -------------------------------------------------------------------
    def pending(self) -> list[QueuedClaim]:
        holder = _HOLDER
        with Session(self.db.reader, expire_on_commit=False) as s:
            rows = s.execute(
                select(AuthorClaim, User, Author, Paper, holder)
                .join(User, User.id == AuthorClaim.user_id)
                .join(Author, Author.id == AuthorClaim.author_id)
                .outerjoin(Paper, Paper.id == AuthorClaim.paper_id)
                .outerjoin(holder, holder.id == Author.user_id)
                .where(AuthorClaim.status == PENDING)
                .order_by(AuthorClaim.created_at, AuthorClaim.id)
            ).all()
        return [QueuedClaim(*row) for row in rows]

    def decide(self, admin: User | None, claim_id: int, *, approve: bool, reason: str) -> None:
        moderator = ModerationService.require_admin(admin)
        reason = reason.strip()
        if not approve and not reason:
            raise InvalidInput("Say why the claim is rejected: the claimant reads it.")
        with Session(self.db.writer, expire_on_commit=False) as s, s.begin():
            claim = s.get(AuthorClaim, claim_id)
            if claim is None or claim.status != PENDING:
                raise Conflict("That claim was already decided.")
            author, claimant = s.get(Author, claim.author_id), s.get(User, claim.user_id)
            assert author is not None and claimant is not None  # foreign keys
            claim.status = VERIFIED if approve else REJECTED
            claim.method, claim.reason = "admin", reason or None
            claim.decided_by_id, claim.decided_at = moderator.id, utcnow()
            if approve:
                author.user_id, author.verified_at = claimant.id, utcnow()
            action = "approve_claim" if approve else "reject_claim"
            label = f"@{claimant.username} as {author.name}"
            log_action(s.connection(), moderator, action, claim.id, label, _page(author), reason)
            notify(s.connection(), self.db.backend, [_decided(claim, author, moderator)])

    def merge(self, admin: User | None, key: str, into: str, reason: str = "") -> None:
        """Show a name variant's papers on another author's page (undo in the log)."""
        moderator = ModerationService.require_admin(admin)
        with Session(self.db.writer, expire_on_commit=False) as s, s.begin():
            variant, root = self._author(s, key), self._author(s, into)
            if variant.id == root.id:
                raise Conflict(f"{key} is already {into}.")
            if variant.user_id and root.user_id and variant.user_id != root.user_id:
                raise Conflict("Both names are verified, as different people.")
            s.execute(
                update(Author)
                .where(Author.merged_into_id == variant.id)
                .values(merged_into_id=root.id)
            )
            variant.merged_into_id, variant.merged_by_id = root.id, moderator.id
            variant.merged_at = utcnow()
            label = f"{variant.name} into {root.name}"
            log_action(
                s.connection(), moderator, "merge_author", variant.id, label, _page(root), reason
            )


def _keys(s: Session, author: Author) -> list[str]:
    """The author's key and the keys merged into it."""
    merged = s.scalars(select(Author.key).where(Author.merged_into_id == author.id))
    return [author.key, *merged]


def _decided(claim: AuthorClaim, author: Author, admin: User) -> NewNotification:
    """The claimant's notification (mailed as they chose for claims)."""
    if claim.status == VERIFIED:
        detail = f"approved: you are the verified author {author.name}"
    else:
        detail = f"not approved for {author.name}: {claim.reason}"
    stamp = f"{claim.decided_at:%Y%m%d%H%M%S%f}"  # undone and decided again: told again
    return NewNotification(
        claim.user_id,
        "claim",
        f"claim:{claim.id}:{claim.status}:{stamp}",
        actor_id=admin.id,
        paper_id=claim.paper_id,
        detail=detail[:300],
        link=_page(author),
    )


def _page(author: Author) -> str:
    return f"/authors/{author.key}"


def _already(claim: AuthorClaim) -> str:
    if claim.status == PENDING:
        return "Your claim is waiting for an admin."
    if claim.status == REJECTED:
        why = f": {claim.reason}" if claim.reason else ""
        return f"An admin rejected this claim{why}. Write to the admins if that is a mistake."
    return "You are already verified as this author."


# What undoing each logged decision does (ModerationService.undo).
def _unapprove(conn: Connection, claim_id: int) -> None:
    claim = conn.execute(select(AuthorClaim).where(AuthorClaim.id == claim_id)).first()
    if claim is None:
        return
    conn.execute(
        update(Author)
        .where(Author.id == claim.author_id, Author.user_id == claim.user_id)
        .values(user_id=None, verified_at=None)
    )
    _reopen(conn, claim_id)


def _reopen(conn: Connection, claim_id: int) -> None:
    conn.execute(
        update(AuthorClaim)
        .where(AuthorClaim.id == claim_id)
        .values(status=PENDING, method=None, reason=None, decided_by_id=None, decided_at=None)
    )


def _unmerge(conn: Connection, author_id: int) -> None:
    conn.execute(
        update(Author)
        .where(Author.id == author_id)
        .values(merged_into_id=None, merged_by_id=None, merged_at=None)
    )


REVERSALS = {"approve_claim": _unapprove, "reject_claim": _reopen, "merge_author": _unmerge}
