"""Author pages: an author's papers, co-authors and categories, and who they are.

An author is a name key (people/author_names.py). Its page gathers the papers printed with
that key, plus those of the keys an admin merged into it, plus, once a user is verified as
this author, those of the user's other verified names; every paper says which of these put
it there. Papers, co-authors and categories are indexed lookups on ``paper_authors``.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from dailypapers.db import Database
from dailypapers.errors import NotFound
from dailypapers.models import Author, AuthorClaim, HiddenAuthorship, Paper, PaperAuthor, User

PAGE_SIZE = 30
COAUTHORS = 12
COAUTHOR_PAPERS = 200
SUMMARY_SECONDS = 60.0
SUMMARIES = 1000
Summary = tuple[list[tuple[str, str, int]], list[tuple[str, int]]]  # co-authors, categories
CATEGORIES = 8
# Aliases made once: building one costs more than the query it serves (column proxies).
_MINE, _THEIRS = aliased(PaperAuthor), aliased(PaperAuthor)


class AuthorNotFound(NotFound):
    pass


@dataclass(frozen=True)
class Variant:
    key: str
    name: str  # as most often printed
    papers: int
    why: str  # "this name", "merged by an admin", "claimed by @user"


@dataclass(frozen=True)
class Attributed:
    paper: Paper
    printed: str  # the name as this paper prints it
    key: str
    hidden: bool  # the verified author keeps it off their profile


@dataclass
class AuthorPage:
    key: str
    name: str
    author: Author | None
    claimant: User | None
    moved_to: str | None = None  # merged into this key: redirect there
    variants: list[Variant] = field(default_factory=list)
    papers: list[Attributed] = field(default_factory=list)
    total: int = 0
    coauthors: list[tuple[str, str, int]] = field(default_factory=list)  # key, name, papers
    categories: list[tuple[str, int]] = field(default_factory=list)
    my_claim: AuthorClaim | None = None


class AuthorService:
    def __init__(self, db: Database) -> None:
        self.db = db
        # Co-authors and categories of a prolific name cost most of its page and change
        # slowly: kept SUMMARY_SECONDS per process (the list of papers is never cached).
        self._summaries: dict[tuple[str, ...], tuple[float, Summary]] = {}
        self._lock = threading.Lock()

    def page(
        self, key: str, viewer: User | None = None, *, offset: int = 0, limit: int = PAGE_SIZE
    ) -> AuthorPage:
        with Session(self.db.reader, expire_on_commit=False) as s:
            author = s.scalars(select(Author).where(Author.key == key)).one_or_none()
            if author is not None and author.merged_into_id is not None:
                root = s.get(Author, author.merged_into_id)
                if root is not None:
                    return AuthorPage(key, author.name, author, None, moved_to=root.key)
            variants = self._variants(s, key, author)
            if not variants:
                raise AuthorNotFound(f"No author {key!r} here.")
            keys = [v.key for v in variants]
            page = AuthorPage(
                key,
                variants[0].name,
                author,
                s.get(User, author.user_id) if author and author.user_id else None,
                variants=variants,
                total=self._count(s, [v.key for v in variants]),
            )
            page.papers = self._papers(s, keys, author, offset, limit)
            page.coauthors, page.categories = self._summary(s, keys)
            if viewer is not None and author is not None:
                page.my_claim = s.scalars(
                    select(AuthorClaim).where(
                        AuthorClaim.author_id == author.id, AuthorClaim.user_id == viewer.id
                    )
                ).one_or_none()
        return page

    # -- the group of names ---------------------------------------------------------------
    def _variants(self, s: Session, key: str, author: Author | None) -> list[Variant]:
        """This key first, then the keys merged into it, then the claimant's other names."""
        why = {key: "this name"}
        if author is not None:
            merged = s.scalars(select(Author.key).where(Author.merged_into_id == author.id))
            why |= {k: "merged by an admin" for k in merged if k not in why}
            if author.user_id is not None:
                user = s.get(User, author.user_id)
                mine = s.scalars(
                    select(Author.key).where(
                        Author.user_id == author.user_id, Author.merged_into_id.is_(None)
                    )
                )
                label = f"claimed by @{user.username}" if user else "claimed"
                why |= {k: label for k in mine if k not in why}
        counts = self._names(s, list(why))
        return [
            Variant(k, counts[k].most_common(1)[0][0], sum(counts[k].values()), why[k])
            for k in why
            if k in counts
        ]

    @staticmethod
    def _names(s: Session, keys: list[str]) -> dict[str, Counter[str]]:
        rows = s.execute(
            select(PaperAuthor.author_key, PaperAuthor.name, func.count())
            .where(PaperAuthor.author_key.in_(keys))
            .group_by(PaperAuthor.author_key, PaperAuthor.name)
        )
        counts: dict[str, Counter[str]] = {}
        for key, name, n in rows:
            counts.setdefault(key, Counter())[name] = int(n)
        return counts

    # -- what the page lists ----------------------------------------------------------------
    @staticmethod
    def _count(s: Session, keys: list[str]) -> int:
        listed = select(func.count(func.distinct(PaperAuthor.paper_id)))
        return int(s.scalar(listed.where(PaperAuthor.author_key.in_(keys))) or 0)

    @staticmethod
    def _papers(
        s: Session, keys: list[str], author: Author | None, offset: int, limit: int
    ) -> list[Attributed]:
        hidden: set[int] = set()
        if author is not None:
            hidden = set(
                s.scalars(
                    select(HiddenAuthorship.paper_id).where(HiddenAuthorship.author_id == author.id)
                )
            )
        listed = select(PaperAuthor.paper_id).where(PaperAuthor.author_key.in_(keys))
        papers = s.scalars(
            select(Paper)
            .where(Paper.id.in_(listed))
            .order_by(Paper.published.desc(), Paper.id.desc())
            .offset(offset)
            .limit(limit)
        ).all()
        printed = {
            pid: (name, key)
            for pid, name, key in s.execute(
                select(PaperAuthor.paper_id, PaperAuthor.name, PaperAuthor.author_key).where(
                    PaperAuthor.paper_id.in_([p.id for p in papers]),
                    PaperAuthor.author_key.in_(keys),
                )
            )
        }
        return [Attributed(p, *printed[p.id], p.id in hidden) for p in papers]

    def _summary(self, s: Session, keys: list[str]) -> Summary:
        now, cache_key = time.monotonic(), tuple(keys)
        with self._lock:
            kept = self._summaries.get(cache_key)
        if kept is not None and now - kept[0] < SUMMARY_SECONDS:
            return kept[1]
        summary = (self._coauthors(s, keys), self._categories(s, keys))
        with self._lock:
            if len(self._summaries) >= SUMMARIES:
                self._summaries.clear()  # crude, and rare: a thousand authors in a minute
            self._summaries[cache_key] = (now, summary)
        return summary

    @staticmethod
    def _coauthors(s: Session, keys: list[str]) -> list[tuple[str, str, int]]:
        mine, theirs = _MINE, _THEIRS
        newest = (  # a prolific author's co-authors: of their newest papers
            select(mine.paper_id)
            .where(mine.author_key.in_(keys))
            .order_by(mine.paper_id.desc())
            .limit(COAUTHOR_PAPERS)
        )
        rows = s.execute(
            select(theirs.author_key, func.min(theirs.name), func.count())
            .where(theirs.paper_id.in_(newest), theirs.author_key.not_in(keys))
            .group_by(theirs.author_key)
            .order_by(func.count().desc(), theirs.author_key)
            .limit(COAUTHORS)
        )
        return [(key, name, int(n)) for key, name, n in rows]

    @staticmethod
    def _categories(s: Session, keys: list[str]) -> list[tuple[str, int]]:
        rows = s.execute(
            select(Paper.primary_category, func.count(func.distinct(Paper.id)))
            .join(PaperAuthor, PaperAuthor.paper_id == Paper.id)
            .where(PaperAuthor.author_key.in_(keys), Paper.primary_category.is_not(None))
            .group_by(Paper.primary_category)
            .order_by(func.count(func.distinct(Paper.id)).desc(), Paper.primary_category)
            .limit(CATEGORIES)
        )
        return [(str(category), int(n)) for category, n in rows]
