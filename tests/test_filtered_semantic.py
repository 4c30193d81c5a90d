"""Filtered semantic search on the embedded engine: the tantivy filter check agrees with SQL,
and every path of the filtered ANN search (neighbourhood, wider neighbourhood, brute force,
every passing paper scored) returns the exact nearest papers that pass."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import numpy as np
import pytest

from dailypapers.records import PaperRecord
from dailypapers.search import vectors as vectors_module
from dailypapers.search.embed import OnnxEmbedder
from dailypapers.search.factory import build_search
from dailypapers.search.filtering import SqlFilterCheck, TantivyFilterCheck
from dailypapers.search.indexer import embed_pending
from dailypapers.search.query import parse_query
from dailypapers.search.service import SearchService
from dailypapers.store import open_store

TOPICS = [
    ("cs.CV", "Image segmentation", "convolutional networks label every pixel of a photo"),
    ("cs.CL", "Machine translation", "sequence models translate sentences between languages"),
    ("math.PR", "Random walks", "we bound hitting times of random walks on graphs"),
    ("q-bio.BM", "Protein folding", "we predict the 3D structure of proteins from sequences"),
]
FILTERS = [
    "cat:cs.CV",
    "cat:q-bio.BM",
    "cat:cs.CL cat:math.PR",
    'author:"Ada Lovelace"',
    "after:2026-03-01",
    "before:2026-02-01 cat:cs.CV",
    'author:"Alan Turing" after:2026-02-15',
    "cat:nothing.here",
]


def _papers() -> list[PaperRecord]:
    papers = []
    for n in range(60):
        category, title, abstract = TOPICS[n % 4 if n < 40 else 0]  # cs.CV: 25 of 60
        papers.append(
            PaperRecord(
                arxiv_id=f"2601.{n + 1:05d}",
                title=f"{title}, part {n}",
                abstract=f"{abstract}; variant {n} studies case {n % 7}.",
                authors=["Ada Lovelace" if n % 3 == 0 else "Alan Turing"],
                categories=[category],
                published=datetime(2026, 1 + n % 4, 1 + n % 28),
            )
        )
    return papers


@pytest.fixture
def service(tmp_path: Path, embedder: OnnxEmbedder) -> Iterator[SearchService]:
    store = open_store(f"sqlite:///{tmp_path / 'filters.db'}")
    store.upgrade()
    store.upsert_papers(_papers())
    embed_pending(store.db, embedder)
    yield build_search(store, data_dir=tmp_path, embedder=embedder)
    store.close()


@pytest.mark.parametrize("raw", FILTERS)
def test_tantivy_check_passes_exactly_what_sql_passes(service: SearchService, raw: str) -> None:
    query = parse_query(raw)
    check = service.lexical.filter_check(query)
    assert isinstance(check, TantivyFilterCheck)
    sql = SqlFilterCheck(service.store.db, service.lexical.filters(query))
    everything = [(p.id, 1.0) for p in service.store.iter_papers()][::-1]
    assert check.passing(everything) == sql.passing(everything)  # same papers, same order
    assert sorted(check.every_passing()) == sorted(sql.every_passing())
    assert check.passing([]) == []


def _exact_answer(
    service: SearchService, vector: np.ndarray, raw: str, limit: int
) -> tuple[set[int], dict[int, float]]:
    """The papers that pass and every one's exact similarity to ``vector``."""
    query = parse_query(raw)
    allowed = SqlFilterCheck(service.store.db, service.lexical.filters(query)).every_passing()
    stored = service.embeddings.vectors_of(allowed)
    return set(allowed), {pid: float(stored[pid] @ vector) for pid in allowed}


@pytest.mark.parametrize(
    ("first", "wider", "width"),
    [
        (300, 1000, 5000),  # the defaults: the neighbourhood covers this small corpus
        (2, 4, 30),  # too few pass near: brute force over the 30 nearest
        (2, 4, 3),  # brute force too narrow: every passing paper scored
    ],
)
def test_filtered_semantic_search_returns_the_exact_nearest_that_pass(
    service: SearchService, monkeypatch: pytest.MonkeyPatch, first: int, wider: int, width: int
) -> None:
    monkeypatch.setattr(vectors_module, "FIRST_PROBE", first)
    monkeypatch.setattr(vectors_module, "FILTER_PROBE", wider)
    monkeypatch.setattr(vectors_module, "ENOUGH_AFTER_FILTER", 8)
    monkeypatch.setattr(vectors_module, "EXACT_WIDTH", width)
    vector = service.embedder.embed(["protein structure prediction from amino acid sequences"])[0]
    for raw in ["cat:cs.CV", "cat:cs.CL cat:math.PR", 'author:"Ada Lovelace"', "cat:nothing.here"]:
        query = parse_query(raw)
        found = service.vectors.search(
            vector,
            limit=8,
            filters=service.lexical.filters(query),
            check=service.lexical.filter_check(query),
        )
        allowed, exact = _exact_answer(service, vector, raw, 8)
        assert {pid for pid, _ in found} <= allowed, raw
        best = sorted(exact.values(), reverse=True)[:8]
        # the index holds f16 vectors: near-equal papers may swap places, scores may not
        got = [exact[pid] for pid, _ in found]
        assert got == pytest.approx(best, abs=2e-3), raw
