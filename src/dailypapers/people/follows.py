"""Follows: authors (by name key), users, organisations and arXiv categories.

What you follow fills the Following tab (each paper saying why it is there) and a section
of your digest; a followed author's new paper is also a notification, written with the
paper (``notify_followers``, called by the store inside the upsert's transaction).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, delete, func, select
from sqlalchemy.orm import Session, aliased

from dailypapers.backend.base import Backend
from dailypapers.db import Database
from dailypapers.errors import InvalidInput, NotFound
from dailypapers.models import (
    Author,
    DailyEntry,
    Follow,
    Organization,
    Paper,
    PaperAuthor,
    PaperOrg,
    User,
    utcnow,
)
from dailypapers.people.author_names import author_key
from dailypapers.people.notifications import NewNotification, notify

CATEGORY = re.compile(r"^[a-z][a-z-]{1,15}(\.[A-Za-z][A-Za-z-]{0,15})?$")  # cs.LG, hep-th
NEW_PAPER_DAYS = 14  # an imported backlog is not news: older papers notify nobody
MAX_FOLLOWS = 500
Why = dict[int, list[str]]  # paper id → why it is on the Following tab
# Aliases made once: building one costs more than the query it serves (column proxies).
_MERGED, _ROOT = aliased(Author), aliased(Author)


@dataclass(frozen=True)
class Followed:
    kind: str
    target: str
    label: str  # what to show: the author's name, @username, the category
    url: str


@dataclass(frozen=True)
class FollowButton:
    """What a follow button shows: its target, whether the viewer follows, how many do."""

    kind: str
    target: str
    following: bool
    followers: int


@dataclass(frozen=True)
class FollowedPaper:
    paper: Paper
    why: list[str]  # "you follow Ada Lovelace", "you follow cs.LG"


class FollowService:
    def __init__(self, db: Database) -> None:
        self.db = db

    # -- following ----------------------------------------------------------------------------
    def follow(self, user: User, kind: str, target: str) -> Followed:
        """Follow (again: nothing changes); InvalidInput or NotFound for a bad target."""
        with Session(self.db.writer, expire_on_commit=False) as s, s.begin():
            found = self._target(s, kind, target.strip())
            count = s.scalar(select(func.count()).where(Follow.user_id == user.id)) or 0
            if count >= MAX_FOLLOWS:
                raise InvalidInput(f"You follow {MAX_FOLLOWS} things already: unfollow some first.")
            row = {"user_id": user.id, "kind": kind, "target": found.target}
            stmt = self.db.backend.insert_ignoring(Follow.__table__, ["user_id", "kind", "target"])
            s.execute(stmt, [row | {"created_at": utcnow()}])
        return found

    def unfollow(self, user: User, kind: str, target: str) -> None:
        with self.db.writer.begin() as conn:
            conn.execute(
                delete(Follow).where(
                    Follow.user_id == user.id, Follow.kind == kind, Follow.target == target
                )
            )

    def button(self, user: User | None, kind: str, target: str) -> FollowButton:
        return FollowButton(
            kind, target, self.follows(user, kind, target), self.followers(kind, target)
        )

    def follows(self, user: User | None, kind: str, target: str) -> bool:
        if user is None:
            return False
        with self.db.reader.connect() as conn:
            stmt = select(Follow.id).where(
                Follow.user_id == user.id, Follow.kind == kind, Follow.target == target
            )
            return conn.scalar(stmt) is not None

    def followers(self, kind: str, target: str) -> int:
        stmt = select(func.count()).where(Follow.kind == kind, Follow.target == target)
        with self.db.reader.connect() as conn:
            return int(conn.scalar(stmt.select_from(Follow)) or 0)

    def following(self, user: User) -> list[Followed]:
        with Session(self.db.reader) as s:
            rows = s.scalars(
                select(Follow).where(Follow.user_id == user.id).order_by(Follow.kind, Follow.id)
            ).all()
            found = []
            for row in rows:
                try:
                    found.append(self._target(s, row.kind, row.target))
                except (InvalidInput, NotFound):
                    continue  # a user who left, an org that was removed
        return found

    def _target(self, s: Session, kind: str, target: str) -> Followed:
        if kind == "author":
            author = s.scalars(select(Author).where(Author.key == target)).one_or_none()
            if author is not None and author.merged_into_id is not None:
                author = s.get(Author, author.merged_into_id) or author
            key = author.key if author else target
            name = (
                author.name
                if author
                else s.scalar(
                    select(PaperAuthor.name).where(PaperAuthor.author_key == key).limit(1)
                )
            )
            if name is None:
                raise NotFound(f"No author {target!r} here.")
            return Followed("author", key, name, f"/authors/{key}")
        if kind == "user":
            user = s.scalars(select(User).where(User.username == target)).one_or_none()
            if user is None:
                raise NotFound(f"No user {target}.")
            return Followed("user", user.username, f"@{user.username}", f"/users/{user.username}")
        if kind == "org":
            org = s.scalars(select(Organization).where(Organization.slug == target)).first()
            if org is None:
                raise NotFound(f"No organisation {target} here.")
            return Followed("org", org.slug, org.name, f"/orgs/{org.slug}")
        if kind == "category":
            if not CATEGORY.match(target):
                raise InvalidInput(f"{target!r} is not an arXiv category (like cs.LG or hep-th).")
            return Followed("category", target, target, f"/search?q=cat:{target}")
        raise InvalidInput(
            f"One follows an author, a user, an organisation or a category, not {kind!r}."
        )

    # -- the Following tab --------------------------------------------------------------------
    def papers(self, user: User, *, days: int = 30, limit: int = 50) -> list[FollowedPaper]:
        """Recent papers by followed authors, submitted by followed users, or in followed
        categories: newest first, each with why it is here. Recent: the last ``days`` up to
        the newest paper here (a site whose imports stopped still shows its last month)."""
        with Session(self.db.reader, expire_on_commit=False) as s:
            newest = s.scalar(select(func.max(Paper.published))) or utcnow()
            since = min(newest, utcnow()) - timedelta(days=days)
            mine = s.execute(
                select(Follow.kind, Follow.target).where(Follow.user_id == user.id)
            ).all()
            by_kind: dict[str, list[str]] = defaultdict(list)
            for kind, target in mine:
                by_kind[kind].append(target)
            why: dict[int, list[str]] = defaultdict(list)
            self._by_authors(s, by_kind["author"], since, why)
            self._by_users(s, by_kind["user"], since, why)
            self._by_categories(s, by_kind["category"], since, why)
            self._by_orgs(s, by_kind["org"], since, why)
            papers = s.scalars(select(Paper).where(Paper.id.in_(list(why)))).all()
        ordered = sorted(papers, key=lambda p: (p.published or p.created_at, p.id), reverse=True)
        return [FollowedPaper(p, why[p.id]) for p in ordered[:limit]]

    @staticmethod
    def _by_authors(
        s: Session, keys: list[str], since: datetime, why: dict[int, list[str]]
    ) -> None:
        if not keys:
            return
        merged, root = _MERGED, _ROOT
        variants = s.execute(
            select(merged.key, root.key)
            .join(root, root.id == merged.merged_into_id)
            .where(root.key.in_(keys))
        ).all()
        root_of = {key: key for key in keys} | {variant: key for variant, key in variants}
        rows = s.execute(
            select(PaperAuthor.paper_id, PaperAuthor.author_key, PaperAuthor.name)
            .join(Paper, Paper.id == PaperAuthor.paper_id)
            .where(PaperAuthor.author_key.in_(list(root_of)), Paper.published >= since)
            .limit(2000)
        )
        for paper_id, _key, name in rows:
            why[paper_id].append(f"by {name}, whom you follow")

    @staticmethod
    def _by_users(s: Session, names: list[str], since: datetime, why: Why) -> None:
        if not names:
            return
        rows = s.execute(
            select(DailyEntry.paper_id, User.username)
            .join(User, User.id == DailyEntry.submitted_by_id)
            .where(User.username.in_(names), DailyEntry.submitted_at >= since)
            .limit(2000)
        )
        for paper_id, username in rows:
            why[paper_id].append(f"submitted by @{username}, whom you follow")

    @staticmethod
    def _by_orgs(s: Session, slugs: list[str], since: datetime, why: Why) -> None:
        if not slugs:
            return
        rows = s.execute(
            select(PaperOrg.paper_id, Organization.name)
            .join(Organization, Organization.id == PaperOrg.org_id)
            .join(Paper, Paper.id == PaperOrg.paper_id)
            .where(Organization.slug.in_(slugs), PaperOrg.created_at >= since)
            .limit(2000)
        )
        for paper_id, name in rows:
            why[paper_id].append(f"from {name}, which you follow")

    @staticmethod
    def _by_categories(
        s: Session, categories: list[str], since: datetime, why: dict[int, list[str]]
    ) -> None:
        if not categories:
            return
        rows = s.execute(
            select(Paper.id, Paper.primary_category)
            .where(Paper.primary_category.in_(categories), Paper.published >= since)
            .order_by(Paper.published.desc())
            .limit(500)
        )
        for paper_id, category in rows:
            why[paper_id].append(f"in {category}, which you follow")


def notify_followers(
    conn: Connection, backend: Backend, papers: dict[int, tuple[datetime | None, list[str]]]
) -> None:
    """Tell the followers of each new paper's authors (inside the paper's transaction).
    ``papers``: paper id → (published, author names). Backlogs (older papers) notify nobody."""
    recent_after = utcnow() - timedelta(days=NEW_PAPER_DAYS)
    recent = {
        pid: names
        for pid, (published, names) in papers.items()
        if names and (published is None or published >= recent_after)
    }
    anyone = select(Follow.id).where(Follow.kind == "author").limit(1)
    if not recent or conn.scalar(anyone) is None:
        return
    recent = {pid: [author_key(name) for name in names] for pid, names in recent.items()}
    keys = {key for ks in recent.values() for key in ks}
    root_of = _roots(conn, keys)
    followed = defaultdict(set)
    for user_id, target in conn.execute(
        select(Follow.user_id, Follow.target).where(
            Follow.kind == "author", Follow.target.in_(set(root_of.values()) | keys)
        )
    ):
        followed[target].add(user_id)
    rows = []
    for pid, paper_keys in recent.items():
        for key in dict.fromkeys(paper_keys):
            target = root_of.get(key, key)
            for user_id in followed.get(target, ()):
                note = NewNotification(
                    user_id, "paper", f"paper:{pid}", paper_id=pid, detail=target
                )
                rows.append(note)
    notify(conn, backend, _names(conn, rows))


def _roots(conn: Connection, keys: Iterable[str]) -> dict[str, str]:
    merged, root = _MERGED, _ROOT
    rows = conn.execute(
        select(merged.key, root.key)
        .join(root, root.id == merged.merged_into_id)
        .where(merged.key.in_(list(keys)))
    )
    return {variant: key for variant, key in rows}


def _names(conn: Connection, rows: list[NewNotification]) -> list[NewNotification]:
    """Each notification's detail: the followed author's name rather than their key."""
    keys = {row.detail for row in rows if row.detail}
    if not keys:
        return rows
    names = dict(
        conn.execute(
            select(PaperAuthor.author_key, PaperAuthor.name)
            .where(PaperAuthor.author_key.in_(keys))
            .distinct()
        ).all()
    )
    return [
        NewNotification(**(vars(row) | {"detail": names.get(row.detail or "", row.detail)}))
        for row in rows
    ]
