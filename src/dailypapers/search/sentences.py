"""Sentence matching for "similar papers": the head of the list re-ranked by sentences.

Two papers are often alike in one respect (the problem, the method, a finding) rather than
as a whole, and one whole-paper vector blurs that. Here a paper is split into sentences
(title first), each embedded alone, and a candidate scores the mean over the query paper's
sentences of its best-matching sentence (max-sim). That order is fused with the hybrid order
over the head of the list. On CSFCube (faceted query by example) nDCG@10 0.542 -> ~0.58,
19 of 24 queries better (bench/sentence_rerank.py, docs/search.md). The vectors are filled by a
background pass after the paper vectors, so a new paper is searchable first; a paper without
them keeps its place.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import numpy as np
from numpy.typing import NDArray
from sqlalchemy import delete, func, select

from dailypapers.db import Database
from dailypapers.models import Paper, PaperSentences, utcnow
from dailypapers.search.embed import DIMENSIONS, Embedder
from dailypapers.search.fusion import Ranked
from dailypapers.search.indexer import PaperText, Progress, papers_without, walk_pending

SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9])")
MAX_SENTENCES = 24  # an abstract has ~8; a pasted paper body is cut here
HEAD = 30  # similar papers re-ranked (20 and 50 measured within 0.005 of each other)
FUSION_K = 30.0

Matrix = NDArray[np.float32]


def split_sentences(title: str, abstract: str) -> list[str]:
    """The title, then the abstract's sentences (a full stop then a capital or digit)."""
    parts = SENTENCE_END.split(" ".join(abstract.split()))
    return [s for s in [" ".join(title.split()), *parts] if s][:MAX_SENTENCES]


def pack(vectors: Matrix) -> bytes:
    """Unit rows as int8 (each row scaled to its largest component: cosines move < 0.01)."""
    scale = np.abs(vectors).max(axis=1, keepdims=True)
    return bytes(np.round(vectors / np.maximum(scale, 1e-12) * 127).astype(np.int8).tobytes())


def unpack(blob: bytes) -> Matrix:
    rows = np.frombuffer(blob, dtype=np.int8).reshape(-1, DIMENSIONS).astype(np.float32)
    unit: Matrix = rows / np.maximum(np.linalg.norm(rows, axis=1, keepdims=True), 1e-12)
    return unit


def max_sim(query: Matrix, candidate: Matrix) -> float:
    """Mean over the query's sentences of the best match among the candidate's."""
    return float((query @ candidate.T).max(axis=1).mean())


def sentence_rerank(
    ranked: Ranked,
    query: Matrix,
    candidates: Mapping[int, Matrix],
    *,
    head: int = HEAD,
    k: float = FUSION_K,
) -> Ranked:
    """Fuse (RRF) the head's order with its order by max-sim. In the max-sim order a
    candidate without sentence vectors keeps its own slot, the others fill the rest."""
    top = [pid for pid, _ in ranked[:head]]
    matched = iter(
        sorted((p for p in top if p in candidates), key=lambda p: -max_sim(query, candidates[p]))
    )
    by_sentences = [p if p not in candidates else next(matched) for p in top]
    fused = {pid: 1.0 / (k + rank) for rank, pid in enumerate(top)}
    for rank, pid in enumerate(by_sentences):
        fused[pid] += 1.0 / (k + rank)
    return sorted(((p, fused[p]) for p in top), key=lambda item: -item[1]) + ranked[head:]


class SentenceRepo:
    """Reads and writes paper_sentences for one model."""

    def __init__(self, db: Database, model: str) -> None:
        self.db = db
        self.model = model

    def of(self, paper_ids: Sequence[int]) -> dict[int, Matrix]:
        if not paper_ids:
            return {}
        stmt = select(PaperSentences.paper_id, PaperSentences.vectors).where(
            PaperSentences.paper_id.in_(list(paper_ids)), PaperSentences.model == self.model
        )
        with self.db.reader.connect() as conn:
            return {int(pid): unpack(blob) for pid, blob in conn.execute(stmt)}

    def save(self, rows: Sequence[tuple[int, Matrix]]) -> None:
        if not rows:
            return
        now = utcnow()
        ids = [pid for pid, _ in rows]
        with self.db.writer.begin() as conn:
            conn.execute(delete(PaperSentences).where(PaperSentences.paper_id.in_(ids)))
            conn.execute(
                self.db.backend.insert_ignoring(PaperSentences.__table__, ["paper_id"]),
                [
                    {"paper_id": p, "model": self.model, "vectors": pack(v), "updated_at": now}
                    for p, v in rows
                ],
            )

    def pending_count(self) -> int:
        with self.db.reader.connect() as conn:
            papers = int(conn.scalar(select(func.count()).select_from(Paper)) or 0)
            done = select(func.count()).where(PaperSentences.model == self.model)
            return papers - int(conn.scalar(done) or 0)

    def pending(self, after_id: int, size: int) -> list[PaperText]:
        done = select(PaperSentences.paper_id).where(PaperSentences.model == self.model)
        return papers_without(self.db, done, after_id, size)

    def drop(self) -> None:
        with self.db.writer.begin() as conn:
            conn.execute(delete(PaperSentences).where(PaperSentences.model == self.model))


def embed_sentences_pending(
    db: Database,
    embedder: Embedder,
    *,
    batch_size: int = 64,
    limit: int | None = None,
    progress: Progress | None = None,
) -> int:
    """Embed the sentences of every paper that has none for this model; returns how many
    papers. Callers run it after embed_pending and the neighbourhoods (searchable first)."""
    repo = SentenceRepo(db, embedder.name)
    total = repo.pending_count()  # two counts: an idle tick skips the anti-join
    if total == 0:
        return 0

    def embed(batch: list[PaperText]) -> None:
        split = [split_sentences(title, abstract) or ["(untitled)"] for _, title, abstract in batch]
        vectors = embedder.embed([s for sentences in split for s in sentences])
        per_paper = np.split(vectors, np.cumsum([len(s) for s in split])[:-1])
        repo.save([(pid, rows) for (pid, _, _), rows in zip(batch, per_paper, strict=True)])

    return walk_pending(
        repo.pending, embed, total=total, batch_size=batch_size, limit=limit, progress=progress
    )
