"""Embedding new papers inside `serve`, on one core, without holding up requests.

A daemon thread embeds small batches of papers that have no vector yet, then measures the
new vectors' neighbourhoods (neighbourhood.py), then embeds their sentences (sentences.py),
and sleeps when there is nothing to do.
Searches keep working meanwhile: papers without a vector are still found by their keywords.
Large backlogs are better left to `dailypapers index` (or the worker).
"""

from __future__ import annotations

import logging
import threading

from dailypapers.db import Database
from dailypapers.search.embed import OnnxEmbedder
from dailypapers.search.embeddings import EmbeddingRepo
from dailypapers.search.indexer import embed_pending
from dailypapers.search.neighbourhood import measure_neighbourhoods
from dailypapers.search.sentences import embed_sentences_pending
from dailypapers.search.vectors import VectorIndex

log = logging.getLogger(__name__)


class BackgroundIndexer:
    def __init__(
        self,
        db: Database,
        vectors: VectorIndex,
        *,
        max_tokens: int,
        batch: int = 32,
        idle_seconds: float = 5.0,
    ) -> None:
        self.db = db
        self.vectors = vectors
        self.embedder = OnnxEmbedder(max_tokens=max_tokens, threads=1)
        self.repo = EmbeddingRepo(db, self.embedder.name)
        self.batch = batch
        self.idle_seconds = idle_seconds
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="embedder", daemon=True)

    def start(self) -> BackgroundIndexer:
        self._thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                done = embed_pending(
                    self.db, self.embedder, batch_size=self.batch, limit=self.batch
                )
                if done == 0:  # caught up: the neighbourhoods, a few hundred at a time
                    done = measure_neighbourhoods(
                        self.repo, self.vectors, limit=500, backlog_checked=True
                    )
                if done == 0:  # then the sentences, for similar papers
                    done = embed_sentences_pending(self.db, self.embedder, limit=self.batch)
            except Exception:  # keep serving; try again after a pause
                log.exception("background embedding failed")
                done = 0
            if done == 0:
                self._stop.wait(self.idle_seconds)
