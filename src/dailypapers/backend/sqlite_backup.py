"""Online backups of the embedded database, verified, and their restore.

SQLite's backup API copies a consistent snapshot while the site keeps serving; the copy is
then opened on its own and must pass ``PRAGMA integrity_check``.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import make_url

from dailypapers.backend.base import BackupError, BackupReport


def database_path(database_url: str) -> Path:
    url = make_url(database_url)
    if not url.database or url.database == ":memory:":
        raise BackupError("the database is in memory: there is nothing to back up")
    return Path(url.database)


def verify(path: Path) -> int:
    """Integrity-check a database file; the number of papers in it."""
    if not path.is_file():
        raise BackupError(f"{path} does not exist")
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
            result = [row[0] for row in conn.execute("PRAGMA integrity_check")]
            if result != ["ok"]:
                raise BackupError(f"{path} failed the integrity check: {'; '.join(result[:5])}")
            return int(conn.execute("SELECT count(*) FROM papers").fetchone()[0])
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path} is not a dailypapers database: {exc}") from exc


def _copy(source: Path, target: Path) -> None:
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst, pages=4096)  # in steps: writers are not held up for the whole copy
    sqlite3.connect(target).close()


def backup(database_url: str, dest: Path) -> BackupReport:
    """Copy the live database to ``dest`` (a file, or a folder to put a dated file in)."""
    source = database_path(database_url)
    if dest.is_dir():
        dest = dest / f"dailypapers-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.db"
    if dest.exists():
        raise BackupError(f"{dest} already exists; choose a new name")
    partial = dest.with_name(dest.name + ".partial")
    partial.unlink(missing_ok=True)
    _copy(source, partial)
    papers = verify(partial)
    partial.rename(dest)  # only a verified copy gets the final name
    return BackupReport(dest, dest.stat().st_size, papers)


def restore(database_url: str, source: Path) -> BackupReport:
    """Replace the database with a verified backup (stop the site and workers first)."""
    papers = verify(source)
    target = database_path(database_url)
    target.parent.mkdir(parents=True, exist_ok=True)
    _copy(source, target)  # page by page into the live file: WAL and -shm stay consistent
    return BackupReport(target, target.stat().st_size, papers)
