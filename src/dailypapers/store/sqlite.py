"""The embedded store: SQLite in WAL mode with a single writer."""

from __future__ import annotations

from sqlalchemy import text

from dailypapers.store.base import PaperStore


class SQLiteStore(PaperStore):
    """Writers queue on SQLite's own lock (``BEGIN IMMEDIATE`` plus a busy timeout)."""

    def integrity_check(self) -> list[str]:
        with self.db.reader.connect() as conn:
            problems = [row[0] for row in conn.execute(text("PRAGMA integrity_check"))]
            problems += [str(tuple(row)) for row in conn.execute(text("PRAGMA foreign_key_check"))]
        return [p for p in problems if p != "ok"]
