"""Embedding storage and nearest-neighbour search.

Vectors live in the database (paper_embeddings), the source of truth on both engines.
PostgreSQL searches them with pgvector's HNSW index. On SQLite, an in-memory usearch HNSW
index mirrors the table: it is saved under the data directory with the watermark it reflects,
catches up with rows changed since (so new papers become searchable without a rebuild), and
is rebuilt from the table whenever the counts disagree, so it never silently drifts.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import Protocol

import numpy as np
from sqlalchemy import (
    ColumnElement,
    Float,
    and_,
    bindparam,
    select,
    text,
)
from usearch.index import Index

from dailypapers.models import Paper, PaperEmbedding
from dailypapers.search.embed import DIMENSIONS, Vectors
from dailypapers.search.embeddings import EmbeddingRepo
from dailypapers.search.filtering import FilterCheck, SqlFilterCheck
from dailypapers.search.fusion import Ranked

SYNC_INTERVAL_SECONDS = 1.0
FIRST_PROBE = 300  # neighbours checked against the filters first
FILTER_PROBE = 1000  # then this many
ENOUGH_AFTER_FILTER = 30  # fewer pass: score every matching paper exactly
EXACT_WIDTH = 5000  # brute-force neighbourhood tried first when many papers pass
PG_CONNECTIONS = 2  # nearest_many on PostgreSQL: queries in flight at once


class VectorIndex(Protocol):
    def search(
        self,
        vector: Vectors,
        *,
        limit: int,
        filters: Sequence[ColumnElement[bool]] = (),
        check: FilterCheck | None = None,
    ) -> Ranked:
        """Most similar papers first, as (paper_id, cosine similarity). ``check``: a faster
        way to apply ``filters`` than SQL, where the index can use one."""

    def nearest_many(self, vectors: Vectors, limit: int) -> list[Ranked]:
        """For each row of ``vectors``, its nearest papers (no filters)."""

    def warm(self) -> None:
        """Load or build what the first search would otherwise wait for."""


class PgVectorIndex:
    """pgvector HNSW (cosine), with iterative scans so filtered queries still fill up."""

    def __init__(self, repo: EmbeddingRepo) -> None:
        self.repo = repo

    def warm(self) -> None:
        """Nothing to load: the index is PostgreSQL's."""

    def search(
        self,
        vector: Vectors,
        *,
        limit: int,
        filters: Sequence[ColumnElement[bool]] = (),
        check: FilterCheck | None = None,
    ) -> Ranked:
        if filters:  # the plain neighbourhood first: a filtered HNSW scan is far slower
            probe = max(limit * 3, FIRST_PROBE)
            found = self._nearest(vector, probe, ())
            ranked = (check or SqlFilterCheck(self.repo.db, filters)).passing(found)
            if len(ranked) >= min(limit, ENOUGH_AFTER_FILTER) or len(found) < probe:
                return ranked[:limit]
        return self._nearest(vector, limit, filters)

    def nearest_many(self, vectors: Vectors, limit: int) -> list[Ranked]:
        # One query per vector (a LATERAL batch measured slower); two in flight keep the
        # server busy while this side waits: 182 -> ~350 vectors/s on 74k, 2 cores.
        with ThreadPoolExecutor(PG_CONNECTIONS) as pool:
            return list(pool.map(lambda vector: self._nearest(vector, limit, ()), vectors))

    def _nearest(
        self, vector: Vectors, limit: int, filters: Sequence[ColumnElement[bool]]
    ) -> Ranked:
        from pgvector.sqlalchemy import Vector

        probe = bindparam("probe", vector.astype(np.float32).tolist(), type_=Vector(DIMENSIONS))
        distance = PaperEmbedding.vector.op("<=>", return_type=Float)(probe)
        stmt = (
            select(PaperEmbedding.paper_id, distance)
            .where(PaperEmbedding.model == self.repo.model)
            .order_by(distance)
            .limit(limit)
        )
        if filters:
            stmt = stmt.join(Paper, Paper.id == PaperEmbedding.paper_id).where(and_(*filters))
        with self.repo.db.reader.begin() as conn:
            ef_search = min(1000, max(100, int(limit)))  # at least the neighbours wanted
            conn.execute(text(f"SET LOCAL hnsw.ef_search = {ef_search}"))
            conn.execute(text("SET LOCAL hnsw.iterative_scan = relaxed_order"))
            found = [(int(pid), 1.0 - float(d)) for pid, d in conn.execute(stmt)]
        return sorted(found, key=lambda item: -item[1])  # relaxed order: nearly sorted


def _similarities(keys: np.ndarray, distances: np.ndarray) -> Ranked:
    """usearch's (keys, cosine distances) as (paper_id, cosine similarity)."""
    return [(int(k), 1.0 - float(d)) for k, d in zip(keys, distances, strict=True)]


