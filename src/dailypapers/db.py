"""The database handle (a reader and a writer engine on one backend) and schema upgrades.

Which engine is in use is decided once, in :func:`connect`; what differs between them is
in :mod:`dailypapers.backend`.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

from dailypapers.backend import Backend, backend_for

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


@dataclass(frozen=True)
class Database:
    """A pair of engines: reads go to ``reader``, every write to ``writer``."""

    url: str
    reader: Engine
    writer: Engine
    backend: Backend

    def dispose(self) -> None:
        self.reader.dispose()
        if self.writer is not self.reader:
            self.writer.dispose()


def connect(url: str) -> Database:
    """Open the database at ``url`` (``sqlite:///…`` or ``postgresql+psycopg://…``)."""
    backend = backend_for(url)
    reader, writer = backend.engines(url)
    return Database(url, reader, writer, backend)


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
        db.backend.lock_migrations(conn)
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
