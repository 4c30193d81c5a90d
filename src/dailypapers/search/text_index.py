"""The embedded engine's keyword index: tantivy, mirrored from the papers table.

The index lives under the data directory (or in memory when there is none) and follows the
``search_changes`` log that SQLite triggers fill (migration 0007): it records the last log
number it reflects, applies newer entries (delete, then re-add what still exists), and is
rebuilt from the papers when the log it needs was pruned, the schema changed, the log is
behind the index (a restored backup), or its document count disagrees with the table. A
search checks the log's head first (one lookup), so it sees every committed change.

Several processes share one on-disk index: whoever gets tantivy's writer lock applies the
log (the others reload and see the result); the log is pruned up to what was applied.
"""

from __future__ import annotations

import json
import logging
import shutil
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tantivy
from sqlalchemy import Connection, select
from sqlalchemy.exc import SQLAlchemyError

from dailypapers.db import Database
from dailypapers.models import Paper

log = logging.getLogger(__name__)
SCHEMA_VERSION = 1
SYNC_INTERVAL_SECONDS = 0.0  # the check is one lookup: every search sees every commit
FIRST_BUILD_WAIT_SECONDS = 300.0
WRITER_HEAP = 64_000_000
CHUNK = 2000
TITLE_REPEAT = 2
Progress = Callable[[int, int], None]


def _analyzer(*, stem: bool) -> tantivy.TextAnalyzer:
    builder = (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.remove_long(64))
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.ascii_fold())
    )
    if stem:
        builder = builder.filter(tantivy.Filter.stemmer("english"))
    return builder.build()


STEMMED = _analyzer(stem=True)  # title and abstract
PLAIN = _analyzer(stem=False)  # author names
KEYWORD = (  # categories: one token each, "cs.cv"
    tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.raw()).filter(tantivy.Filter.lowercase()).build()
)


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_unsigned_field("id", indexed=True, fast=True)
    builder.add_text_field("text", tokenizer_name="dp_stemmed")  # title twice, then abstract
    builder.add_text_field("authors", tokenizer_name="dp_plain")
    builder.add_text_field("categories", tokenizer_name="dp_keyword")
    builder.add_integer_field("published", indexed=True, fast=True)  # proleptic day number
    return builder.build()


SCHEMA = _schema()


def _document(row: Any) -> tantivy.Document:
    doc = tantivy.Document()
    doc.add_unsigned("id", int(row.id))
    # One field, BM25F-style: a title term counts TITLE_REPEAT times, and every term
    # saturates once per paper (separate title and abstract fields would score a term twice).
    title = row.title or ""
    doc.add_text("text", "\n".join([title] * TITLE_REPEAT + [row.abstract or ""]))
    for author in row.authors or []:
        doc.add_text("authors", str(author))
    for category in row.categories or []:
        doc.add_text("categories", str(category))
    if row.published is not None:
        doc.add_integer("published", row.published.toordinal())
    return doc


@dataclass
class _Log:
    head: int  # the newest log number (survives pruning)
    oldest: int | None  # the oldest entry still in the log


