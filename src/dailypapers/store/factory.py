"""Open the store on a database URL; the backend it runs on is chosen in dailypapers.db."""

from __future__ import annotations

from dailypapers.db import Database, connect
from dailypapers.store.base import PaperStore


def open_store(url_or_db: str | Database) -> PaperStore:
    """Open a store on a database URL (or an already-connected :class:`Database`)."""
    return PaperStore(connect(url_or_db) if isinstance(url_or_db, str) else url_or_db)
