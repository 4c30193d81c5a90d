"""Engines for the two supported databases, and schema upgrades through Alembic.

SQLite is used the way a web server needs it: WAL so readers never wait for the writer,
a busy timeout, foreign keys on, and one writer at a time. Write transactions start with
``BEGIN IMMEDIATE`` so they queue for the lock up front instead of failing half-way, and
each process keeps a single writer connection.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, make_url, text

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
SQLITE_BUSY_TIMEOUT_MS = 30_000


@dataclass(frozen=True)
class Database:
    """A pair of engines: reads go to ``reader``, every write to ``writer``."""

    url: str
    reader: Engine
    writer: Engine

    @property
    def dialect(self) -> str:
        return self.writer.dialect.name

    def dispose(self) -> None:
        self.reader.dispose()
        if self.writer is not self.reader:
            self.writer.dispose()


def _json_dumps(value: Any) -> str:
    # Real characters, not \u escapes: full-text indexes and LIKE filters read this text.
    return json.dumps(value, ensure_ascii=False)


def _sqlite_engine(url: str, *, begin: str, **kwargs: Any) -> Engine:
    engine = create_engine(
        url,
        connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
        json_serializer=_json_dumps,
        **kwargs,
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event below issue BEGIN, not the sqlite3 module.
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql(begin)

    return engine


def connect(url: str) -> Database:
    """Open the database at ``url`` (``sqlite:///…`` or ``postgresql+psycopg://…``)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        reader = _sqlite_engine(url, begin="BEGIN")
        writer = _sqlite_engine(
            url, begin="BEGIN IMMEDIATE", pool_size=1, max_overflow=0, pool_timeout=300
        )
        return Database(url, reader, writer)
    if parsed.get_backend_name() == "postgresql":
        engine = create_engine(
            url, pool_pre_ping=True, pool_size=10, max_overflow=10, json_serializer=_json_dumps
        )
        return Database(url, engine, engine)
    raise ValueError(
        f"unsupported database URL {parsed.render_as_string()!r}: "
        "use sqlite:///PATH or postgresql+psycopg://…"
    )


# Search structures the migrations manage by hand: SQLite's FTS5 tables, PostgreSQL's
# generated tsvector and the two search indexes. They are not in the models, so schema
# comparisons skip them.
HAND_MANAGED = (
    "papers_fts",
    "search_changes",
    "search_vector",
    "ix_papers_search_vector",
    "ix_paper_embeddings_hnsw",
)


def include_object(
    obj: object, name: str | None, type_: str, reflected: bool, compare_to: object
) -> bool:
    return not (name or "").startswith(HAND_MANAGED)


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return cfg


def upgrade(db: Database, revision: str = "head") -> None:
    """Bring the schema to ``revision``; safe to run concurrently from several processes."""
    with db.writer.begin() as conn:
        if db.dialect == "postgresql":
            # Serialise concurrent upgrades (several app processes starting at once).
            conn.execute(text("SELECT pg_advisory_xact_lock(727361)"))
        cfg = alembic_config()
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def current_revision(db: Database) -> str | None:
    from alembic.migration import MigrationContext

    with db.reader.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


@functools.cache
def head_revision() -> str | None:
    """The newest migration this code ships (what a ready database is at)."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()
