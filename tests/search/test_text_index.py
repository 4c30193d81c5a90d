"""The embedded engine's tantivy keyword index follows the papers table and never drifts."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
import tantivy
from fastapi.testclient import TestClient

from dailypapers.records import PaperRecord
from dailypapers.search.query import parse_query
from dailypapers.search.tantivy_lexical import TantivyLexical
from dailypapers.search.text_index import TextIndex
from dailypapers.settings import Settings
from dailypapers.store import PaperStore
from dailypapers.web.app import create_app

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


def add(store: PaperStore, arxiv_id: str, title: str, abstract: str = "") -> None:
    store.upsert_papers([PaperRecord(arxiv_id=arxiv_id, title=title, abstract=abstract)])


def found(index: TextIndex, words: str) -> list[int]:
    return [pid for pid, _ in TantivyLexical(index).search(parse_query(words), limit=10)]


def pid(store: PaperStore, arxiv_id: str) -> int:
    paper = store.get_paper(arxiv_id)
    assert paper is not None
    return paper.id


@pytest.fixture
def corpus(store: PaperStore) -> PaperStore:
    add(store, "2601.00001", "Sparse mixture of experts", "Routing tokens to experts.")
    add(store, "2601.00002", "Diffusion for images", "Denoising generates pictures.")
    return store


def log_size(store: PaperStore) -> int:
    with store.db.reader.connect() as conn:
        return int(conn.exec_driver_sql("SELECT count(*) FROM search_changes").scalar() or 0)


def test_two_indexes_on_one_directory_follow_inserts_updates_and_deletes(
    corpus: PaperStore, tmp_path: Path
) -> None:
    first, second = TextIndex(corpus.db, tmp_path), TextIndex(corpus.db, tmp_path)
    assert found(first, "experts") == [pid(corpus, "2601.00001")]
    assert log_size(corpus) == 0  # applied entries are pruned
    add(corpus, "2601.00003", "Protein folding", "Structures of proteins.")
    assert found(second, "protein") == [
        pid(corpus, "2601.00003")
    ]  # at once, from the other instance
    assert found(first, "protein") == [pid(corpus, "2601.00003")]
    add(corpus, "2601.00001", "Dense transformers", "No experts here any more.")
    assert found(second, "sparse") == []  # the old title is gone from the index
    assert found(first, "dense transformers") == [pid(corpus, "2601.00001")]
    with corpus.db.writer.begin() as conn:
        conn.exec_driver_sql("DELETE FROM papers WHERE arxiv_id = '2601.00002'")
    assert found(first, "diffusion") == [] and found(second, "diffusion") == []
    assert first.searcher().num_docs == second.searcher().num_docs == 2


def test_rebuilds_when_the_log_it_needs_is_gone_or_the_state_is_damaged(
    corpus: PaperStore, tmp_path: Path
) -> None:
    index = TextIndex(corpus.db, tmp_path)
    assert found(index, "diffusion") == [pid(corpus, "2601.00002")]
    state = tmp_path / "state.json"
    applied = json.loads(state.read_text())["applied"]
    # An index that missed pruned entries (another data directory on the same database).
    state.write_text(json.dumps({"schema": 1, "applied": applied - 1}))
    add(corpus, "2601.00003", "Protein folding")
    stale = TextIndex(corpus.db, tmp_path)
    assert found(stale, "protein") == [pid(corpus, "2601.00003")]
    assert stale.searcher().num_docs == 3
    # An index ahead of its database (a restored backup) and an unreadable state file.
    for damage in (json.dumps({"schema": 1, "applied": 10**6}), "{not json"):
        state.write_text(damage)
        again = TextIndex(corpus.db, tmp_path)
        assert found(again, "folding") == [pid(corpus, "2601.00003")]
        assert again.searcher().num_docs == 3
        assert json.loads(state.read_text())["applied"] == applied + 1


def test_a_busy_writer_elsewhere_delays_nothing_and_is_caught_up_later(
    corpus: PaperStore, tmp_path: Path
) -> None:
    index = TextIndex(corpus.db, tmp_path)
    assert found(index, "experts") == [pid(corpus, "2601.00001")]
    other = tantivy.Index.open(str(tmp_path / "tantivy"))
    writer = other.writer(heap_size=15_000_000, num_threads=1)  # another process's writer
    add(corpus, "2601.00003", "Protein folding")
    assert found(index, "protein") == []  # answered from the last commit, no waiting
    del writer
    assert found(index, "protein") == [pid(corpus, "2601.00003")]


def test_rebuild_counts_every_paper_with_progress(corpus: PaperStore, tmp_path: Path) -> None:
    seen: list[tuple[int, int]] = []
    index = TextIndex(corpus.db, tmp_path)
    assert index.rebuild(lambda done, total: seen.append((done, total))) == 2
    assert seen[-1] == (2, 2)
    assert found(index, "denoising") == [pid(corpus, "2601.00002")]


def test_in_memory_index_leaves_the_log_to_the_shared_one(
    corpus: PaperStore, tmp_path: Path
) -> None:
    private = TextIndex(corpus.db, None)
    assert found(private, "experts") == [pid(corpus, "2601.00001")]
    assert log_size(corpus) == 2  # not pruned: the on-disk index still needs it
    shared = TextIndex(corpus.db, tmp_path)
    assert found(shared, "experts") == [pid(corpus, "2601.00001")] and log_size(corpus) == 0


def test_the_app_builds_the_keyword_index_when_it_starts(
    corpus: PaperStore, site_settings: Settings
) -> None:
    state = site_settings.data_dir / "keywords" / "state.json"
    assert not state.exists()
    with TestClient(create_app(site_settings, corpus)):
        deadline = time.monotonic() + 60
        while not state.exists() and time.monotonic() < deadline:
            time.sleep(0.05)  # no request made: the start-up warm-up builds it
        assert json.loads(state.read_text())["applied"] == 2


def test_an_index_opened_while_another_builds_the_first_one_leaves_its_files(
    corpus: PaperStore, tmp_path: Path
) -> None:
    """Three digest runs started at once on a new data directory: the later ones must not
    take the missing state file for an old layout and delete the first one's segments."""
    building = TextIndex(corpus.db, tmp_path)
    assert building.searcher().num_docs == 2
    files = sorted(path.name for path in (tmp_path / "tantivy").iterdir())
    (tmp_path / "state.json").unlink()  # committed, the state not yet written
    later = TextIndex(corpus.db, tmp_path)
    assert sorted(path.name for path in (tmp_path / "tantivy").iterdir()) == files
    assert found(later, "experts") == [pid(corpus, "2601.00001")]
    assert found(building, "diffusion") == [pid(corpus, "2601.00002")]


def test_an_index_of_another_schema_version_is_started_over(
    corpus: PaperStore, tmp_path: Path
) -> None:
    TextIndex(corpus.db, tmp_path).sync()
    (tmp_path / "tantivy" / "stale-segment.idx").write_text("from an older layout")
    (tmp_path / "state.json").write_text(json.dumps({"schema": 0, "applied": 1}))
    index = TextIndex(corpus.db, tmp_path)
    assert not (tmp_path / "tantivy" / "stale-segment.idx").exists()
    assert found(index, "experts") == [pid(corpus, "2601.00001")]
