"""The server engine: PostgreSQL, with its own full-text search and pgvector.

For installations that outgrow one machine: any number of app and worker processes share
one database; advisory locks serialise the few writers that must not race.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, Insert, create_engine, text
from sqlalchemy.dialects.postgresql import insert

from dailypapers.backend.base import BackupError, BackupReport
from dailypapers.backend.sqlite import json_dumps

if TYPE_CHECKING:
    from dailypapers.db import Database
    from dailypapers.search.embeddings import EmbeddingRepo
    from dailypapers.search.lexical import LexicalIndex
    from dailypapers.search.vectors import VectorIndex

# Keys of the transaction-scoped advisory locks.
MIGRATION_LOCK = 727361
PAPER_WRITER_LOCK = 727362
NO_BACKUP = (
    "`dailypapers backup` copies the embedded SQLite database; for PostgreSQL use "
    "pg_dump -Fc (and pg_restore) as described in docs/operations.md"
)
# Invariants PostgreSQL cannot express as constraints.
CHECKS = {
    "daily entry without paper": "SELECT count(*) FROM daily_entries d "
    "LEFT JOIN papers p ON p.id = d.paper_id WHERE p.id IS NULL",
    "negative upvotes": "SELECT count(*) FROM papers WHERE upvotes < 0",
}


class PostgresBackend:
    name = "postgresql"

    def engines(self, url: str) -> tuple[Engine, Engine]:
        engine = create_engine(
            url, pool_pre_ping=True, pool_size=10, max_overflow=10, json_serializer=json_dumps
        )
        return engine, engine

    def insert_ignoring(self, table: Any, index_elements: list[str]) -> Insert:
        return insert(table).on_conflict_do_nothing(index_elements=index_elements)

    def insert_rows(
        self, conn: Connection, table: str, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]
    ) -> None:
        """COPY, in the connection's transaction: several times faster than INSERTs."""
        if not rows:
            return
        cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)

    def lock_writers(self, conn: Connection) -> None:
        """One advisory lock, so concurrent imports never race on new ids."""
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": PAPER_WRITER_LOCK})

    def lock_migrations(self, conn: Connection) -> None:
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})

    def integrity_problems(self, db: Database) -> list[str]:
        problems = []
        with db.reader.connect() as conn:
            for name, sql in CHECKS.items():
                count = conn.scalar(text(sql)) or 0
                if count:
                    problems.append(f"{name}: {count}")
        return problems

    def backup(self, url: str, dest: Path) -> BackupReport:
        raise BackupError(NO_BACKUP)

    def restore(self, url: str, source: Path) -> BackupReport:
        raise BackupError(NO_BACKUP)

    # The search modules are imported here, not at the top: they need this package.
    def keyword_index(self, db: Database, data_dir: Path | None) -> LexicalIndex:
        from dailypapers.search.lexical import PostgresLexical

        return PostgresLexical(db)

    def vector_index(self, repo: EmbeddingRepo, data_dir: Path | None) -> VectorIndex:
        from dailypapers.search.vectors import PgVectorIndex

        return PgVectorIndex(repo)


POSTGRES = PostgresBackend()
