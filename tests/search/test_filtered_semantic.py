"""Filtered semantic search on the embedded engine: the tantivy filter check agrees with SQL
(and follows changes), the ANN neighbourhood returns the nearest papers that pass, and both
exact paths (brute force over the nearest, every passing paper scored) are exact."""

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
from dailypapers.search.lexical import sql_filters
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
        category, title, abstract = TOPICS[n % 4 if n < 40 else 0]  # cs.CV: 30 of 60
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
    sql = SqlFilterCheck(service.store.db, sql_filters(query.filter))
    everything = [(p.id, 1.0) for p in service.store.iter_papers()][::-1]
    assert check.passing(everything) == sql.passing(everything)  # same papers, same order
    assert sorted(check.every_passing()) == sorted(sql.every_passing())
    assert check.passing([]) == []


@pytest.mark.parametrize("raw", ["", "cat:cs.CV", 'author:"Ada Lovelace" after:2024-01-01'])
def test_a_set_of_papers_filters_alike_in_tantivy_and_sql(service: SearchService, raw: str) -> None:
    """``within`` (a digest's period, a library) is one more part of the same Filter."""
    ids = [p.id for p in service.store.iter_papers()]
    query = parse_query(raw)
    query.within = frozenset(ids[::3])
    check = service.lexical.filter_check(query)
    assert check is not None
    sql = SqlFilterCheck(service.store.db, sql_filters(query.filter))
    assert sorted(check.every_passing()) == sorted(sql.every_passing())
    assert set(check.every_passing()) <= query.within
    query.within = frozenset()
    assert service.lexical.filter_check(query).every_passing() == []  # type: ignore[union-attr]


def _exact_answer(
    service: SearchService, vector: np.ndarray, raw: str
) -> tuple[set[int], dict[int, float]]:
    """The papers that pass and every one's exact similarity to ``vector``."""
    query = parse_query(raw)
    allowed = SqlFilterCheck(service.store.db, sql_filters(query.filter)).every_passing()
    stored = service.embeddings.vectors_of(allowed)
    return set(allowed), {pid: float(stored[pid] @ vector) for pid in allowed}


QUERY = "protein structure prediction from amino acid sequences"
FILTERED = ["cat:cs.CV", "cat:cs.CL cat:math.PR", 'author:"Ada Lovelace"', "cat:nothing.here"]


def test_filtered_semantic_search_returns_the_nearest_that_pass(service: SearchService) -> None:
    vector = service.embedder.embed([QUERY])[0]
    for raw in FILTERED:
        query = parse_query(raw)
        found = service.vectors.search(
            vector,
            limit=8,
            filters=sql_filters(query.filter),
            check=service.lexical.filter_check(query),
        )
        allowed, exact = _exact_answer(service, vector, raw)
        assert {pid for pid, _ in found} <= allowed, raw
        best = sorted(allowed, key=lambda pid: -exact[pid])[:8]
        # an ANN neighbourhood: approximate, even over 60 papers (one may be missed)
        assert len({pid for pid, _ in found} & set(best)) >= len(best) - 1, raw


@pytest.mark.parametrize("width", [25, 3])  # brute force enough (cs.CV) / every one scored
def test_exact_paths_score_every_candidate(
    service: SearchService, monkeypatch: pytest.MonkeyPatch, width: int
) -> None:
    monkeypatch.setattr(vectors_module, "EXACT_WIDTH", width)
    vector = service.embedder.embed([QUERY])[0]
    index = service.vectors
    assert isinstance(index, vectors_module.UsearchIndex)
    index.warm()  # searches catch the index up first; this test calls the exact path itself
    for raw in FILTERED:
        allowed, exact = _exact_answer(service, vector, raw)
        found = index._exact(vector, 8, sorted(allowed))
        assert {pid for pid, _ in found} <= allowed, raw
        best = sorted(exact.values(), reverse=True)[:8]
        # the index holds f16 vectors: near-equal papers may swap places, scores may not
        assert [exact[pid] for pid, _ in found] == pytest.approx(best, abs=2e-3), raw


def test_remembered_passing_papers_follow_changes(service: SearchService) -> None:
    query = parse_query("cat:cs.CV")
    check = service.lexical.filter_check(query)
    assert check is not None
    before = set(check.every_passing())
    assert len(before) == 30
    service.store.upsert_papers(
        [PaperRecord(arxiv_id="2602.00001", title="Depth estimation", categories=["cs.CV"])]
    )
    added = service.store.get_paper("2602.00001")
    assert added is not None
    assert set(check.every_passing()) == before | {added.id}  # the same check, papers changed
    again = service.lexical.filter_check(query)
    assert again is not None and set(again.every_passing()) == before | {added.id}
    other = service.lexical.filter_check(parse_query("cat:math.PR"))
    assert other is not None and added.id not in other.every_passing()  # keyed by filter
