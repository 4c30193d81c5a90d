"""Retrieval quality on BEIR-layout folders (corpus.jsonl, queries.jsonl, qrels.tsv).

The corpus goes into a fresh database through the normal import path, every query runs
through :class:`SearchService` (the code behind the API), and queries that carry a
``query_paper_id`` (CSFCube: query by example) run through "similar papers" instead.
"""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from dailypapers.records import PaperRecord
from dailypapers.search.pipeline import index_pending
from dailypapers.search.query import parse_query
from dailypapers.search.service import Mode, SearchService
from dailypapers.store import PaperStore

MODES: tuple[Mode, ...] = ("lexical", "dense", "hybrid")


@dataclass
class Benchmark:
    corpus: list[dict[str, str]]
    queries: list[dict[str, str]]
    qrels: dict[str, dict[str, int]]


def load_benchmark(folder: Path) -> Benchmark:
    def jsonl(name: str) -> list[dict[str, str]]:
        with (folder / name).open(encoding="utf-8") as fh:
            return [json.loads(line) for line in fh if line.strip()]

    qrels: dict[str, dict[str, int]] = {}
    with (folder / "qrels.tsv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            qrels.setdefault(row["query-id"], {})[row["corpus-id"]] = int(row["score"])
    queries = [q for q in jsonl("queries.jsonl") if q["_id"] in qrels]
    return Benchmark(jsonl("corpus.jsonl"), queries, qrels)


def synthetic_id(n: int) -> str:
    """A valid arXiv id for the n-th corpus document (BEIR ids are not arXiv ids)."""
    return f"{1501 + n // 99999}.{n % 99999 + 1:05d}"


def load_corpus(store: PaperStore, bench: Benchmark) -> dict[int, str]:
    """Import the corpus; returns paper id → BEIR document id."""
    records = []
    for n, doc in enumerate(bench.corpus):
        authors = doc.get("authors")
        records.append(
            PaperRecord(
                arxiv_id=synthetic_id(n),
                title=str(doc.get("title") or "(untitled)"),
                abstract=str(doc.get("text") or ""),
                authors=[str(a) for a in authors] if isinstance(authors, list) else None,
            )
        )
    for start in range(0, len(records), 2000):
        store.upsert_papers(records[start : start + 2000])
    mapping: dict[int, str] = {}
    for n, doc in enumerate(bench.corpus):
        paper = store.get_paper(synthetic_id(n))
        assert paper is not None
        mapping[paper.id] = str(doc["_id"])
    return mapping


def ndcg(ranking: list[str], relevant: dict[str, int], k: int) -> float:
    dcg = sum(relevant.get(doc, 0) / math.log2(i + 2) for i, doc in enumerate(ranking[:k]))
    ideal = sorted(relevant.values(), reverse=True)[:k]
    idcg = sum(g / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


def recall(ranking: list[str], relevant: dict[str, int], k: int) -> float:
    wanted = {doc for doc, grade in relevant.items() if grade > 0}
    return len(wanted & set(ranking[:k])) / len(wanted) if wanted else 0.0


def evaluate(
    store: PaperStore,
    search: SearchService,
    bench: Benchmark,
    progress: Callable[[str], None] | None = None,
) -> dict[str, dict[str, float]]:
    """Import, embed (papers, then their sentences), then score every mode (nDCG@10,
    nDCG@20, Recall@100)."""
    to_doc = load_corpus(store, bench)
    index_pending(store.db, search.embedder, search.vectors)
    table: dict[str, dict[str, float]] = {}
    for mode in MODES:
        table[mode] = score(store, search, bench, to_doc, mode)
        if progress:
            progress(mode)
    return table


def score(
    store: PaperStore, search: SearchService, bench: Benchmark, to_doc: dict[int, str], mode: Mode
) -> dict[str, float]:
    """Mean nDCG@10, nDCG@20 and Recall@100 of one mode over the judged queries."""
    to_paper = {doc: pid for pid, doc in to_doc.items()}
    totals = {"nDCG@10": 0.0, "nDCG@20": 0.0, "R@100": 0.0}
    for query in bench.queries:
        ranked = _run(store, search, query, mode, to_paper)
        ranking = [to_doc[pid] for pid, _ in ranked if pid in to_doc]
        relevant = bench.qrels[query["_id"]]
        totals["nDCG@10"] += ndcg(ranking, relevant, 10)
        totals["nDCG@20"] += ndcg(ranking, relevant, 20)
        totals["R@100"] += recall(ranking, relevant, 100)
    return {name: value / len(bench.queries) for name, value in totals.items()}


def _run(
    store: PaperStore,
    search: SearchService,
    query: dict[str, str],
    mode: Mode,
    to_paper: dict[str, int],
) -> list[tuple[int, float]]:
    example = query.get("query_paper_id")
    if example and example in to_paper:
        paper = store.get_paper_by_id(to_paper[example])
        assert paper is not None
        return search.similar_ranked(paper, mode=mode, limit=100)
    text = " ".join(str(query.get(k) or "") for k in ("title", "text")).strip()
    return search.rank(parse_query(text), mode=mode, limit=100)
