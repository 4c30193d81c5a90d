"""The storage interface and its shared SQLAlchemy implementation.

Both engines run this same SQL; the little that differs (how writers are serialised,
INSERT … ON CONFLICT, the integrity check) is asked of ``db.backend``. Reads use the
reader engine, every write one short transaction on the writer.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, time
from typing import Any, cast

from sqlalchemy import (
    Connection,
    Table,
    bindparam,
    delete,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.orm import Session

from dailypapers.db import Database, upgrade
from dailypapers.models import (
    DailyEntry,
    HarvestState,
    Paper,
    PaperAuthor,
    PaperEmbedding,
    PaperSentences,
    User,
    utcnow,
)
from dailypapers.people.author_names import AUTHORSHIP_COLUMNS, authorship_rows
from dailypapers.people.follows import notify_followers
from dailypapers.records import PaperRecord
from dailypapers.store.merge import MERGEABLE, Outcome, merge_paper, new_paper_values

PAPERS = cast(Table, Paper.__table__)
DAILY = cast(Table, DailyEntry.__table__)
HARVESTS = cast(Table, HarvestState.__table__)


@dataclass
class UpsertResult:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    daily_added: int = 0
    paper_ids: dict[str, int] = field(default_factory=dict)
    outcomes: dict[str, Outcome] = field(default_factory=dict)

    def add(self, other: UpsertResult) -> None:
        self.inserted += other.inserted
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.daily_added += other.daily_added


class PaperStore:
    """Papers, daily entries, users and harvest progress on one database."""

    def __init__(self, db: Database) -> None:
        self.db = db

    # -- lifecycle ---------------------------------------------------------------------
    def upgrade(self) -> None:
        upgrade(self.db)

    def close(self) -> None:
        self.db.dispose()

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """One write transaction, holding this store's writer lock."""
        with self.db.writer.begin() as conn:
            self.db.backend.lock_writers(conn)
            yield conn

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A read-only ORM session whose objects stay usable after it closes."""
        with Session(self.db.reader, expire_on_commit=False) as session:
            yield session

    def integrity_check(self) -> list[str]:
        """Problems found by the engine's own consistency check; empty when healthy."""
        return self.db.backend.integrity_problems(self.db)

    # -- papers ----------------------------------------------------------------------------
    def upsert_papers(self, records: Sequence[PaperRecord]) -> UpsertResult:
        """Insert new papers and merge known ones, in one transaction."""
        with self.write() as conn:
            return self._upsert(conn, records)

    def _upsert(self, conn: Connection, records: Sequence[PaperRecord]) -> UpsertResult:
        latest: dict[str, PaperRecord] = {}
        for record in records:  # within a batch, the last record of a paper wins
            latest[record.arxiv_id] = record
        existing = self._existing(conn, list(latest))
        result = UpsertResult()
        inserts: list[dict[str, Any]] = []
        updates: list[tuple[int, dict[str, Any]]] = []
        for arxiv_id, record in latest.items():
            row = existing.get(arxiv_id)
            if row is None:
                inserts.append(
                    new_paper_values(record) | {"created_at": utcnow(), "modified_at": utcnow()}
                )
                result.outcomes[arxiv_id] = Outcome.INSERTED
                continue
            result.paper_ids[arxiv_id] = row["id"]
            changes = merge_paper(row, record)
            if changes is None:
                result.outcomes[arxiv_id] = Outcome.UNCHANGED
            else:
                updates.append((row["id"], changes))
                result.outcomes[arxiv_id] = Outcome.UPDATED
        self._apply(conn, inserts, updates, result)
        changed = {pid: changes["authors"] for pid, changes in updates if "authors" in changes}
        if changed:
            conn.execute(delete(PaperAuthor).where(PaperAuthor.paper_id.in_(list(changed))))
        new = {result.paper_ids[row["arxiv_id"]]: row for row in inserts}
        self._write_authors(conn, {pid: row["authors"] for pid, row in new.items()} | changed)
        fresh = {pid: (row["published"], row["authors"]) for pid, row in new.items()}
        notify_followers(conn, self.db.backend, fresh)
        result.daily_added = self._add_daily(conn, latest.values(), result.paper_ids)
        for outcome in result.outcomes.values():
            setattr(result, outcome.value, getattr(result, outcome.value) + 1)
        return result

    def _existing(self, conn: Connection, arxiv_ids: list[str]) -> dict[str, dict[str, Any]]:
        cols = [
            PAPERS.c.id,
            PAPERS.c.arxiv_id,
            PAPERS.c.upvotes,
            *(PAPERS.c[name] for name in MERGEABLE),
        ]
        rows = conn.execute(select(*cols).where(PAPERS.c.arxiv_id.in_(arxiv_ids)))
        return {row.arxiv_id: dict(row._mapping) for row in rows}

    @staticmethod
    def _apply(
        conn: Connection,
        inserts: list[dict[str, Any]],
        updates: list[tuple[int, dict[str, Any]]],
        result: UpsertResult,
    ) -> None:
        if inserts:
            stmt = insert(PAPERS).returning(PAPERS.c.id, PAPERS.c.arxiv_id)
            for row in conn.execute(stmt, inserts):  # insertmanyvalues: one statement per batch
                result.paper_ids[row.arxiv_id] = row.id
        # Papers that changed the same columns share one executemany UPDATE.
        groups: dict[tuple[str, ...], list[dict[str, Any]]] = defaultdict(list)
        now = utcnow()
        for paper_id, changes in updates:
            changes = changes | {"modified_at": now}
            params = {f"v_{k}": v for k, v in changes.items()} | {"_id": paper_id}
            groups[tuple(sorted(changes))].append(params)
        # A paper whose text changed gets embedded again by the indexer.
        stale = [pid for pid, changes in updates if {"title", "abstract"} & set(changes)]
        if stale:
            conn.execute(delete(PaperEmbedding).where(PaperEmbedding.paper_id.in_(stale)))
            conn.execute(delete(PaperSentences).where(PaperSentences.paper_id.in_(stale)))
        for columns, params_list in groups.items():
            update_stmt = (
                update(PAPERS)
                .where(PAPERS.c.id == bindparam("_id"))
                .values({c: bindparam(f"v_{c}") for c in columns})
            )
            conn.execute(update_stmt, params_list)

    def _write_authors(self, conn: Connection, authors: dict[int, list[str]]) -> None:
        """Each paper's authors as keys (a changed list replaces the old rows)."""
        rows = [row for pid, names in authors.items() for row in authorship_rows(pid, names)]
        self.db.backend.insert_rows(conn, "paper_authors", AUTHORSHIP_COLUMNS, rows)

    def _add_daily(self, conn: Connection, records: Any, paper_ids: dict[str, int]) -> int:
        rows = [
            {
                "paper_id": paper_ids[r.arxiv_id],
                "day": r.daily_day,
                "submitted_by_id": None,
                # Entries a source brings in count as submitted when their day began.
                "submitted_at": datetime.combine(r.daily_day, time.min),
            }
            for r in records
            if r.daily_day is not None
        ]
        if not rows:
            return 0
        known = set(
            conn.scalars(
                select(DAILY.c.paper_id).where(
                    DAILY.c.paper_id.in_([row["paper_id"] for row in rows])
                )
            )
        )
        fresh = [row for row in rows if row["paper_id"] not in known]
        if fresh:
            conn.execute(self.db.backend.insert_ignoring(DAILY, ["paper_id"]), fresh)
        return len(fresh)

    def get_paper(self, arxiv_id: str) -> Paper | None:
        with self.session() as s:
            return s.scalars(select(Paper).where(Paper.arxiv_id == arxiv_id)).one_or_none()

    def get_paper_by_id(self, paper_id: int) -> Paper | None:
        with self.session() as s:
            return s.get(Paper, paper_id)

    def count_papers(self) -> int:
        with self.db.reader.connect() as conn:
            return int(conn.scalar(select(func.count()).select_from(PAPERS)) or 0)

    def iter_papers(self, batch_size: int = 1000) -> Iterator[Paper]:
        """Every paper in id order, fetched in keyset-paginated batches."""
        last_id = 0
        while True:
            with self.session() as s:
                batch = list(
                    s.scalars(
                        select(Paper).where(Paper.id > last_id).order_by(Paper.id).limit(batch_size)
                    )
                )
            if not batch:
                return
            yield from batch
            last_id = batch[-1].id

    # -- daily feed ------------------------------------------------------------------------
    def count_daily_entries(self) -> int:
        with self.db.reader.connect() as conn:
            return int(conn.scalar(select(func.count()).select_from(DAILY)) or 0)

    # -- users -----------------------------------------------------------------------------
    def get_user_by_email(self, email: str) -> User | None:
        with self.session() as s:
            return s.scalars(select(User).where(User.email == email.strip().lower())).first()

    # -- harvests --------------------------------------------------------------------------
    def harvest_state(self, key: str) -> HarvestState | None:
        with self.session() as s:
            return s.get(HarvestState, key)

    def save_harvest_page(
        self,
        key: str,
        records: Sequence[PaperRecord],
        *,
        resumption_token: str | None,
        complete_list_size: int | None,
    ) -> UpsertResult:
        """Store one harvested page and the token for the next, atomically.

        A harvest killed at any moment resumes from the last saved token and never keeps
        half a page.
        """
        with self.write() as conn:
            result = self._upsert(conn, records)
            self._advance_harvest(conn, key, len(records), resumption_token, complete_list_size)
        return result

    def _advance_harvest(
        self, conn: Connection, key: str, n_records: int, token: str | None, size: int | None
    ) -> None:
        table = HARVESTS
        now = utcnow()
        done = now if token is None else None
        conn.execute(
            self.db.backend.insert_ignoring(table, ["key"]),
            {
                "key": key,
                "pages": 0,
                "records": 0,
                "started_at": now,
                "updated_at": now,
                "resumption_token": None,
            },
        )
        conn.execute(
            update(table)
            .where(table.c.key == key)
            .values(
                resumption_token=token,
                pages=table.c.pages + 1,
                records=table.c.records + n_records,
                updated_at=now,
                completed_at=done,
                complete_list_size=size if size is not None else table.c.complete_list_size,
            )
        )

    def reset_harvest(self, key: str) -> None:
        table = HARVESTS
        with self.write() as conn:
            conn.execute(table.delete().where(table.c.key == key))
