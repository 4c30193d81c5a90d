"""Sentence matching for similar papers: splitting, storage, the re-ranking, and the pass
that fills the vectors (both engines)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from dailypapers.records import PaperRecord
from dailypapers.search.embed import DIMENSIONS, OnnxEmbedder
from dailypapers.search.factory import build_search
from dailypapers.search.indexer import embed_pending
from dailypapers.search.sentences import (
    MAX_SENTENCES,
    SentenceRepo,
    embed_sentences_pending,
    max_sim,
    pack,
    sentence_rerank,
    split_sentences,
    unpack,
)
from dailypapers.store import PaperStore
from factories import PAPERS, sample_papers


def test_split_sentences_puts_the_title_first_and_cuts_at_sentence_ends_only() -> None:
    abstract = (
        "We study  e.g. sparse models.\nThey run 3.5 times faster! Do they scale? "
        "Yes: 2 of 3 runs did. the end."
    )
    assert split_sentences(" A  Title ", abstract) == [
        "A Title",
        "We study e.g. sparse models.",
        "They run 3.5 times faster!",
        "Do they scale?",
        "Yes: 2 of 3 runs did. the end.",  # no capital after the stop: one sentence
    ]
    assert split_sentences("Only a title", "") == ["Only a title"]
    assert split_sentences("", "One. Two.") == ["One.", "Two."]
    assert len(split_sentences("T", "Word. " * 100)) == MAX_SENTENCES


def test_packed_vectors_keep_their_direction() -> None:
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(5, DIMENSIONS)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    blob = pack(vectors)
    assert len(blob) == 5 * DIMENSIONS  # one byte per component
    back = unpack(blob)
    assert back.shape == (5, DIMENSIONS)
    assert np.allclose(np.linalg.norm(back, axis=1), 1.0, atol=1e-5)
    assert (np.sum(back * vectors, axis=1) > 0.999).all()


def _unit(*components: float) -> np.ndarray:
    vector = np.zeros(DIMENSIONS, dtype=np.float32)
    vector[: len(components)] = components
    return vector / np.linalg.norm(vector)


def test_max_sim_takes_each_query_sentence_best_match() -> None:
    query = np.stack([_unit(1, 0), _unit(0, 1)])
    one_side = np.stack([_unit(1, 0), _unit(1, 0)])  # matches the first sentence only
    assert max_sim(query, one_side) == pytest.approx(0.5)
    assert max_sim(query, np.stack([_unit(0, 1), _unit(1, 0)])) == pytest.approx(1.0)


def test_sentence_rerank_fuses_the_head_and_leaves_the_rest() -> None:
    query = np.stack([_unit(1, 0, 0)])
    ranked = [(pid, 1.0 - pid / 100) for pid in range(1, 41)]
    near = {pid: np.stack([_unit(0, 0, 1)]) for pid in range(1, 31)}
    near[12] = np.stack([_unit(1, 0, 0)])  # the one candidate whose sentence matches
    near[11] = np.stack([_unit(1, 1, 0)])  # half way
    reranked = sentence_rerank(ranked, query, near, head=30, k=1.0)
    order = [pid for pid, _ in reranked]
    assert order[:4] == [1, 12, 2, 11]  # 12 rose from 12th to 2nd, 11 from 11th to 4th
    assert reranked[30:] == ranked[30:]  # beyond the head: untouched
    assert sorted(order) == list(range(1, 41))  # nothing lost or doubled
    same = {pid: np.stack([_unit(0, 0, 1)]) for pid in range(1, 31)}
    assert [p for p, _ in sentence_rerank(ranked, query, same)] == list(range(1, 41))


def test_a_candidate_without_sentences_counts_as_ranked_the_same_by_both() -> None:
    query = np.stack([_unit(1, 0)])
    ranked = [(1, 0.9), (2, 0.8), (3, 0.7), (4, 0.6)]
    miss, hit = np.stack([_unit(0, 1)]), np.stack([_unit(1, 0)])
    vectors = {1: miss, 3: miss, 4: hit}  # 2 is not embedded yet
    # by sentences: 4, then 2 in its own slot, then 1 and 3
    reranked = sentence_rerank(ranked, query, vectors, head=4, k=1.0)
    assert [pid for pid, _ in reranked] == [1, 4, 2, 3]
    assert dict(reranked)[2] == pytest.approx(2 / (1.0 + 1))
    untouched = sentence_rerank(ranked, query, {}, k=30.0)
    assert [pid for pid, _ in untouched] == [1, 2, 3, 4]


def test_the_pass_embeds_each_paper_once_and_again_when_its_text_changes(
    store: PaperStore, embedder: OnnxEmbedder
) -> None:
    store.upsert_papers(sample_papers())
    repo = SentenceRepo(store.db, embedder.name)
    assert repo.pending_count() == len(PAPERS)
    assert embed_sentences_pending(store.db, embedder, batch_size=4) == len(PAPERS)
    assert repo.pending_count() == 0
    assert embed_sentences_pending(store.db, embedder) == 0
    paper = store.get_paper("2601.00005")
    assert paper is not None
    stored = repo.of([paper.id])[paper.id]
    sentences = split_sentences(paper.title, paper.abstract)
    assert stored.shape == (len(sentences), DIMENSIONS)
    alone = embedder.embed(sentences)
    assert (np.sum(stored * alone, axis=1) > 0.99).all()  # row i is sentence i

    changed = PaperRecord(arxiv_id="2601.00005", title=paper.title, abstract="New text. Two.")
    store.upsert_papers([changed])
    assert repo.of([paper.id]) == {}  # stale sentences went with the old text
    assert embed_sentences_pending(store.db, embedder) == 1
    assert repo.of([paper.id])[paper.id].shape == (3, DIMENSIONS)


def test_similar_papers_rerank_their_head_once_sentences_exist(
    store: PaperStore, embedder: OnnxEmbedder, tmp_path: Path
) -> None:
    store.upsert_papers(sample_papers())
    embed_pending(store.db, embedder)
    search = build_search(store, data_dir=tmp_path, embedder=embedder)
    paper = search.store.get_paper("2601.00001")
    assert paper is not None
    before = search.similar_ranked(paper, limit=10)  # no sentences yet: the fused order
    dense = search.similar_ranked(paper, mode="dense", limit=10)
    embed_sentences_pending(search.store.db, embedder)
    found = search.sentences.of([paper.id, *(pid for pid, _ in before)])
    query = found.pop(paper.id)
    assert search.similar_ranked(paper, limit=10) == sentence_rerank(before, query, found)
    assert search.similar_ranked(paper, mode="dense", limit=10) == dense  # hybrid only
