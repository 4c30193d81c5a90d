"""Hybrid search and similar papers on both engines, through the service, API and CLI."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from dailypapers.records import PaperRecord
from dailypapers.search.embed import OnnxEmbedder
from dailypapers.search.embeddings import EmbeddingRepo
from dailypapers.search.factory import build_search
from dailypapers.search.indexer import embed_pending, pending_count
from dailypapers.search.sentences import SentenceRepo
from dailypapers.search.service import SearchService, exact_title_first
from dailypapers.settings import Settings
from dailypapers.store import PaperStore
from factories import PAPERS, ids, sample_papers
from helpers import run_cli


@pytest.fixture
def search(store: PaperStore, embedder: OnnxEmbedder, tmp_path: Path) -> SearchService:
    store.upsert_papers(sample_papers())
    embed_pending(store.db, embedder)
    service = build_search(store, data_dir=tmp_path, embedder=embedder)
    if hasattr(service.vectors, "sync_interval"):
        service.vectors.sync_interval = 0  # see changes at once (the default is 1 s)
    return service


def test_plain_words_and_semantic_matches(search: SearchService) -> None:
    assert ids(search, "mixture of experts")[0] == "2601.00001"
    # no shared keyword: the dense ranker carries it
    assert ids(search, "text-to-image generation")[0] == "2601.00002"
    assert ids(search, "learning from human preference judgements", mode="dense")[0] == "2601.00004"


def test_id_url_title_and_pasted_abstract_come_first(search: SearchService) -> None:
    assert ids(search, "https://arxiv.org/abs/2601.00005v2")[0] == "2601.00005"
    assert ids(search, "arXiv:2601.00003")[0] == "2601.00003"
    assert ids(search, "Efficient Attention for Long Documents")[0] == "2601.00006"
    pasted = PAPERS[2][2] + " " + PAPERS[2][1]
    assert ids(search, pasted)[0] == "2601.00003"


def test_filters_apply_before_truncation(search: SearchService) -> None:
    assert ids(search, "cat:cs.CL") == ["2601.00006", "2601.00001"]  # newest first
    assert set(ids(search, "language models cat:cs.CL")) == {"2601.00001", "2601.00006"}
    assert ids(search, 'author:"Jürgen Schmidhuber"') == ["2601.00006"]
    assert ids(search, "author:schmidhuber attention") == ["2601.00006"]
    between = ids(search, "models after:2026-01-10 before:2026-02-10")
    assert set(between) <= {"2601.00002", "2601.00003", "2601.00004"} and between
    assert ids(search, '"human feedback"', mode="lexical") == ["2601.00004"]


def test_sorts(search: SearchService) -> None:
    by_votes = ids(search, "models", sort="upvotes", limit=3)
    assert by_votes[0] == "2601.00002"
    newest = ids(search, "models", sort="newest", limit=3)
    assert newest == sorted(
        newest, key=lambda i: next(p[5] for p in PAPERS if p[0] == i), reverse=True
    )


def test_snippets_mark_the_terms(search: SearchService) -> None:
    hit = search.search("diffusion images").hits[0]
    marked = [text for text, matched in hit.snippet if matched]
    assert "diffusion" in marked and "images" in marked


def test_similar_excludes_the_paper_itself(search: SearchService, store: PaperStore) -> None:
    paper = store.get_paper("2601.00001")
    assert paper is not None
    similar = [h.paper.arxiv_id for h in search.similar(paper, limit=3)]
    assert "2601.00001" not in similar and similar[0] in {"2601.00006", "2601.00004"}


def test_new_papers_become_searchable_without_a_rebuild(
    search: SearchService, store: PaperStore, embedder: OnnxEmbedder
) -> None:
    assert ids(search, "protein folding structure", mode="dense")[0] != "2601.00007"
    store.upsert_papers(
        [
            PaperRecord(
                arxiv_id="2601.00007",
                title="Protein Structure Folding",
                abstract="We predict 3D protein structures.",
            )
        ]
    )
    assert ids(search, "protein", mode="lexical") == ["2601.00007"]  # keywords: at once
    assert pending_count(store.db, embedder.name) == 1
    assert embed_pending(store.db, embedder) == 1  # only the new paper
    assert ids(search, "how do proteins fold in 3D", mode="dense")[0] == "2601.00007"
    store.upsert_papers(
        [
            PaperRecord(
                arxiv_id="2601.00007",
                title="Protein Structure Folding",
                abstract="Now about quantum error correction codes.",
            )
        ]
    )
    assert pending_count(store.db, embedder.name) == 1  # changed text: embedded again
    embed_pending(store.db, embedder)
    assert ids(search, "quantum error correction", mode="dense")[0] == "2601.00007"


@pytest.fixture
def indexed_client(
    client: TestClient, store: PaperStore, embedder: OnnxEmbedder
) -> Iterator[TestClient]:
    store.upsert_papers(
        [
            PaperRecord(arxiv_id=i, title=t, abstract=a, authors=au, categories=c)
            for i, t, a, au, c, _, _ in PAPERS
        ]
    )
    embed_pending(store.db, embedder)
    yield client


HOSTILE = [
    '"',
    '"""',
    "*",
    "NEAR(a b)",
    "-",
    "a -b",
    "((",
    ")",
    "a OR",
    "AND",
    "title:x",
    "^x",
    "{x}",
    "'; DROP TABLE papers; --",
    "\x00\x01\x1f",
    "日本語の論文",
    "Привет мир",
    "🙂" * 50,
    "a" * 3000,
    " ".join(["word"] * 2000),
    "author:",
    "cat:",
    "after:",
    'author:"',
    "$\\frac{1}{2}$",
    "<script>alert(1)</script>",
    "%",
    "_",
    "\\",
]


