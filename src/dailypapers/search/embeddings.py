"""The embeddings table: vectors per paper and model, and their neighbourhood figures.

The table is the source of truth on both engines; the ANN indexes (vectors.py) mirror it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sqlalchemy import ColumnElement, Connection, and_, bindparam, delete, func, select, update

from dailypapers.db import Database
from dailypapers.models import PaperEmbedding, utcnow
from dailypapers.search.embed import Vectors


class EmbeddingRepo:
    """Reads and writes paper_embeddings for one model."""

    def __init__(self, db: Database, model: str) -> None:
        self.db = db
        self.model = model

    def save(self, rows: Sequence[tuple[int, str, Vectors]]) -> None:
        """(paper_id, text_hash, vector) rows, replacing older ones."""
        if not rows:
            return
        now = utcnow()
        ids = [pid for pid, _, _ in rows]
        with self.db.writer.begin() as conn:
            conn.execute(delete(PaperEmbedding).where(PaperEmbedding.paper_id.in_(ids)))
            conn.execute(
                self.db.backend.insert_ignoring(PaperEmbedding.__table__, ["paper_id"]),
                [
                    {
                        "paper_id": pid,
                        "model": self.model,
                        "text_hash": h,
                        "vector": vec,
                        "updated_at": now,
                    }
                    for pid, h, vec in rows
                ],
            )

    def vector_of(self, paper_id: int) -> Vectors | None:
        with self.db.reader.connect() as conn:
            value = conn.scalar(
                select(PaperEmbedding.vector).where(
                    PaperEmbedding.paper_id == paper_id, PaperEmbedding.model == self.model
                )
            )
        return None if value is None else np.asarray(value, dtype=np.float32)

    def vectors_of(self, paper_ids: Sequence[int], chunk: int = 5000) -> dict[int, Vectors]:
        """The stored vectors of these papers (those without one are left out)."""
        found: dict[int, Vectors] = {}
        with self.db.reader.connect() as conn:
            for start in range(0, len(paper_ids), chunk):
                ids = paper_ids[start : start + chunk]
                for pid, vector in self._by_ids(conn, PaperEmbedding.vector, ids):
                    found[pid] = np.asarray(vector, dtype=np.float32)
        return found

    def _by_ids(self, conn: Connection, column: Any, ids: Sequence[int]) -> list[tuple[int, Any]]:
        """(paper_id, column) of these papers under this model. The model is checked here,
        not in SQL: with it, SQLite walks the (model, updated_at) index over every paper
        instead of looking the ids up (2.4 s instead of 0.1 s for 200 searches' lookups)."""
        stmt = select(PaperEmbedding.paper_id, PaperEmbedding.model, column).where(
            PaperEmbedding.paper_id.in_(ids)
        )
        rows = conn.execute(stmt)
        return [(int(pid), value) for pid, model, value in rows if model == self.model]

    def _unmeasured(self, corpus: int, growth: float) -> list[ColumnElement[bool]]:
        """Never measured; measured among fewer than corpus / growth vectors (both columns
        are written together). Two conditions, asked one after the other: joined by OR,
        SQLite walked the (model, updated_at) index over every row (74k: 185 ms instead of
        well under 1 ms for each half on the (model, neighbour_corpus) index)."""
        model = PaperEmbedding.model == self.model
        return [
            and_(model, PaperEmbedding.neighbour_corpus.is_(None)),
            and_(model, PaperEmbedding.neighbour_corpus < corpus / growth),
        ]

    def unmeasured_count(self, corpus: int, growth: float) -> int:
        with self.db.reader.connect() as conn:
            return sum(
                int(conn.scalar(select(func.count()).where(condition)) or 0)
                for condition in self._unmeasured(corpus, growth)
            )

    def unmeasured(self, corpus: int, growth: float, batch: int) -> list[tuple[int, Vectors]]:
        """Up to ``batch`` vectors whose neighbourhood needs measuring (in no particular
        order: sorting every unmeasured row would cost more than the batch)."""
        found: list[tuple[int, Vectors]] = []
        with self.db.reader.connect() as conn:
            for condition in self._unmeasured(corpus, growth):
                if len(found) >= batch:
                    break
                stmt = (
                    select(PaperEmbedding.paper_id, PaperEmbedding.vector)
                    .where(condition)
                    .limit(batch - len(found))
                )
                found += [(int(p), np.asarray(v, dtype=np.float32)) for p, v in conn.execute(stmt)]
        return found

    def save_neighbourhoods(self, rows: Sequence[tuple[int, float]], corpus: int) -> None:
        """Measured (paper_id, neighbour similarity) pairs; updated_at stays as it is (the
        vector did not change, so the ANN mirror has nothing to catch up)."""
        if not rows:
            return
        stmt = (
            update(PaperEmbedding)
            .where(PaperEmbedding.paper_id == bindparam("pid"), PaperEmbedding.model == self.model)
            .values(neighbour_similarity=bindparam("sim"), neighbour_corpus=corpus)
        )
        with self.db.writer.begin() as conn:
            conn.execute(stmt, [{"pid": pid, "sim": sim} for pid, sim in rows])

    def neighbour_similarities(self) -> tuple[NDArray[np.int64], NDArray[np.float32]]:
        """Every measured figure: (paper ids ascending, their neighbour similarities)."""
        stmt = select(PaperEmbedding.paper_id, PaperEmbedding.neighbour_similarity).where(
            PaperEmbedding.model == self.model, PaperEmbedding.neighbour_similarity.is_not(None)
        )
        with self.db.reader.connect() as conn:
            rows = conn.execute(stmt).all()
        ids = np.fromiter((pid for pid, _ in rows), dtype=np.int64, count=len(rows))
        values = np.fromiter((sim for _, sim in rows), dtype=np.float32, count=len(rows))
        order = np.argsort(ids)
        return ids[order], values[order]

    def neighbour_similarity(self, paper_ids: Sequence[int]) -> dict[int, float]:
        """The measured neighbour similarity of these papers (unmeasured ones left out)."""
        if not paper_ids:
            return {}
        with self.db.reader.connect() as conn:
            found = self._by_ids(conn, PaperEmbedding.neighbour_similarity, paper_ids)
        return {pid: float(sim) for pid, sim in found if sim is not None}

    def state(self) -> tuple[int, datetime | None]:
        with self.db.reader.connect() as conn:
            count, latest = conn.execute(
                select(func.count(), func.max(PaperEmbedding.updated_at)).where(
                    PaperEmbedding.model == self.model
                )
            ).one()
        return int(count), latest

    def rows_since(
        self, since: datetime | None, batch: int = 5000
    ) -> list[tuple[int, Vectors, datetime]]:
        stmt = select(
            PaperEmbedding.paper_id, PaperEmbedding.vector, PaperEmbedding.updated_at
        ).where(PaperEmbedding.model == self.model)
        if since is not None:
            stmt = stmt.where(PaperEmbedding.updated_at >= since)
        with self.db.reader.connect() as conn:
            return [(int(p), np.asarray(v, dtype=np.float32), u) for p, v, u in conn.execute(stmt)]
