"""Alembic environment: migrations run on a connection handed in by dailypapers.db."""

from __future__ import annotations

from alembic import context

from dailypapers.db import include_object
from dailypapers.models import Base

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
    include_object=include_object,
)
context.run_migrations()
