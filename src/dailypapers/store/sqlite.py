"""The embedded store: SQLite in WAL mode with a single writer."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Insert, text
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from dailypapers.store.base import PaperStore


class SQLiteStore(PaperStore):
    """Writers queue on SQLite's own lock (``BEGIN IMMEDIATE`` plus a busy timeout)."""

    def _insert_ignoring_conflicts(self, table: Any, index_elements: list[str]) -> Insert:
        return sqlite_insert(table).on_conflict_do_nothing(index_elements=index_elements)

    def integrity_check(self) -> list[str]:
        with self.db.reader.connect() as conn:
            problems = [row[0] for row in conn.execute(text("PRAGMA integrity_check"))]
            problems += [str(tuple(row)) for row in conn.execute(text("PRAGMA foreign_key_check"))]
        return [p for p in problems if p != "ok"]
