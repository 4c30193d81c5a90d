"""How crowded each paper's neighbourhood is in embedding space (hubness reduction).

Some papers sit in dense regions of the embedding space and are close to nearly everything
("hubs"): plain cosine similarity lets them into the results of many queries they do not
answer. Semantic scores therefore subtract a share of each candidate's mean similarity to
its NEIGHBOURS nearest papers (CSLS, Conneau et al. 2018; see fusion.decrowd). Measured on
the dev benchmarks, hybrid nDCG@10: CISI 0.463 -> 0.493, CSFCube 0.534 -> 0.546 (docs/search.md).

The figure is a property of the corpus, so it is measured once no paper is waiting for a
vector (a paper measured against a half-embedded corpus would look less crowded than it
is), and measured again once the corpus has grown by REFRESH_GROWTH since.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from time import monotonic

import numpy as np

from dailypapers.search.embeddings import EmbeddingRepo
from dailypapers.search.indexer import pending_count
from dailypapers.search.vectors import VectorIndex

NEIGHBOURS = 50
REFRESH_GROWTH = 1.25
BATCH = 500
CACHE_SECONDS = 600.0
PARTIAL_SECONDS = 30.0
Progress = Callable[[int, int], None]  # (measured so far, to measure at the start)


def mean_neighbour_similarity(paper_id: int, neighbours: list[tuple[int, float]]) -> float:
    """Mean similarity of the nearest NEIGHBOURS other papers (0 when there are none)."""
    others = [score for pid, score in neighbours if pid != paper_id][:NEIGHBOURS]
    return sum(others) / len(others) if others else 0.0


def measure_neighbourhoods(
    repo: EmbeddingRepo,
    vectors: VectorIndex,
    *,
    limit: int | None = None,
    progress: Progress | None = None,
    backlog_checked: bool = False,
) -> int:
    """Measure vectors never measured (or measured in a much smaller corpus); returns how
    many. Does nothing while papers still wait for a vector (``backlog_checked``: the
    caller has just found none waiting, so the count, a scan, is not repeated)."""
    if not backlog_checked and pending_count(repo.db, repo.model):
        return 0
    corpus, _ = repo.state()
    total = repo.unmeasured_count(corpus, REFRESH_GROWTH) if progress else 0
    done = 0
    while limit is None or done < limit:
        size = BATCH if limit is None else min(BATCH, limit - done)
        rows = repo.unmeasured(corpus, REFRESH_GROWTH, size)
        if not rows:
            break
        found = vectors.nearest_many(np.stack([v for _, v in rows]), NEIGHBOURS + 1)
        measured = [
            (pid, mean_neighbour_similarity(pid, near))
            for (pid, _), near in zip(rows, found, strict=True)
        ]
        repo.save_neighbourhoods(measured, corpus)
        done += len(rows)
        if progress:
            progress(done, total)
    return done


class NeighbourhoodCache:
    """Every measured figure, held in memory and read again after CACHE_SECONDS: a search
    needs them for 200 candidates, and they change only when a paper is re-embedded or the
    corpus grows by a quarter. Reading them all at once (74k: 0.14 s on SQLite, 0.9 MB in
    memory) beat looking up each search's unseen candidates (1.8-2.9 ms per search). While
    some vectors are not measured yet (a new install's first minutes), every PARTIAL_SECONDS."""

    def __init__(
        self,
        repo: EmbeddingRepo,
        seconds: float = CACHE_SECONDS,
        partial_seconds: float = PARTIAL_SECONDS,
    ) -> None:
        self.repo = repo
        self.seconds = seconds
        self.partial_seconds = min(seconds, partial_seconds)
        self._table = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32))
        self._read_at: float | None = None
        self._lifetime = seconds

    def _read(self) -> None:
        table = self.repo.neighbour_similarities()
        vectors, _ = self.repo.state()
        self._lifetime = self.seconds if len(table[0]) >= vectors else self.partial_seconds
        self._table, self._read_at = table, monotonic()

    def of(self, paper_ids: Sequence[int]) -> dict[int, float]:
        """The measured figure of each of these papers that has one."""
        if self._read_at is None or monotonic() - self._read_at > self._lifetime:
            self._read()
        known, values = self._table  # one tuple: another thread may swap it meanwhile
        if not len(known) or not paper_ids:
            return {}
        wanted = np.asarray(paper_ids, dtype=np.int64)
        at = np.minimum(np.searchsorted(known, wanted), len(known) - 1)
        found = known[at] == wanted
        pairs = zip(wanted[found], values[at[found]], strict=True)
        return {int(pid): float(value) for pid, value in pairs}