@pytest.mark.parametrize("raw", HOSTILE)
def test_no_input_breaks_the_engine(indexed_client: TestClient, raw: str) -> None:
    for path in ("/api/papers/search", "/search", "/feeds/search.atom"):
        response = indexed_client.get(path, params={"q": raw})
        assert response.status_code == 200, (path, raw, response.text[:300])


def test_oversized_queries_get_a_clear_4xx(indexed_client: TestClient) -> None:
    response = indexed_client.get("/api/papers/search", params={"q": "x" * 10_001})
    assert response.status_code == 422 and "q" in response.json()["error"]


def test_api_search_and_similar(indexed_client: TestClient) -> None:
    found = indexed_client.get(
        "/api/papers/search", params={"q": "robot grasping", "limit": 2}
    ).json()
    assert found[0]["paper"]["id"] == "2601.00005" and len(found) == 2
    similar = indexed_client.get("/api/papers/2601.00004/similar", params={"limit": 3}).json()
    assert len(similar) == 3 and all(s["paper"]["id"] != "2601.00004" for s in similar)
    assert indexed_client.get("/api/papers/2612.99999/similar").status_code == 404
    assert indexed_client.get("/api/papers/nope/similar").status_code == 400
    page = indexed_client.get("/papers/2601.00004").text
    assert (
        page.count('class="similar"') == 1
        and "/papers/2601.0000" in page.split('id="similar"')[1].split("</section>")[0]
    )
    html = indexed_client.get("/search", params={"q": "robot", "cat": "cs.RO"}).text
    assert "<mark>" in html and "Robot Grasping" in html


