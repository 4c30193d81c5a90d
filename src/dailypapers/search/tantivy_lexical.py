"""The embedded engine's keyword ranker: BM25 in tantivy over title, abstract and authors.

Title and abstract are one field with the title in it twice (see text_index.py), scored
with the authors field (weight 0.5): tuned on the dev benchmarks, see docs/search.md.

Queries are built from parsed terms, never from a query string, so no input can reach a
parser. Every filter (categories, authors, dates) is part of the tantivy query: filters
apply before truncation and a filtered search returns as many results as exist. tantivy
scores disjunctions with block-max WAND, so whole-abstract queries (similar papers) keep
every term and still take a few milliseconds.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

import tantivy
from sqlalchemy import ColumnElement
from tantivy import Occur, Query

from dailypapers.search.filtering import FilterCheck, PassingCache, TantivyFilterCheck
from dailypapers.search.fusion import Ranked
from dailypapers.search.lexical import few_single_terms, phrase_terms, weighted_terms
from dailypapers.search.query import Filter, ParsedQuery
from dailypapers.search.text_index import PLAIN, SCHEMA, STEMMED, TextIndex

QUERY_TF_CAP = 3
FIELD_WEIGHTS = {"text": 1.0, "authors": 0.5}
# From this many words on, terms are not matched against author names: half the clauses,
# the same nDCG to three decimals on CISI and CSFCube (similar papers: lexical 9 -> 8 ms).
LONG_QUERY_WORDS = 30
Clauses = list[tuple[Occur, Query]]


def _tokens(analyzer: tantivy.TextAnalyzer, text: str) -> list[str]:
    return [str(token) for token in analyzer.analyze(text)]


def _phrase_or_term(field: str, tokens: list[str]) -> Query:
    if len(tokens) == 1:
        return Query.term_query(SCHEMA, field, tokens[0])
    words: list[str | tuple[int, str]] = list(tokens)
    return Query.phrase_query(SCHEMA, field, words)


class TantivyLexical:
    """BM25 with per-field boosts (title-boosted text above authors)."""

    def __init__(self, index: TextIndex, weights: Mapping[str, float] | None = None) -> None:
        self.index = index
        self.weights = dict(weights or FIELD_WEIGHTS)
        self.passing = PassingCache()

    def warm(self) -> None:
        self.index.sync(force=True)

    def filters(self, query: ParsedQuery) -> list[ColumnElement[bool]]:
        """None in SQL: every filter is applied in tantivy (filter_check, newest)."""
        return []

    def newest(self, query: ParsedQuery, *, limit: int) -> Ranked:
        """Passing papers by date, newest first, ties by id (newest first), as in SQL.

        tantivy orders by the day; the papers of the last day that fits are read in full
        and cut by id, so the answer is exact however many papers share that day.
        """
        filters = self.filter_queries(query.filter)
        if not filters:
            return []
        searcher = self.index.searcher()
        passing = Query.boolean_query([(Occur.Must, q) for q in filters])
        hits = searcher.search(passing, limit, count=False, order_by_field="published").hits
        if not hits:
            return []
        last_day = int(hits[-1][0])
        earlier = [(int(day), address) for day, address in hits if int(day) != last_day]
        on_last = Query.boolean_query(
            [(Occur.Must, passing), (Occur.Must, _day_range(last_day, last_day))]
        )
        counted = getattr(searcher.search(on_last, 1, count=True), "count", None)
        everyone = searcher.num_docs if counted is None else max(int(counted), 1)
        last = searcher.search(on_last, everyone, count=False).hits
        days = [day for day, _ in earlier]
        ranked = sorted(zip(days, _ids(searcher, [a for _, a in earlier]), strict=True))
        ordered = [pid for _, pid in reversed(ranked)]
        ordered += sorted(_ids(searcher, [a for _, a in last]), reverse=True)
        return [(pid, 1.0 / (rank + 1)) for rank, pid in enumerate(ordered[:limit])]

    def filter_check(self, query: ParsedQuery) -> FilterCheck | None:
        """The filters checked in tantivy (see filtering.py); None when there are none."""
        filters = self.filter_queries(query.filter)
        if not filters:
            return None
        return TantivyFilterCheck(self.index, filters, query.filter, self.passing)

    def known(self, word: str) -> bool:
        """A document-frequency lookup per analysed token: no scoring, microseconds."""
        searcher = self.index.searcher()
        stems = _tokens(STEMMED, word)
        if stems and all(searcher.doc_freq("text", stem) > 0 for stem in stems):
            return True
        names = _tokens(PLAIN, word)
        return bool(names) and all(searcher.doc_freq("authors", name) > 0 for name in names)

    def search(self, query: ParsedQuery, *, limit: int) -> Ranked:
        scoring = self._scoring(query)
        if not scoring:
            return []
        clauses: Clauses = [(Occur.Must, Query.boolean_query(scoring))]
        clauses += [(Occur.Must, q) for q in self.filter_queries(query.filter)]
        searcher = self.index.searcher()
        hits = searcher.search(Query.boolean_query(clauses), limit, count=False).hits
        if not hits:
            return []
        ids = searcher.fast_field_values("id", [address for _, address in hits])
        return [
            (int(pid), float(score))
            for pid, (score, _) in zip(ids, hits, strict=True)
            if pid is not None
        ]

    def _scoring(self, query: ParsedQuery) -> Clauses:
        """One boosted clause per term and field; repeating a term in the query (a pasted
        abstract) weighs it up to QUERY_TF_CAP times. With ``every_term`` (mail: precision
        first) a short query (1-4 words) needs each of them, and every phrase is required."""
        fields = self.weights
        if len(query.words) >= LONG_QUERY_WORDS:  # a pasted abstract: its words are no names
            fields = {field: boost for field, boost in fields.items() if field != "authors"}
        terms = weighted_terms(" ".join(query.words))
        per_term = [c for t, n in terms if (c := self._term(t, min(n, QUERY_TF_CAP), fields))]
        per_phrase = [c for phrase in query.phrases if (c := self._phrase(phrase))]
        if not query.every_term:
            return [clause for clauses in [*per_term, *per_phrase] for clause in clauses]
        if per_term and not (len(terms) == 1 or few_single_terms([t for t, _ in terms])):
            per_term = [[clause for clauses in per_term for clause in clauses]]  # any term
        return [(Occur.Must, Query.boolean_query(c)) for c in [*per_term, *per_phrase]]

    @staticmethod
    def _term(term: str, weight: int, fields: Mapping[str, float]) -> Clauses:
        clauses: Clauses = []
        for field, boost in fields.items():
            analyzer = PLAIN if field == "authors" else STEMMED
            for token in _tokens(analyzer, term):
                term_query = Query.term_query(SCHEMA, field, token)
                clauses.append((Occur.Should, Query.boost_query(term_query, boost * weight)))
        return clauses

    def _phrase(self, phrase: str) -> Clauses:
        tokens = _tokens(STEMMED, " ".join(phrase_terms(phrase)))
        if not tokens:
            return []
        return [
            (Occur.Should, Query.boost_query(_phrase_or_term(field, tokens), boost))
            for field, boost in self.weights.items()
            if field != "authors"
        ]

    @staticmethod
    def filter_queries(chosen: Filter) -> list[Query]:
        """Categories (any of them), each author as a phrase, the date range, the papers."""
        found: list[Query] = []
        categories = [c[:32].lower() for c in chosen.categories]
        if categories:
            found.append(
                Query.boolean_query(
                    [(Occur.Should, Query.term_query(SCHEMA, "categories", c)) for c in categories]
                )
            )
        for author in chosen.authors:
            tokens = _tokens(PLAIN, " ".join(phrase_terms(author)))
            if tokens:  # as in SQL: an author with no letters filters nothing
                found.append(_phrase_or_term("authors", tokens))
        if chosen.after or chosen.before:
            found.append(_day_range(_day(chosen.after, date.min), _day(chosen.before, date.max)))
        if chosen.within is not None:
            found.append(Query.term_set_query(SCHEMA, "id", sorted(chosen.within)))
        return found


def _day_range(first: int, last: int) -> Query:
    return Query.range_query(SCHEMA, "published", tantivy.FieldType.Integer, first, last)


def _ids(searcher: tantivy.Searcher, addresses: list[tantivy.DocAddress]) -> list[int]:
    return [int(pid) for pid in searcher.fast_field_values("id", addresses) if pid is not None]


def _day(value: date | None, default: date) -> int:
    return (value or default).toordinal()
