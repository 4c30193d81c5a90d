"""Hubness reduction: neighbourhoods are measured once the corpus is embedded, measured
again when it grows, and a crowded neighbourhood costs a paper rank in semantic search."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import text

from dailypapers.search.embed import OnnxEmbedder
from dailypapers.search.factory import build_search
from dailypapers.search.fusion import decrowd
from dailypapers.search.indexer import embed_pending
from dailypapers.search.neighbourhood import (
    NEIGHBOURS,
    NeighbourhoodCache,
    mean_neighbour_similarity,
    measure_neighbourhoods,
)
from dailypapers.search.service import SearchService
from dailypapers.store import PaperStore
from factories import PAPERS, ids, sample_papers


def test_decrowd_lowers_crowded_papers_and_leaves_unmeasured_ones_neutral() -> None:
    ranked = [(1, 0.80), (2, 0.75), (3, 0.70)]
    crowding = {1: 0.60, 2: 0.40}  # 3 is not measured yet: counts as the mean, 0.50
    rescored = decrowd(ranked, crowding, weight=0.75)
    assert [pid for pid, _ in rescored] == [2, 1, 3]
    assert [score for _, score in rescored] == pytest.approx([0.45, 0.35, 0.325])
    assert decrowd(ranked, {}, weight=0.75) == ranked
    assert decrowd(ranked, crowding, weight=0.0) == ranked


def test_mean_neighbour_similarity_leaves_the_paper_itself_out() -> None:
    assert mean_neighbour_similarity(7, [(7, 1.0), (8, 0.6), (9, 0.4)]) == pytest.approx(0.5)
    assert mean_neighbour_similarity(7, [(7, 1.0)]) == 0.0
    many = [(n, 0.5) for n in range(NEIGHBOURS)] + [(999, -1.0)]
    assert mean_neighbour_similarity(-1, many) == pytest.approx(0.5)  # only the nearest


def _measured(service: SearchService) -> dict[int, tuple[float | None, int | None]]:
    with service.store.db.reader.connect() as conn:
        rows = conn.exec_driver_sql(
            "SELECT paper_id, neighbour_similarity, neighbour_corpus FROM paper_embeddings"
        )
        return {int(pid): (sim, corpus) for pid, sim, corpus in rows}


def test_neighbourhoods_are_measured_after_the_backlog_and_again_as_the_corpus_grows(
    store: PaperStore, embedder: OnnxEmbedder, tmp_path: Path
) -> None:
    store.upsert_papers(sample_papers(PAPERS[:4]))
    service = build_search(store, data_dir=tmp_path, embedder=embedder)
    embed_pending(store.db, embedder, limit=2)
    assert measure_neighbourhoods(service.embeddings, service.vectors) == 0  # backlog left
    embed_pending(store.db, embedder)
    assert measure_neighbourhoods(service.embeddings, service.vectors) == 4
    measured = _measured(service)
    vectors = service.embeddings.vectors_of(list(measured))
    for pid, (similarity, corpus) in measured.items():
        others = [float(vectors[pid] @ v) for other, v in vectors.items() if other != pid]
        assert similarity == pytest.approx(np.mean(others), abs=0.01)  # f16 / HNSW
        assert corpus == 4
    assert measure_neighbourhoods(service.embeddings, service.vectors) == 0  # nothing new

    store.upsert_papers(sample_papers(PAPERS[4:5]))  # 5 papers: within 25% of 4
    embed_pending(store.db, embedder)
    assert measure_neighbourhoods(service.embeddings, service.vectors) == 1
    store.upsert_papers(sample_papers(PAPERS[5:]))  # 6 papers: 1.5 times the 4 measured among
    embed_pending(store.db, embedder)
    assert measure_neighbourhoods(service.embeddings, service.vectors) == 5  # 4 stale + new
    assert {corpus for _, corpus in _measured(service).values()} == {5, 6}


def test_a_crowded_neighbourhood_costs_rank_in_semantic_search(
    store: PaperStore, embedder: OnnxEmbedder, tmp_path: Path
) -> None:
    store.upsert_papers(sample_papers())
    embed_pending(store.db, embedder)
    service = build_search(store, data_dir=tmp_path, embedder=embedder)
    measure_neighbourhoods(service.embeddings, service.vectors)
    robot = store.get_paper("2601.00005")
    assert robot is not None
    assert ids(service, "robot touch sensing", mode="dense")[0] == "2601.00005"

    def similar_to(arxiv_id: str) -> list[int]:
        paper = store.get_paper(arxiv_id)
        assert paper is not None
        return [pid for pid, _ in service.similar_ranked(paper, mode="dense", limit=10)]

    # a paper whose neighbours do not already end with the robot paper
    others = [str(p[0]) for p in PAPERS if p[0] != robot.arxiv_id]
    other = next(i for i in others if similar_to(i)[-1] != robot.id)

    def crowd_robot(value: float) -> None:  # as if it were near everything else, or not
        with store.db.writer.begin() as conn:
            conn.execute(
                text("UPDATE paper_embeddings SET neighbour_similarity = :v WHERE paper_id = :p"),
                {"v": value, "p": robot.id},
            )

    crowd_robot(2.0)
    # A process remembers the figures for a while (NeighbourhoodCache); a fresh one reads them.
    assert ids(service, "robot touch sensing", mode="dense")[0] == "2601.00005"
    service = build_search(store, data_dir=tmp_path, embedder=embedder)
    assert ids(service, "robot touch sensing", mode="dense")[-1] == "2601.00005"
    assert similar_to(other)[-1] == robot.id
    crowd_robot(0.0)  # measured again: seen once the cache expires
    assert ids(service, "robot touch sensing", mode="dense")[-1] == "2601.00005"
    service.crowding = NeighbourhoodCache(service.embeddings, seconds=0.0)
    assert ids(service, "robot touch sensing", mode="dense")[0] == "2601.00005"


def test_figures_are_read_again_soon_while_some_are_missing(
    store: PaperStore, embedder: OnnxEmbedder, tmp_path: Path
) -> None:
    store.upsert_papers(sample_papers(PAPERS[:4]))
    service = build_search(store, data_dir=tmp_path, embedder=embedder)
    embed_pending(store.db, embedder)
    ids = sorted(_measured(service))
    soon = NeighbourhoodCache(service.embeddings, seconds=1000.0, partial_seconds=0.0)
    assert soon.of(ids) == {}  # nothing measured yet: read again at the next search
    measure_neighbourhoods(service.embeddings, service.vectors)
    figures = soon.of(ids)
    assert sorted(figures) == ids  # seen without waiting for the long interval
    with store.db.writer.begin() as conn:  # complete now: kept for the long interval
        conn.execute(text("UPDATE paper_embeddings SET neighbour_similarity = 0.5"))
    assert soon.of(ids) == figures


def test_nearest_many_answers_each_vector_in_order(
    store: PaperStore, embedder: OnnxEmbedder, tmp_path: Path
) -> None:
    store.upsert_papers(sample_papers())
    embed_pending(store.db, embedder)
    service = build_search(store, data_dir=tmp_path, embedder=embedder)
    vectors = service.embeddings.vectors_of(sorted(_measured(service)))
    pids = list(vectors) * 3  # more than run at once on PostgreSQL, repeated
    found = service.vectors.nearest_many(np.stack([vectors[p] for p in pids]), 3)
    assert [near[0][0] for near in found] == pids  # each vector is nearest to itself
    assert all(len(near) == 3 for near in found)
