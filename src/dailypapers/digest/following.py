"""The digest's "From what you follow" section: the period's papers by the authors, from the
organisations, submitted by the people and in the categories a reader follows, each saying
why, after the trending and personal sections (a paper is mailed once)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import select

from dailypapers.db import Database
from dailypapers.digest.content import DigestPaper, PeriodPapers, digest_paper
from dailypapers.models import DailyEntry, Follow, Organization, PaperOrg, User
from dailypapers.people.author_names import author_key


@dataclass(frozen=True)
class Followed:
    """What one reader follows, by kind (follows.target values)."""

    targets: dict[str, frozenset[str]] = field(default_factory=dict)

    def of(self, kind: str) -> frozenset[str]:
        return self.targets.get(kind, frozenset())

    def __bool__(self) -> bool:
        return any(self.targets.values())


def follows_of(db: Database, user_ids: list[int]) -> dict[int, Followed]:
    found: dict[int, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    if user_ids:
        with db.reader.connect() as conn:
            rows = conn.execute(
                select(Follow.user_id, Follow.kind, Follow.target).where(
                    Follow.user_id.in_(user_ids)
                )
            )
            for user_id, kind, target in rows:
                found[int(user_id)][str(kind)].add(str(target))
    return {
        uid: Followed({kind: frozenset(targets) for kind, targets in kinds.items()})
        for uid, kinds in found.items()
    }


class FollowingMatcher:
    def __init__(self, db: Database, papers: PeriodPapers, base_url: str) -> None:
        self.papers = papers.candidates
        self.base_url = base_url
        self.exclude = papers.trending_ids
        self._rows: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
        for row, paper in enumerate(self.papers):
            for name in dict.fromkeys(paper.authors or []):
                self._rows["author"][author_key(name)].append(row)
            for category in paper.categories or []:
                self._rows["category"][category].append(row)
        self._index_entries(db)

    def _index_entries(self, db: Database) -> None:
        row_of = {paper.id: row for row, paper in enumerate(self.papers)}
        if not row_of:
            return
        with db.reader.connect() as conn:
            orgs = conn.execute(
                select(PaperOrg.paper_id, Organization.slug)
                .join(Organization, Organization.id == PaperOrg.org_id)
                .where(PaperOrg.paper_id.in_(list(row_of)))
            )
            for paper_id, slug in orgs:
                self._rows["org"][slug].append(row_of[paper_id])
            submitted = conn.execute(
                select(DailyEntry.paper_id, User.username)
                .join(User, User.id == DailyEntry.submitted_by_id)
                .where(DailyEntry.paper_id.in_(list(row_of)))
            )
            for paper_id, username in submitted:
                self._rows["user"][username].append(row_of[paper_id])

    def match(self, followed: Followed, skip: set[int], limit: int) -> list[DigestPaper]:
        """Up to ``limit`` papers, most upvoted first, none of ``skip`` or the trending."""
        why: dict[int, str] = {}
        labels = {
            "author": "by {} (you follow them)",
            "org": "from {}, which you follow",
            "user": "submitted by @{}, whom you follow",
            "category": "in {}, which you follow",
        }
        for kind, label in labels.items():
            for target in sorted(followed.of(kind)):
                for row in self._rows[kind].get(target, []):
                    why.setdefault(row, label.format(self._name(kind, target, row)))
        chosen = [
            (row, reason)
            for row, reason in why.items()
            if self.papers[row].id not in skip and self.papers[row].id not in self.exclude
        ]
        chosen.sort(key=lambda pair: (-self.papers[pair[0]].upvotes, pair[0]))
        return [digest_paper(self.papers[row], self.base_url, r) for row, r in chosen[:limit]]

    def _name(self, kind: str, target: str, row: int) -> str:
        if kind != "author":
            return target
        named = (n for n in self.papers[row].authors or [] if author_key(n) == target)
        return next(named, target)
