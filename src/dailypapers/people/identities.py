"""Who is verified as which author of a list of papers: badges, and HF's author fields.

One query per list of papers (not per paper): for each paper, the positions in its author
list that a verified user holds (directly, or through a name merged into theirs), whether
they hide the paper, and whether any of them took part in its discussion.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, aliased

from dailypapers.db import Database
from dailypapers.models import (
    Author,
    Comment,
    HiddenAuthorship,
    Organization,
    Paper,
    PaperAuthor,
    PaperOrg,
    User,
)

STATUS = "claimed_verified"  # HF's PaperAuthor.status for a verified author
# Aliases made once: building one costs more than the query it serves (column proxies).
_NAMED, _ROOT = aliased(Author), aliased(Author)


@dataclass(frozen=True)
class Identity:
    user: User
    author_key: str  # the page of the verified author (the root of a merged name)
    hidden: bool


@dataclass
class PaperIdentities:
    by_position: dict[int, Identity] = field(default_factory=dict)
    participating: bool = False  # a verified author commented
    organization: Organization | None = None  # the first one a member put on it

    @property
    def user_ids(self) -> set[int]:
        return {identity.user.id for identity in self.by_position.values()}


class Identities:
    def __init__(self, db: Database) -> None:
        self.db = db

    def of(self, paper_ids: Iterable[int]) -> dict[int, PaperIdentities]:
        """Every paper's verified authors and organisation; papers with neither are absent."""
        ids = sorted(set(paper_ids))
        if not ids:
            return {}
        named, root = _NAMED, _ROOT
        holder = func.coalesce(named.user_id, root.user_id)
        entity_id = func.coalesce(root.id, named.id)
        entity_key = func.coalesce(root.key, named.key)
        hidden = (
            select(HiddenAuthorship.paper_id)
            .where(
                HiddenAuthorship.author_id == entity_id,
                HiddenAuthorship.paper_id == PaperAuthor.paper_id,
            )
            .exists()
        )
        stmt = (
            select(PaperAuthor.paper_id, PaperAuthor.position, User, entity_key, hidden)
            .join(named, named.key == PaperAuthor.author_key)
            .outerjoin(root, root.id == named.merged_into_id)
            .join(User, User.id == holder)
            .where(PaperAuthor.paper_id.in_(ids), User.suspended_at.is_(None))
        )
        found: dict[int, PaperIdentities] = {}
        with Session(self.db.reader, expire_on_commit=False) as s:
            for paper_id, position, user, key, is_hidden in s.execute(stmt):
                paper = found.setdefault(paper_id, PaperIdentities())
                paper.by_position[position] = Identity(user, key, bool(is_hidden))
            self._participation(s, found)
            self._organizations(s, ids, found)
        return found

    @staticmethod
    def _organizations(s: Session, ids: list[int], found: dict[int, PaperIdentities]) -> None:
        rows = s.execute(
            select(PaperOrg.paper_id, Organization)
            .join(Organization, Organization.id == PaperOrg.org_id)
            .where(PaperOrg.paper_id.in_(ids))
            .order_by(PaperOrg.created_at.desc())  # the oldest is written last, and wins
        )
        for paper_id, org in rows:
            found.setdefault(paper_id, PaperIdentities()).organization = org

    @staticmethod
    def _participation(s: Session, found: dict[int, PaperIdentities]) -> None:
        users = {uid for paper in found.values() for uid in paper.user_ids}
        if not users:
            return
        rows = s.execute(
            select(Comment.paper_id, Comment.user_id)
            .where(
                Comment.paper_id.in_(list(found)),
                Comment.user_id.in_(users),
                Comment.deleted_at.is_(None),
                Comment.hidden_at.is_(None),
            )
            .distinct()
        )
        for paper_id, user_id in rows:
            if user_id in found[paper_id].user_ids:
                found[paper_id].participating = True

    def verified_names(self, user_id: int) -> list[tuple[str, str]]:
        """The (key, name) of every author a user is verified as, for their profile."""
        with Session(self.db.reader) as s:
            rows = s.execute(
                select(Author.key, Author.name)
                .where(Author.user_id == user_id, Author.merged_into_id.is_(None))
                .order_by(Author.name)
            )
            return [(str(key), str(name)) for key, name in rows]

    def papers_of(self, user_id: int, limit: int = 50) -> list[Paper]:
        """The papers of a user's verified names (merged ones too), but those they hide."""
        with Session(self.db.reader, expire_on_commit=False) as s:
            mine = list(s.scalars(select(Author.id).where(Author.user_id == user_id)))
            if not mine:
                return []
            keys = select(Author.key).where(
                or_(Author.id.in_(mine), Author.merged_into_id.in_(mine))
            )
            theirs = select(PaperAuthor.paper_id).where(PaperAuthor.author_key.in_(keys))
            hidden = select(HiddenAuthorship.paper_id).where(HiddenAuthorship.author_id.in_(mine))
            stmt = (
                select(Paper)
                .where(Paper.id.in_(theirs), Paper.id.not_in(hidden))
                .order_by(Paper.published.desc(), Paper.id.desc())
                .limit(limit)
            )
            return list(s.scalars(stmt))
