"""Embedding new papers inside `serve`, on one core, without holding up requests.

A daemon thread embeds small batches of papers that have no vector yet, and sleeps when
there are none. Searches keep working meanwhile: papers without a vector are still found by
their keywords. Large backlogs are better left to `dailypapers index` (or the worker).
"""

from __future__ import annotations

import logging
import threading

from dailypapers.db import Database
from dailypapers.search.embed import OnnxEmbedder
from dailypapers.search.indexer import embed_pending

log = logging.getLogger(__name__)


class BackgroundIndexer:
    def __init__(
        self, db: Database, *, max_tokens: int, batch: int = 32, idle_seconds: float = 5.0
    ) -> None:
        self.db = db
        self.embedder = OnnxEmbedder(max_tokens=max_tokens, threads=1, batch_size=batch)
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
            except Exception:  # keep serving; try again after a pause
                log.exception("background embedding failed")
                done = 0
            if done == 0:
                self._stop.wait(self.idle_seconds)