class TextIndex:
    """A tantivy index that mirrors the papers table (see the module docstring)."""

    def __init__(
        self, db: Database, directory: Path | None, *, sync_interval: float = SYNC_INTERVAL_SECONDS
    ) -> None:
        self.db = db
        self.directory = directory
        self.sync_interval = sync_interval
        self._lock = threading.Lock()
        self._checked = -sync_interval
        self._seen = -1  # the log number the loaded searcher reflects
        self._memory_state: dict[str, int] | None = None
        self._index = self._open()

    # -- files ------------------------------------------------------------------------------
    def _open(self) -> tantivy.Index:
        path = None
        if self.directory is not None:
            files = self.directory / "tantivy"  # only ever removes what it made
            # An older layout: start over. No state at all is not one: another process
            # may be building the first index here (it writes the state last).
            if self._state().get("schema", SCHEMA_VERSION) != SCHEMA_VERSION:
                shutil.rmtree(files, ignore_errors=True)
            files.mkdir(parents=True, exist_ok=True)
            path = str(files)
        index = tantivy.Index(SCHEMA, path=path, reuse=True)
        index.register_tokenizer("dp_stemmed", STEMMED)
        index.register_tokenizer("dp_plain", PLAIN)
        index.register_tokenizer("dp_keyword", KEYWORD)
        return index

    def _state_path(self) -> Path | None:
        return self.directory / "state.json" if self.directory is not None else None

    def _state(self) -> dict[str, int]:
        path = self._state_path()
        if path is None:
            return dict(self._memory_state or {})
        try:
            return dict(json.loads(path.read_text()))
        except (OSError, ValueError):
            return {}

    def _write_state(self, applied: int) -> None:
        state = {"schema": SCHEMA_VERSION, "applied": applied}
        path = self._state_path()
        if path is None:
            self._memory_state = state
            return
        partial = path.with_suffix(".partial")
        partial.write_text(json.dumps(state))
        partial.replace(path)  # readers never see half a file

    # -- reading ----------------------------------------------------------------------------
    @property
    def generation(self) -> int:
        """The change-log number the loaded index reflects (moves whenever papers change)."""
        return self._seen

    def searcher(self) -> tantivy.Searcher:
        self.sync()
        return self._index.searcher()

    def sync(self, *, force: bool = False) -> None:
        """Apply the change log if it moved (checked at most once per ``sync_interval``:
        by default on every search)."""
        with self._lock:
            if not force and time.monotonic() - self._checked < self.sync_interval:
                return
            with self.db.reader.connect() as conn:
                head = self._head(conn)
            if self._seen < head or self._seen < 0:
                first = "applied" not in self._state()
                deadline = time.monotonic() + (FIRST_BUILD_WAIT_SECONDS if first else 0)
                try:
                    while not self._apply() and time.monotonic() < deadline:
                        time.sleep(0.2)  # another process holds the writer: let it finish
                except (OSError, RuntimeError, ValueError, SQLAlchemyError):
                    # Disk full, a locked database...: answer from the last commit, retry
                    # on the next search.
                    log.exception("keyword index: could not apply the change log")
                self._index.reload()
                self._seen = self._state().get("applied", -1)
            self._checked = time.monotonic()

    @staticmethod
    def _head(conn: Connection) -> int:
        """The newest log number (kept by SQLite even after the log is pruned)."""
        head = conn.exec_driver_sql(
            "SELECT seq FROM sqlite_sequence WHERE name = 'search_changes'"
        ).scalar()
        return int(head or 0)

    @classmethod
    def _log(cls, conn: Connection) -> _Log:
        oldest = conn.exec_driver_sql("SELECT min(seq) FROM search_changes").scalar()
        return _Log(cls._head(conn), None if oldest is None else int(oldest))

    # -- writing ----------------------------------------------------------------------------
    def _apply(self, *, rebuild: bool = False, progress: Progress | None = None) -> bool:
        """Bring the index up to the log's head; False when another writer holds the lock."""
        try:
            writer = self._index.writer(heap_size=WRITER_HEAP, num_threads=1)
        except ValueError as error:
            if "LockBusy" in str(error):
                return False
            raise
        try:
            with self.db.reader.connect() as conn:  # one snapshot: log and papers agree
                changes = self._log(conn)
                head, applied = changes.head, self._state().get("applied", -1)
                pruned = changes.oldest is None or changes.oldest > applied + 1
                if rebuild or applied < 0 or applied > head or (applied < head and pruned):
                    self._rebuild(conn, writer, progress)
                elif applied < head:
                    self._catch_up(conn, writer, applied, head)
                writer.commit()
                self._write_state(head)
                self._index.reload()
                if self._index.searcher().num_docs != self._count(conn):
                    log.warning("keyword index: count differs from the papers; rebuilding")
                    self._rebuild(conn, writer, progress)
                    writer.commit()
            writer.wait_merging_threads()
        finally:
            del writer
        if self.directory is not None:  # an in-memory index is private: leave the log be
            self._prune(head)
        return True

    def rebuild(self, progress: Progress | None = None) -> int:
        """Rebuild from the papers table (waits for another writer); returns the count."""
        with self._lock:
            while not self._apply(rebuild=True, progress=progress):
                time.sleep(0.2)
            self._index.reload()
            self._seen = self._state().get("applied", -1)
            return int(self._index.searcher().num_docs)

    @staticmethod
    def _count(conn: Connection) -> int:
        return int(conn.exec_driver_sql("SELECT count(*) FROM papers").scalar() or 0)

    def _rebuild(self, conn: Connection, writer: Any, progress: Progress | None) -> None:
        writer.delete_all_documents()
        total = self._count(conn)
        done = 0
        for rows in self._papers(conn, None):
            for row in rows:
                writer.add_document(_document(row))
            done += len(rows)
            if progress:
                progress(done, total)

    def _catch_up(self, conn: Connection, writer: Any, applied: int, head: int) -> None:
        changed = [
            int(pid)
            for (pid,) in conn.exec_driver_sql(
                "SELECT DISTINCT paper_id FROM search_changes WHERE seq > ? AND seq <= ?",
                (applied, head),
            )
        ]
        for pid in changed:
            writer.delete_documents_by_term("id", pid)
        for start in range(0, len(changed), CHUNK):
            for rows in self._papers(conn, changed[start : start + CHUNK]):
                for row in rows:
                    writer.add_document(_document(row))

    @staticmethod
    def _papers(conn: Connection, ids: list[int] | None) -> Iterable[Sequence[Any]]:
        columns = (
            Paper.id,
            Paper.title,
            Paper.abstract,
            Paper.authors,
            Paper.categories,
            Paper.published,
        )
        stmt = select(*columns).order_by(Paper.id)
        if ids is not None:
            stmt = stmt.where(Paper.id.in_(ids))
        result = conn.execution_options(yield_per=CHUNK).execute(stmt)
        yield from result.partitions(CHUNK)

    def _prune(self, applied: int) -> None:
        """Drop applied log entries (an index that missed them rebuilds: see _apply)."""
        try:
            with self.db.writer.begin() as conn:
                conn.exec_driver_sql("DELETE FROM search_changes WHERE seq <= ?", (applied,))
        except SQLAlchemyError:  # busy: the entries go with the next prune
            log.warning("keyword index: could not prune the change log", exc_info=True)