class UsearchIndex:
    """The SQLite engine's ANN index: usearch HNSW in memory, mirrored from the table."""

    def __init__(
        self,
        repo: EmbeddingRepo,
        directory: Path | None = None,
        *,
        sync_interval: float = SYNC_INTERVAL_SECONDS,
    ) -> None:
        self.repo = repo
        self.sync_interval = sync_interval
        self.directory = directory
        self._index = self._new_index()
        self._watermark: datetime | None = None
        self._checked = 0.0
        self._lock = threading.Lock()
        self._loaded = False

    @staticmethod
    def _new_index() -> Index:
        return Index(
            ndim=DIMENSIONS,
            metric="cos",
            dtype="f16",
            connectivity=16,
            expansion_add=128,
            expansion_search=96,
        )

    def _paths(self) -> tuple[Path, Path] | None:
        if self.directory is None:
            return None
        safe = self.repo.model.replace("@", "-").replace("/", "-")
        return self.directory / f"{safe}.usearch", self.directory / f"{safe}.json"

    def _load_saved(self) -> None:
        paths = self._paths()
        if paths and paths[0].exists() and paths[1].exists():
            meta = json.loads(paths[1].read_text())
            self._index.load(str(paths[0]))
            self._watermark = (
                datetime.fromisoformat(meta["watermark"]) if meta["watermark"] else None
            )

    def _save(self) -> None:
        paths = self._paths()
        if paths is None:
            return
        paths[0].parent.mkdir(parents=True, exist_ok=True)
        # Other processes may load these files at any moment: never show them half a file.
        partial = [path.with_name(path.name + f".{os.getpid()}.partial") for path in paths]
        self._index.save(str(partial[0]))
        watermark = self._watermark.isoformat() if self._watermark else None
        partial[1].write_text(json.dumps({"watermark": watermark, "count": len(self._index)}))
        for path, done in zip(partial, paths, strict=True):
            path.replace(done)

    def warm(self) -> None:
        self.sync(force=True, remember=False)  # the first search still looks for changes

    def sync(self, *, force: bool = False, remember: bool = True) -> None:
        """Catch up with the table; rebuild from it when the counts disagree."""
        with self._lock:
            if not force and time.monotonic() - self._checked < self.sync_interval:
                return
            if not self._loaded:
                self._load_saved()
                self._loaded = True
            count, latest = self.repo.state()
            changed = latest is not None and (self._watermark is None or latest > self._watermark)
            if changed:
                self._add(self.repo.rows_since(self._watermark))
            if len(self._index) != count:
                self._index = self._new_index()
                self._watermark = None
                self._add(self.repo.rows_since(None))
                changed = True
            if changed:
                self._save()
            if remember:
                self._checked = time.monotonic()

    def _add(self, rows: list[tuple[int, Vectors, datetime]]) -> None:
        if not rows:
            return
        keys = np.array([pid for pid, _, _ in rows], dtype=np.uint64)
        present = [k for k in keys if self._index.contains(int(k))]
        if present:
            self._index.remove(np.array(present, dtype=np.uint64))
        self._index.add(keys, np.stack([vec for _, vec, _ in rows]))
        newest = max(updated for _, _, updated in rows)
        self._watermark = max(self._watermark, newest) if self._watermark else newest

    def search(
        self,
        vector: Vectors,
        *,
        limit: int,
        filters: Sequence[ColumnElement[bool]] = (),
        check: FilterCheck | None = None,
    ) -> Ranked:
        self.sync()
        size = len(self._index)
        if size == 0:
            return []
        if not filters and check is None:
            found = self._index.search(vector, min(limit, size))
            return _similarities(found.keys, found.distances)
        return self._filtered(vector, limit, check or SqlFilterCheck(self.repo.db, filters))

    def nearest_many(self, vectors: Vectors, limit: int) -> list[Ranked]:
        self.sync()
        size = len(self._index)
        if size == 0 or len(vectors) == 0:
            return [[] for _ in vectors]
        found = self._index.search(np.asarray(vectors, dtype=np.float32), min(limit, size))
        keys, distances = np.atleast_2d(found.keys), np.atleast_2d(found.distances)
        counts = getattr(found, "counts", [keys.shape[1]])  # one row answers a plain Matches
        return [_similarities(keys[i, :n], distances[i, :n]) for i, n in enumerate(counts)]

    def _filtered(self, vector: Vectors, limit: int, check: FilterCheck) -> Ranked:
        """Filters come before truncation: a small ANN neighbourhood, a wider one when too
        few of it pass (each costs a probe and a check), then every match exactly."""
        size = len(self._index)
        for probe in (max(limit * 3, FIRST_PROBE), max(limit * 10, FILTER_PROBE)):
            found = self._index.search(vector, min(size, probe))
            neighbours = _similarities(found.keys, found.distances)
            ranked = check.passing(neighbours)
            if len(ranked) >= min(limit, ENOUGH_AFTER_FILTER) or len(neighbours) == size:
                return ranked[:limit]
        return self._exact(vector, limit, check.every_passing())  # few pass near the query

    def _exact(self, vector: Vectors, limit: int, ids: list[int]) -> Ranked:
        """The nearest ``limit`` of these papers, exactly. Many of them: the EXACT_WIDTH
        nearest of all papers by brute force (19 ms on 74k) are enough if ``limit`` of them
        are among ``ids`` (every paper beyond is farther); few: their vectors scored."""
        passing = np.array(ids, dtype=np.uint64)
        if len(passing) > EXACT_WIDTH:
            found = self._index.search(vector, min(EXACT_WIDTH, len(self._index)), exact=True)
            keep = np.isin(found.keys, passing)
            if int(keep.sum()) >= limit:
                return _similarities(found.keys[keep][:limit], found.distances[keep][:limit])
        if len(passing):
            passing = passing[np.asarray(self._index.contains(passing), dtype=bool)]
        if len(passing) == 0:
            return []
        matrix = np.asarray(self._index.get(passing), dtype=np.float32)
        scores = matrix @ vector.astype(np.float32)
        top = np.argsort(-scores)[:limit]
        return [(int(passing[i]), float(scores[i])) for i in top]
