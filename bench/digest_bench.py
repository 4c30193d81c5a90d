"""Compose and send 10,000 personalised digests over the 74k corpus to a local SMTP server.

    python bench/digest_bench.py [--workdir /tmp/dp-digest-bench] [--subscribers 10000]
                                 [--senders 1] [--engine sqlite|postgresql]

The corpus is the 74k arXiv papers plus the bundled demo feed (upvoted Daily Papers of Feb
2026); the digest is the weekly one for 2026-W08. Only the papers of that week need
embeddings, so a fresh workdir is ready in about a minute. Subscribers get a realistic mix
of interests: 60% a topic query (words of a random paper title), 30% categories, 15%
followed authors, the rest trending only. The SMTP server (aiosmtpd) runs in its own process
and only counts messages. Goal (issue 6, 2 cores): 10,000 digests in <= 60 s.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import random
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select, text

import dailypapers.search  # noqa: F401 - onnxruntime before anything that loads usearch
from dailypapers.cli.import_cmd import demo_path
from dailypapers.digest.content import load_period
from dailypapers.digest.factory import choose_period, send_digests
from dailypapers.ingest.importer import import_file
from dailypapers.models import Subscription, utcnow
from dailypapers.search.embed import OnnxEmbedder, paper_text
from dailypapers.search.embeddings import EmbeddingRepo
from dailypapers.search.indexer import text_hash
from dailypapers.settings import Settings
from dailypapers.store import PaperStore, open_store

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "data" / "arxiv-74k" / "papers.jsonl.gz"
WEEK = date(2026, 2, 18)
STOP = {"a", "an", "the", "of", "for", "and", "in", "on", "with", "to", "via", "from", "by"}


def smtp_counter(port: int, counter: Any) -> None:
    from aiosmtpd.controller import Controller

    class Count:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            with counter.get_lock():
                counter.value += 1
            return "250 OK"

    controller = Controller(Count(), hostname="127.0.0.1", port=port)
    controller.start()
    asyncio.run(asyncio.sleep(10**6))


def prepare(store: PaperStore, embedder: OnnxEmbedder, settings: Settings) -> None:
    start = time.perf_counter()
    if store.count_papers() < 70_000:
        import_file(store, CORPUS)
    if store.count_daily_entries() == 0:
        import_file(store, demo_path())
    print(f"corpus and demo feed ready in {time.perf_counter() - start:.0f} s")
    period = choose_period(settings, "weekly", WEEK)
    papers = load_period(store.db, period, base_url="x", trending=10).candidates
    repo = EmbeddingRepo(store.db, embedder.name)
    missing = [p for p in papers if p.id not in repo.vectors_of([p.id for p in papers])]
    if missing:
        start = time.perf_counter()
        texts = [paper_text(p.title, p.abstract) for p in missing]
        vectors = embedder.embed(texts)
        repo.save(
            [(p.id, text_hash(t), v) for p, t, v in zip(missing, texts, vectors, strict=True)]
        )
        print(f"embedded the week's {len(missing):,} papers in {time.perf_counter() - start:.0f} s")


def add_subscribers(store: PaperStore, count: int, settings: Settings, seed: int = 1) -> None:
    with store.db.writer.begin() as conn:
        conn.execute(text("DELETE FROM digest_sent_papers"))
        conn.execute(text("DELETE FROM digest_outbox"))
        conn.execute(text("DELETE FROM subscriptions"))
    period = choose_period(settings, "weekly", WEEK)
    papers = load_period(store.db, period, base_url="x", trending=10).candidates
    rng = random.Random(seed)
    categories = sorted({c for p in papers for c in p.categories})
    now = utcnow()
    rows = []
    for n in range(count):
        paper = rng.choice(papers)
        words = [w for w in paper.title.split() if w.lower() not in STOP and w.isalpha()]
        query = " ".join(rng.sample(words, min(len(words), rng.randint(2, 3))))
        rows.append(
            {
                "email": f"reader{n:05d}@bench.example.org",
                "frequency": "weekly",
                "query": query if rng.random() < 0.6 else "",
                "categories": rng.sample(categories, 2) if rng.random() < 0.3 else [],
                "authors": [rng.choice(rng.choice(papers).authors or ["Nobody"])]
                if rng.random() < 0.15
                else [],
                "like_upvoted": False,
                "confirmed_at": now,
                "created_at": now,
                "updated_at": now,
            }
        )
    with store.db.writer.begin() as conn:
        conn.execute(insert(Subscription), rows)


def sender(url: str, env: dict[str, str]) -> None:
    os.environ.update(env)
    store = open_store(url)
    settings = Settings()
    send_digests(store, settings, choose_period(settings, "weekly", WEEK))
    store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/dp-digest-bench"))
    parser.add_argument("--subscribers", type=int, default=10_000)
    parser.add_argument("--senders", type=int, default=1)
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    url = f"sqlite:///{args.workdir / 'dailypapers.db'}"
    counter = multiprocessing.Value("i", 0)
    port = 20000 + os.getpid() % 20000
    server = multiprocessing.Process(target=smtp_counter, args=(port, counter), daemon=True)
    server.start()
    env = {
        "DAILYPAPERS_DATA_DIR": str(args.workdir),
        "DAILYPAPERS_DATABASE_URL": url,
        "DAILYPAPERS_SMTP_URL": f"smtp://127.0.0.1:{port}",
        "DAILYPAPERS_BASE_URL": "https://papers.example.org",
        "DAILYPAPERS_MAIL_FROM": "Daily Papers <digest@papers.example.org>",
        "DAILYPAPERS_DIGEST_RATE_PER_SECOND": "0",
    }
    os.environ.update(env)
    settings = Settings()
    store = open_store(url)
    store.upgrade()
    prepare(store, OnnxEmbedder(), settings)
    add_subscribers(store, args.subscribers, settings)
    with store.db.reader.connect() as conn:
        papers = conn.scalar(select(text("count(*)")).select_from(text("papers")))
    time.sleep(0.5)
    print(f"{papers:,} papers, {args.subscribers:,} subscribers, {args.senders} sender process(es)")
    start = time.perf_counter()
    workers = [multiprocessing.Process(target=sender, args=(url, env)) for _ in range(args.senders)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    elapsed = time.perf_counter() - start
    with store.db.reader.connect() as conn:
        statuses = dict(
            conn.execute(text("SELECT status, count(*) FROM digest_outbox GROUP BY status")).all()
        )
        personal = conn.scalar(text("SELECT count(*) FROM digest_sent_papers"))
    received = counter.value
    print(f"outbox: {statuses}; messages received by the SMTP server: {received:,}")
    print(
        f"paper slots recorded as sent: {personal:,} ({personal / max(received, 1):.1f} per digest)"
    )
    print(
        f"total {elapsed:.1f} s (process start, model load, planning, composing, sending): "
        f"{received / elapsed:,.0f} digests/s; goal <= 60 s for 10,000 -> "
        f"{'met' if elapsed * 10_000 / max(received, 1) <= 60 else 'MISSED'}"
    )
    server.terminate()
    store.close()
    sys.exit(0 if received == args.subscribers else 1)


if __name__ == "__main__":
    main()
