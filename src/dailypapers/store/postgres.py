"""The server store: PostgreSQL, for installations that outgrow one machine."""

from __future__ import annotations

from sqlalchemy import Connection, text

from dailypapers.store.base import PaperStore

# Key of the transaction-scoped advisory lock that serialises paper writers.
PAPER_WRITER_LOCK = 727362


class PostgresStore(PaperStore):
    """Paper writers take one advisory lock so concurrent imports never race on new ids."""

    def _lock_writers(self, conn: Connection) -> None:
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": PAPER_WRITER_LOCK})

    def integrity_check(self) -> list[str]:
        # PostgreSQL enforces constraints itself; check the invariants it cannot express.
        checks = {
            "daily entry without paper": "SELECT count(*) FROM daily_entries d "
            "LEFT JOIN papers p ON p.id = d.paper_id WHERE p.id IS NULL",
            "negative upvotes": "SELECT count(*) FROM papers WHERE upvotes < 0",
        }
        problems = []
        with self.db.reader.connect() as conn:
            for name, sql in checks.items():
                count = conn.scalar(text(sql)) or 0
                if count:
                    problems.append(f"{name}: {count}")
        return problems
