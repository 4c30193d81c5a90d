"""Embedding new papers inside `serve`, on one core, without holding up requests.

A daemon thread runs the indexing pipeline (pipeline.py) one small slice at a time: new
papers' vectors first, then their neighbourhoods, then their sentences; it sleeps when
there is nothing to do.
Searches keep working meanwhile: papers without a vector are still found by their keywords.
Large backlogs are better left to `dailypapers index` (or the worker).
"""

from __future__ import annotations

import logging
import threading

from dailypapers.db import Database
from dailypapers.search.embed import OnnxEmbedder
from dailypapers.search.pipeline import index_pending
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
                done = index_pending(
                    self.db, self.embedder, self.vectors, slice_size=self.batch
                ).work
            except Exception:  # keep serving; try again after a pause
                log.exception("background embedding failed")
                done = 0
            if done == 0:
                self._stop.wait(self.idle_seconds)
