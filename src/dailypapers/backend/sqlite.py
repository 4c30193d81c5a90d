"""The embedded engine: SQLite in WAL mode with one writer, tantivy and usearch beside it.

SQLite is used the way a web server needs it: WAL so readers never wait for the writer,
a busy timeout, foreign keys on, and one writer at a time. Write transactions start with
``BEGIN IMMEDIATE`` so they queue for the lock up front instead of failing half-way, and
each process keeps a single writer connection. Keyword and vector indexes are files under
the data directory (in memory without one), mirrored from the tables.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, Insert, create_engine, event, make_url, text
from sqlalchemy.dialects.sqlite import insert

from dailypapers.backend import sqlite_backup
from dailypapers.backend.base import BackupReport

if TYPE_CHECKING:
    from dailypapers.db import Database
    from dailypapers.search.embeddings import EmbeddingRepo
    from dailypapers.search.lexical import LexicalIndex
    from dailypapers.search.vectors import VectorIndex

BUSY_TIMEOUT_MS = 30_000


def json_dumps(value: Any) -> str:
    # Real characters, not \u escapes: full-text indexes and LIKE filters read this text.
    return json.dumps(value, ensure_ascii=False)


def _engine(url: str, *, begin: str, **kwargs: Any) -> Engine:
    engine = create_engine(
        url,
        connect_args={"timeout": BUSY_TIMEOUT_MS / 1000},
        json_serializer=json_dumps,
        **kwargs,
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event below issue BEGIN, not the sqlite3 module.
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql(begin)

    return engine


class SQLiteBackend:
    name = "sqlite"

    def engines(self, url: str) -> tuple[Engine, Engine]:
        database = make_url(url).database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        reader = _engine(url, begin="BEGIN")
        writer = _engine(
            url, begin="BEGIN IMMEDIATE", pool_size=1, max_overflow=0, pool_timeout=300
        )
        return reader, writer

    def insert_ignoring(self, table: Any, index_elements: list[str]) -> Insert:
        return insert(table).on_conflict_do_nothing(index_elements=index_elements)

    def insert_rows(
        self, conn: Connection, table: str, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]
    ) -> None:
        """One executemany on the driver (a third of the cost of SQLAlchemy's, row for row)."""
        if rows:
            marks = ", ".join("?" * len(columns))
            names = ", ".join(columns)  # from the schema, never from input; values are bound
            sql = f"INSERT INTO {table} ({names}) VALUES ({marks})"  # noqa: S608
            conn.exec_driver_sql(sql, list(rows))

    def lock_writers(self, conn: Connection) -> None:
        """Nothing to do: BEGIN IMMEDIATE already holds the database's one write lock."""

    def lock_migrations(self, conn: Connection) -> None:
        """Nothing to do: the upgrade's transaction holds the write lock."""

    def integrity_problems(self, db: Database) -> list[str]:
        with db.reader.connect() as conn:
            problems = [row[0] for row in conn.execute(text("PRAGMA integrity_check"))]
            problems += [str(tuple(row)) for row in conn.execute(text("PRAGMA foreign_key_check"))]
        return [p for p in problems if p != "ok"]

    def backup(self, url: str, dest: Path) -> BackupReport:
        return sqlite_backup.backup(url, dest)

    def restore(self, url: str, source: Path) -> BackupReport:
        return sqlite_backup.restore(url, source)

    # The search modules are imported here, not at the top: they need this package.
    def keyword_index(self, db: Database, data_dir: Path | None) -> LexicalIndex:
        from dailypapers.search.tantivy_lexical import TantivyLexical
        from dailypapers.search.text_index import TextIndex

        return TantivyLexical(TextIndex(db, data_dir / "keywords" if data_dir else None))

    def vector_index(self, repo: EmbeddingRepo, data_dir: Path | None) -> VectorIndex:
        from dailypapers.search.vectors import UsearchIndex

        return UsearchIndex(repo, data_dir / "vectors" if data_dir else None)


SQLITE = SQLiteBackend()
