"""The two database engines: the only place that knows which one is in use.

``backend_for(url)`` picks the implementation once; the rest of the code calls the
capability it needs on ``db.backend`` (see :mod:`dailypapers.backend.base`).
"""

from __future__ import annotations

from sqlalchemy import make_url

from dailypapers.backend.base import Backend
from dailypapers.backend.postgres import POSTGRES
from dailypapers.backend.sqlite import SQLITE

BACKENDS: dict[str, Backend] = {SQLITE.name: SQLITE, POSTGRES.name: POSTGRES}


def backend_for(url: str) -> Backend:
    """The backend for a SQLAlchemy URL (``sqlite:///…`` or ``postgresql+psycopg://…``)."""
    parsed = make_url(url)
    try:
        return BACKENDS[parsed.get_backend_name()]
    except KeyError:
        raise ValueError(
            f"unsupported database URL {parsed.render_as_string()!r}: "
            "use sqlite:///PATH or postgresql+psycopg://…"
        ) from None


__all__ = ["Backend", "backend_for"]
