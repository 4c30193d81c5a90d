"""The indexing pipeline, in one place: embed → neighbourhoods → sentences.

`serve`'s background thread, `dailypapers index` and the worker's embed job all call
:func:`index_pending`. The order matters: a paper is semantically searchable once it has
a vector, its neighbourhood calibrates its scores, and its sentences serve similar papers.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from dailypapers.db import Database
from dailypapers.search.embed import Embedder
from dailypapers.search.embeddings import EmbeddingRepo
from dailypapers.search.indexer import embed_pending
from dailypapers.search.neighbourhood import measure_neighbourhoods
from dailypapers.search.sentences import embed_sentences_pending
from dailypapers.search.vectors import VectorIndex

STEPS = ("embedding", "neighbourhoods", "sentences")
NEIGHBOURHOOD_SLICE = 500  # cheap (a few ms each): a slice measures more of them
StepProgress = Callable[[str, int, int | None], None]  # (step, done, total if known)


@dataclass
class IndexReport:
    embedded: int = 0
    measured: int = 0
    split: int = 0  # papers whose sentences were embedded
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def work(self) -> int:
        return self.embedded + self.measured + self.split

    def rate(self, step: str, count: int) -> str:
        seconds = self.seconds.get(step, 0.0)
        return f" ({count / seconds:.0f}/s)" if count and seconds else ""


def index_pending(
    db: Database,
    embedder: Embedder,
    vectors: VectorIndex,
    *,
    slice_size: int | None = None,
    progress: StepProgress | None = None,
) -> IndexReport:
    """Run every step over what waits for it; returns what was done.

    With ``slice_size``, do one bounded slice instead: at most that many papers of the
    first step that has work, then return (the background thread's unit of work, so new
    papers become searchable before older ones get their sentences).
    """
    report = IndexReport()
    repo = EmbeddingRepo(db, embedder.name)

    def step(name: str, run: Callable[[Callable[[int, int], None] | None], int]) -> int:
        started = time.perf_counter()
        count = run((lambda n, t: progress(name, n, t)) if progress else None)
        report.seconds[name] = time.perf_counter() - started
        return count

    report.embedded = step(
        "embedding",
        lambda p: embed_pending(
            db, embedder, limit=slice_size, batch_size=slice_size or 256, progress=p
        ),
    )
    if slice_size and report.embedded:
        return report
    report.measured = step(
        "neighbourhoods",
        lambda p: measure_neighbourhoods(
            repo,
            vectors,
            limit=slice_size and max(slice_size, NEIGHBOURHOOD_SLICE),
            progress=p,
            backlog_checked=slice_size is not None,
        ),
    )
    if slice_size and report.measured:
        return report
    report.split = step(
        "sentences",
        lambda p: embed_sentences_pending(db, embedder, limit=slice_size, progress=p),
    )
    return report
