"""Small SQL helpers whose spelling differs between the two engines."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Insert, Table
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert


def insert_ignoring(dialect: str, table: Table | Any, index_elements: list[str]) -> Insert:
    """INSERT … ON CONFLICT (index_elements) DO NOTHING, on either engine."""
    if dialect == "postgresql":
        return pg_insert(table).on_conflict_do_nothing(index_elements=index_elements)
    return sqlite_insert(table).on_conflict_do_nothing(index_elements=index_elements)
