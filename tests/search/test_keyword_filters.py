"""The keyword index of each engine answers the same Filter and ``every_term`` alike: what
digests and saved-search alerts rely on (precision first, within a set of papers)."""

from __future__ import annotations

from dailypapers.records import PaperRecord
from dailypapers.search.query import ParsedQuery, parse_query
from dailypapers.store import PaperStore

TITLES = {
    "2601.00001": "Graph neural networks for molecules",
    "2601.00002": "Graph partitioning at scale",
    "2601.00003": "Neural machine translation",
    "2601.00004": "Graph neural networks for traffic",
}


def ids_found(store: PaperStore, query: ParsedQuery) -> set[str]:
    lexical = store.db.backend.keyword_index(store.db, None)
    by_id = {p.id: p.arxiv_id for p in store.iter_papers()}
    return {by_id[pid] for pid, _ in lexical.search(query, limit=20)}


def test_every_term_and_a_set_of_papers_on_either_engine(store: PaperStore) -> None:
    store.upsert_papers([PaperRecord(arxiv_id=a, title=t) for a, t in TITLES.items()])
    any_term = parse_query("graph neural")
    assert ids_found(store, any_term) == set(TITLES)
    every = parse_query("graph neural")
    every.every_term = True
    assert ids_found(store, every) == {"2601.00001", "2601.00004"}
    ids = {p.arxiv_id: p.id for p in store.iter_papers()}
    every.within = frozenset({ids["2601.00004"], ids["2601.00002"]})
    assert ids_found(store, every) == {"2601.00004"}
    for raw, expected in (
        ('neural "machine translation"', {"2601.00003"}),
        ('networks "machine translation"', set()),  # the phrase is required too
    ):
        phrase = parse_query(raw)
        phrase.every_term = True
        assert ids_found(store, phrase) == expected, raw
