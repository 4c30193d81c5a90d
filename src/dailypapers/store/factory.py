"""Pick the store implementation that matches the database URL."""

from __future__ import annotations

from dailypapers.db import Database, connect
from dailypapers.store.base import PaperStore
from dailypapers.store.postgres import PostgresStore
from dailypapers.store.sqlite import SQLiteStore


def open_store(url_or_db: str | Database) -> PaperStore:
    """Open a store on a database URL (or an already-connected :class:`Database`)."""
    db = connect(url_or_db) if isinstance(url_or_db, str) else url_or_db
    if db.dialect == "sqlite":
        return SQLiteStore(db)
    if db.dialect == "postgresql":
        return PostgresStore(db)
    raise ValueError(f"no store for database dialect {db.dialect!r}")