@pytest.mark.slow  # a subprocess or a killed process: make test, not make check
@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_cli_index_and_search(env: dict[str, str], store: PaperStore) -> None:
    store.upsert_papers(
        [
            PaperRecord(arxiv_id=i, title=t, abstract=a, authors=au, categories=c)
            for i, t, a, au, c, _, _ in PAPERS
        ]
    )
    indexed = run_cli("index", "-q", env=env)
    said = " ".join(indexed.stderr.split())
    assert indexed.returncode == 0 and "embedded 6 papers" in said
    assert "measured 6 neighbourhoods" in said
    again = " ".join(run_cli("index", "-q", env=env).stderr.split())
    assert "embedded 0 papers" in again and "measured 0 neighbourhoods" in again
    rebuilt = run_cli("index", "--rebuild", "-q", env=env)
    said = " ".join(rebuilt.stderr.split())
    assert rebuilt.returncode == 0 and "embedded 6 papers" in said
    sqlite = env["DAILYPAPERS_DATABASE_URL"].startswith("sqlite")
    assert ("keyword index rebuilt with 6 papers" in said) == sqlite  # PG: in the database
    found = run_cli("search", "robot touch sensing", "--json", "--limit", "1", env=env)
    assert found.returncode == 0 and '"2601.00005"' in found.stdout
    bad = run_cli("search", "x", "--sort", "random", env=env)
    assert bad.returncode == 2


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_ann_index_is_saved_and_never_drifts(
    search: SearchService, store: PaperStore, tmp_path: Path
) -> None:
    from dailypapers.search.vectors import UsearchIndex

    assert ids(search, "robot touch", mode="dense")[0] == "2601.00005"
    saved = list((tmp_path / "vectors").iterdir())
    assert {p.suffix for p in saved} == {".usearch", ".json"}
    with store.db.writer.begin() as conn:  # a row vanishes behind the index's back
        conn.exec_driver_sql(
            "DELETE FROM paper_embeddings WHERE paper_id = "
            "(SELECT id FROM papers WHERE arxiv_id = '2601.00005')"
        )
    assert "2601.00005" not in ids(search, "robot touch", mode="dense")
    reopened = UsearchIndex(search.embeddings, tmp_path / "vectors", sync_interval=0)
    reopened.sync()
    assert len(reopened._index) == 5


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_serve_embeds_new_papers_in_the_background(
    store: PaperStore,
    site_settings: Settings,
    embedder: OnnxEmbedder,
) -> None:
    import time

    from dailypapers.web.app import create_app

    site_settings.embed_in_background = True
    store.upsert_papers([PaperRecord(arxiv_id="2601.00009", title="Background paper")])
    repo = EmbeddingRepo(store.db, embedder.name)
    paper = store.get_paper("2601.00009")
    assert paper is not None
    sentences = SentenceRepo(store.db, embedder.name)
    with TestClient(create_app(site_settings, store)):
        deadline = time.monotonic() + 30
        while not sentences.of([paper.id]) and time.monotonic() < deadline:
            time.sleep(0.1)  # vectors, then neighbourhoods, then sentences
    assert pending_count(store.db, embedder.name) == 0
    assert repo.neighbour_similarity([paper.id]) == {paper.id: 0.0}  # measured: no neighbours
    assert sentences.of([paper.id])[paper.id].shape[0] == 1  # the title alone


def test_exact_title_first_moves_only_an_exact_title_in_the_head() -> None:
    ranked = [(n, 1.0 / n) for n in range(1, 31)]
    titles = {n: f"Paper number {n}" for n in range(1, 31)}
    titles[7] = "Attention Is All You Need."
    titles[25] = "Attention is all you need"  # beyond the head: stays where it is
    moved = exact_title_first("  attention is ALL you   need ", ranked, titles)
    assert [pid for pid, _ in moved[:3]] == [7, 1, 2]
    assert moved.index((25, 1.0 / 25)) == 24
    assert sorted(moved) == sorted(ranked)  # nothing lost
    assert exact_title_first("short", ranked, titles) == ranked
    assert exact_title_first("Attention is all you need", [], titles) == []


