"""The one indexing pipeline that serve's thread, `dailypapers index` and the worker call
(both engines)."""

from __future__ import annotations

from pathlib import Path

from dailypapers.search.embed import OnnxEmbedder
from dailypapers.search.embeddings import EmbeddingRepo
from dailypapers.search.factory import vector_index
from dailypapers.search.pipeline import index_pending
from dailypapers.search.sentences import SentenceRepo
from dailypapers.store import PaperStore
from factories import PAPERS, sample_papers


def test_a_full_run_does_every_step_and_a_second_finds_nothing(
    store: PaperStore, embedder: OnnxEmbedder, tmp_path: Path
) -> None:
    store.upsert_papers(sample_papers())
    vectors = vector_index(EmbeddingRepo(store.db, embedder.name), data_dir=tmp_path)
    steps: set[str] = set()
    report = index_pending(
        store.db, embedder, vectors, progress=lambda step, _n, _t: steps.add(step)
    )
    assert (report.embedded, report.measured, report.split) == (len(PAPERS),) * 3
    assert steps == {"embedding", "neighbourhoods", "sentences"}
    assert SentenceRepo(store.db, embedder.name).pending_count() == 0
    assert index_pending(store.db, embedder, vectors).work == 0


def test_slices_make_papers_searchable_before_their_sentences(
    store: PaperStore, embedder: OnnxEmbedder, tmp_path: Path
) -> None:
    store.upsert_papers(sample_papers())
    vectors = vector_index(EmbeddingRepo(store.db, embedder.name), data_dir=tmp_path)
    slices = []
    while (report := index_pending(store.db, embedder, vectors, slice_size=2)).work:
        assert sum(1 for n in (report.embedded, report.measured, report.split) if n) == 1
        assert max(report.embedded, report.split) <= 2
        slices.append("embed" if report.embedded else "measure" if report.measured else "sentences")
    # Every vector before any neighbourhood, every neighbourhood before any sentence.
    assert slices == sorted(slices, key=["embed", "measure", "sentences"].index)
    assert slices.count("embed") == -(-len(PAPERS) // 2)
    assert "sentences" in slices
