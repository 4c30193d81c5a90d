"""The protocols a database engine implements: one small one per capability that differs.

Everything else (papers, accounts, community, outbox, …) is one SQLAlchemy Core code path
for both engines. What cannot be written once lives behind these protocols, implemented by
:mod:`dailypapers.backend.sqlite` and :mod:`dailypapers.backend.postgres`, and chosen once
from the database URL (:func:`dailypapers.backend.backend_for`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy import Connection, Engine, Insert

if TYPE_CHECKING:
    from dailypapers.db import Database
    from dailypapers.search.embeddings import EmbeddingRepo
    from dailypapers.search.lexical import LexicalIndex
    from dailypapers.search.vectors import VectorIndex


class BackupError(RuntimeError):
    """A backup or restore that cannot be done, worded for the operator."""


@dataclass(frozen=True)
class BackupReport:
    path: Path
    bytes: int
    papers: int


class Connections(Protocol):
    def engines(self, url: str) -> tuple[Engine, Engine]:
        """The (reader, writer) engines for ``url``; they may be the same engine."""
        ...


class Writes(Protocol):
    def insert_ignoring(self, table: Any, index_elements: list[str]) -> Insert:
        """INSERT … ON CONFLICT (index_elements) DO NOTHING."""
        ...

    def insert_rows(
        self, conn: Connection, table: str, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]
    ) -> None:
        """Many plain rows at once, the engine's fastest way (no defaults, no RETURNING)."""
        ...

    def lock_writers(self, conn: Connection) -> None:
        """Serialise paper writers across processes for the rest of this transaction."""
        ...

    def lock_migrations(self, conn: Connection) -> None:
        """Serialise schema upgrades started by several processes at once."""
        ...


class Checks(Protocol):
    def integrity_problems(self, db: Database) -> list[str]:
        """What the engine's own consistency check finds; empty when healthy."""
        ...


class Backups(Protocol):
    def backup(self, url: str, dest: Path) -> BackupReport:
        """A verified online copy of the database at ``url``."""
        ...

    def restore(self, url: str, source: Path) -> BackupReport:
        """Replace the database at ``url`` with a verified backup."""
        ...


class SearchIndexes(Protocol):
    def keyword_index(self, db: Database, data_dir: Path | None) -> LexicalIndex:
        """The engine's keyword (BM25) index over titles, abstracts and authors."""
        ...

    def vector_index(self, repo: EmbeddingRepo, data_dir: Path | None) -> VectorIndex:
        """The engine's nearest-neighbour index over the paper embeddings."""
        ...


class Backend(Connections, Writes, Checks, Backups, SearchIndexes, Protocol):
    """Everything that differs between SQLite and PostgreSQL."""

    name: str