# -- junk, typos and exclusions (issue 16) --------------------------------------------------------
@pytest.mark.parametrize("junk", ["asdkjhasd qwpoeiru", "zzxq", "xkcdqwe blorptang"])
def test_junk_finds_nothing(search: SearchService, junk: str) -> None:
    result = search.search(junk)
    assert result.hits == [] and result.suggestion is None


def test_a_typo_finds_the_corrected_query_and_says_so(search: SearchService) -> None:
    result = search.search("difusion modles")
    assert result.corrected_from == "difusion modles"
    assert result.suggestion == "diffusion models"
    assert result.hits and result.hits[0].paper.arxiv_id == "2601.00002"
    literal = search.search("difusion modles", literal=True)
    assert literal.corrected_from is None  # as typed: the dense model's guess, nothing more


def test_a_typo_among_known_words_gets_a_suggestion(search: SearchService) -> None:
    result = search.search("reinfrocement learning")
    assert result.suggestion == "reinforcement learning" and result.corrected_from is None
    assert result.hits  # "learning" matched: the results stand


def test_minus_excludes_words_and_phrases(search: SearchService) -> None:
    with_transformers = ids(search, "language models")
    assert "2601.00001" in with_transformers
    without = ids(search, "language models -transformers")
    assert "2601.00001" not in without and "2601.00006" not in without
    assert "2601.00004" in without  # RLHF: language models, no transformers
    assert "2601.00004" not in ids(search, 'language models -"human feedback"')


def test_operators_and_filter_controls_are_one_query(indexed_client: TestClient) -> None:
    typed = indexed_client.get("/search", params={"q": "attention cat:cs.CL after:2026-01-01"})
    assert 'name="cat" value="cs.CL"' in typed.text and 'value="2026-01-01"' in typed.text
    chosen = indexed_client.get(
        "/search", params={"q": "attention cat:cs.LG", "cat": "cs.CL", "before": "2026-03-01"}
    )
    box = re.search(r'<input type="search" name="q" value="([^"]*)"', chosen.text)
    assert box and box[1] == "attention cat:cs.CL before:2026-03-01"  # the control won


def test_the_search_page_explains_junk_and_typos(indexed_client: TestClient) -> None:
    junk = indexed_client.get("/search", params={"q": "asdkjhasd"}).text
    assert "No papers match" in junk and "Check the spelling" in junk
    typo = indexed_client.get("/search", params={"q": "difusion modles"}).text
    assert "Showing results for" in typo and "diffusion models" in typo
    assert "literal=1" in typo and "Diffusion Models for High-Resolution" in typo


def test_a_query_of_filters_only_lists_the_newest_exactly(
    store: PaperStore, embedder: OnnxEmbedder, tmp_path: Path
) -> None:
    """Newest first, ties by id, cut exactly at the limit even inside a day (tantivy orders
    by day only; PostgreSQL in SQL): both engines give the same list."""
    days = [date(2026, 3, 1 + n % 3) for n in range(12)]  # four papers a day
    store.upsert_papers(
        [
            PaperRecord(
                arxiv_id=f"2603.{n + 1:05d}",
                title=f"Paper {n}",
                abstract="About graphs.",
                authors=["Émilie du Châtelet" if n % 2 else "Ada Lovelace"],
                categories=["cs.LG"],
                published=datetime.combine(day, datetime.min.time()),
            )
            for n, day in enumerate(days)
        ]
    )
    search = build_search(store, data_dir=tmp_path, embedder=embedder)
    papers = {p.arxiv_id: p for p in store.iter_papers()}
    expected = sorted(papers.values(), key=lambda p: (p.published, p.id), reverse=True)
    for limit in (1, 5, 6, 12, 30):
        found = ids(search, "cat:cs.LG", limit=limit)
        assert found == [p.arxiv_id for p in expected[:limit]], limit
    ada = [p.arxiv_id for p in expected if p.authors == ["Ada Lovelace"]]
    assert ids(search, 'author:"ada lovelace"', limit=4) == ada[:4]
