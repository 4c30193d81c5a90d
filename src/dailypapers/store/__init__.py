"""Storage: one interface (:class:`PaperStore`), an SQLite and a PostgreSQL implementation."""

from dailypapers.store.base import (
    DailyItem,
    DuplicateUser,
    PaperStore,
    UpsertResult,
)
from dailypapers.store.factory import open_store

__all__ = ["DailyItem", "DuplicateUser", "PaperStore", "UpsertResult", "open_store"]
