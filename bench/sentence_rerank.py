"""Experiment: re-rank "similar papers" by sentence-level matching, over a grid of settings.

CSFCube judges similarity per facet (background / method / result): a paper is similar when
some of its sentences match some of the query paper's. A whole-paper vector blurs that. Here
each paper is split into sentences (title included), each sentence embedded on its own with
the bundled model, and a candidate scores the mean, over the query paper's sentences, of its
best-matching sentence (max-sim). That order is fused (RRF) with the service's hybrid order
over the top DEPTH. The hybrid lists come from the service itself, as `dailypapers eval` runs
them (before its own re-ranking: no sentence vectors are stored here). This experiment chose
the service's setting (search/sentences.py: the top 30, k = 30).

    python bench/sentence_rerank.py [../shared/data/csfcube-dev]
"""

from __future__ import annotations

import re
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from dailypapers.search.embed import OnnxEmbedder
from dailypapers.search.evaluate import load_benchmark, load_corpus, ndcg
from dailypapers.search.factory import build_search
from dailypapers.search.indexer import embed_pending
from dailypapers.search.neighbourhood import measure_neighbourhoods
from dailypapers.store import open_store

SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9])")
DEPTHS = (10, 20, 50)
RRF_KS = (10, 30, 60)


def sentences(title: str, abstract: str) -> list[str]:
    return [title, *(s for s in SENTENCE_END.split(" ".join(abstract.split())) if s.strip())]


def max_sim(query: np.ndarray, candidate: np.ndarray) -> float:
    return float((query @ candidate.T).max(axis=1).mean())


def rerank(hybrid: list[str], scores: dict[str, float], depth: int, k: int | None) -> list[str]:
    head = hybrid[:depth]
    by_sentences = sorted(head, key=lambda d: -scores[d])
    if k is None:
        return by_sentences + hybrid[depth:]
    fused = {d: 1 / (k + i) for i, d in enumerate(head)}
    for i, d in enumerate(by_sentences):
        fused[d] += 1 / (k + i)
    return sorted(head, key=lambda d: -fused[d]) + hybrid[depth:]


def main(folder: Path) -> None:
    bench = load_benchmark(folder)
    embedder = OnnxEmbedder()
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(f"sqlite:///{tmp}/eval.db")
        store.upgrade()
        service = build_search(store, data_dir=None, embedder=embedder)
        to_doc = load_corpus(store, bench)
        to_paper = {doc: pid for pid, doc in to_doc.items()}
        embed_pending(store.db, embedder)
        measure_neighbourhoods(service.embeddings, service.vectors)
        hybrid: dict[str, list[str]] = {}
        for query in bench.queries:
            paper = store.get_paper_by_id(to_paper[query["query_paper_id"]])
            assert paper is not None
            ranked = service.similar_ranked(paper, mode="hybrid", limit=100)
            hybrid[query["_id"]] = [to_doc[pid] for pid, _ in ranked if pid in to_doc]
        store.close()
    docs = {str(d["_id"]): d for d in bench.corpus}
    needed = {q["query_paper_id"] for q in bench.queries}
    needed |= {d for ranking in hybrid.values() for d in ranking[: max(DEPTHS)]}
    started = time.perf_counter()
    split = {d: sentences(str(docs[d].get("title") or ""), docs[d]["text"]) for d in needed}
    flat = [(d, s) for d in sorted(split) for s in split[d]]
    vectors = embedder.embed([s for _, s in flat])
    by_paper: dict[str, list[np.ndarray]] = {}
    for (d, _), vector in zip(flat, vectors, strict=True):
        by_paper.setdefault(d, []).append(vector)
    sentence_vectors = {d: np.stack(v) for d, v in by_paper.items()}
    elapsed = time.perf_counter() - started
    print(
        f"{len(flat)} sentences of {len(split)} papers embedded in {elapsed:.1f} s "
        f"({len(flat) / elapsed:.0f}/s, {len(flat) / len(split):.1f} per paper)"
    )
    queries = [q for q in bench.queries if q["_id"] in bench.qrels]
    base = np.mean([ndcg(hybrid[q["_id"]], bench.qrels[q["_id"]], 10) for q in queries])
    print(f"hybrid (the service): nDCG@10 {base:.3f}")
    for depth in DEPTHS:
        for k in (None, *RRF_KS):
            results = []
            for q in queries:
                ranking = hybrid[q["_id"]]
                own = sentence_vectors[q["query_paper_id"]]
                scores = {d: max_sim(own, sentence_vectors[d]) for d in ranking[:depth]}
                new = rerank(ranking, scores, depth, k)
                relevant = bench.qrels[q["_id"]]
                results.append((ndcg(new, relevant, 10), ndcg(ranking, relevant, 10)))
            better = sum(a > b + 1e-9 for a, b in results)
            worse = sum(a < b - 1e-9 for a, b in results)
            how = "max-sim alone" if k is None else f"RRF k={k}"
            print(
                f"top {depth:3}, {how:<13}: nDCG@10 {np.mean([a for a, _ in results]):.3f}"
                f"  queries better {better}, worse {worse}"
            )


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("../shared/data/csfcube-dev"))
