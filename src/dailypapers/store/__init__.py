"""Storage: one interface (:class:`PaperStore`), an SQLite and a PostgreSQL implementation."""

from dailypapers.store.base import PaperStore, UpsertResult
from dailypapers.store.factory import open_store
from dailypapers.store.feeds import FeedItem, FeedQuery, FeedRepo

__all__ = [
    "FeedItem",
    "FeedQuery",
    "FeedRepo",
    "PaperStore",
    "UpsertResult",
    "open_store",
]
