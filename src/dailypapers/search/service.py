"""Hybrid search and similar papers: one code path for the site, the API, the CLI and eval."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from time import monotonic
from typing import Any, Literal

from sqlalchemy import ColumnElement, select

from dailypapers.metrics import SEARCH_LATENCY
from dailypapers.models import Paper
from dailypapers.search.embed import Embedder, Vectors, paper_text
from dailypapers.search.embeddings import EmbeddingRepo
from dailypapers.search.filtering import FilterCheck
from dailypapers.search.fusion import Ranked, decrowd, rrf
from dailypapers.search.lexical import LexicalIndex
from dailypapers.search.neighbourhood import NeighbourhoodCache
from dailypapers.search.query import ParsedQuery, parse_query
from dailypapers.search.sentences import HEAD as SENTENCE_HEAD
from dailypapers.search.sentences import SentenceRepo, sentence_rerank
from dailypapers.search.snippets import Segments, snippet
from dailypapers.search.suggest import MAX_WORDS as MAX_SUGGEST_WORDS
from dailypapers.search.suggest import (
    checkable,
    closest,
    corrected,
    excludes,
    is_excluded,
    vocabulary,
)
from dailypapers.search.vectors import VectorIndex
from dailypapers.store import PaperStore

Mode = Literal["hybrid", "lexical", "dense"]
SIMILAR_CACHE_SECONDS = 300.0
SIMILAR_CACHE_SIZE = 4096
Sort = Literal["relevance", "newest", "upvotes"]
TITLE_WINDOW = 20  # how far down an exact title match is looked for
SUGGEST_DEPTH = 20  # nearest papers whose words may hold a typo's correct spelling


@dataclass(frozen=True)
class FusionSettings:
    """How the two lists combine (tuned on the dev benchmarks; see docs/search.md)."""

    k: float = 10.0
    lexical_weight: float = 1.0
    dense_weight: float = 1.0
    candidates: int = 100
    crowding_weight: float = 0.75  # share of the neighbour similarity taken off (CSLS: 1/2)
    crowding_probe: int = 2  # semantic neighbours re-scored, as a multiple of candidates


@dataclass
class Hit:
    paper: Paper
    score: float
    snippet: Segments


@dataclass
class SearchResult:
    query: ParsedQuery
    hits: list[Hit] = field(default_factory=list)
    suggestion: str | None = None  # "did you mean": the query with its typos fixed
    corrected_from: str | None = None  # set: the hits are for the suggestion, not this


def _normal(title: str) -> str:
    return " ".join(title.lower().split()).strip(" .")


def exact_title_first(query_text: str, ranked: Ranked, titles: Mapping[int, str]) -> Ranked:
    """The papers among the first TITLE_WINDOW whose title is the query, moved to the top."""
    if len(query_text) < 12 or not ranked:
        return ranked
    wanted = _normal(query_text)
    exact = {pid for pid, _ in ranked[:TITLE_WINDOW] if _normal(titles.get(pid, "")) == wanted}
    return [p for p in ranked if p[0] in exact] + [p for p in ranked if p[0] not in exact]


class SearchService:
    def __init__(
        self,
        store: PaperStore,
        lexical: LexicalIndex,
        vectors: VectorIndex,
        embedder: Embedder,
        fusion: FusionSettings | None = None,
    ) -> None:
        self.store = store
        self.lexical = lexical
        self.vectors = vectors
        self.embedder = embedder
        self.embeddings = EmbeddingRepo(store.db, embedder.name)
        self.crowding = NeighbourhoodCache(self.embeddings)
        self.sentences = SentenceRepo(store.db, embedder.name)
        self.fusion = fusion or FusionSettings()
        self._similar_cache: dict[tuple[int, int], tuple[float, Ranked]] = {}

    def warm(self) -> None:
        """Load the saved indexes (or build them) before the first search needs them."""
        self.lexical.warm()
        self.vectors.warm()

    # -- ranking ---------------------------------------------------------------------------
    def rank(
        self,
        query: ParsedQuery,
        *,
        mode: Mode = "hybrid",
        limit: int = 100,
        exclude: int | None = None,
        titles_first: bool = True,
    ) -> Ranked:
        """Best-first (paper_id, score) for a parsed query (``titles_first``: a paper whose
        title is the query goes first; search() does that with the papers it loads)."""
        if query.arxiv_id:
            paper = self.store.get_paper(query.arxiv_id)
            return [(paper.id, 1.0)] if paper else []
        if not query.text:
            return self.lexical.newest(query, limit=limit)
        depth = max(limit, self.fusion.candidates) + (1 if exclude else 0)
        lists: list[Ranked] = []
        weights: list[float] = []
        if mode in ("hybrid", "lexical"):
            lists.append(self.lexical.search(query, limit=depth))
            weights.append(self.fusion.lexical_weight)
        if mode in ("hybrid", "dense"):
            vector = self.embedder.embed([query.text])[0]
            filters, check = self.lexical.filters(query), self.lexical.filter_check(query)
            lists.append(self._semantic(vector, depth, filters, check))
            weights.append(self.fusion.dense_weight)
        fused = lists[0] if len(lists) == 1 else rrf(lists, k=self.fusion.k, weights=weights)
        fused = [(pid, s) for pid, s in fused if pid != exclude]
        return (self._title_first(query, fused) if titles_first else fused)[:limit]

    def _semantic(
        self,
        vector: Vectors,
        depth: int,
        filters: Sequence[ColumnElement[bool]] = (),
        check: FilterCheck | None = None,
    ) -> Ranked:
        """Nearest papers, re-scored by how crowded their neighbourhoods are (from a wider
        neighbourhood: a paper just outside the nearest ``depth`` may rise into them; a
        filtered search already looks wider, see vectors.py)."""
        probe = depth if (filters or check) else depth * self.fusion.crowding_probe
        ranked = self.vectors.search(vector, limit=probe, filters=filters, check=check)
        crowding = self.crowding.of([pid for pid, _ in ranked])
        return decrowd(ranked, crowding, weight=self.fusion.crowding_weight)[:depth]

    def _title_first(self, query: ParsedQuery, ranked: Ranked) -> Ranked:
        """A query that is exactly a paper's title puts that paper first."""
        if len(query.text) < 12 or not ranked:
            return ranked
        ids = [pid for pid, _ in ranked[:TITLE_WINDOW]]
        with self.store.db.reader.connect() as conn:
            rows = conn.execute(select(Paper.id, Paper.title).where(Paper.id.in_(ids))).all()
        return exact_title_first(query.text, ranked, {int(pid): t for pid, t in rows})

    def similar_ranked(self, paper: Paper, *, mode: Mode = "hybrid", limit: int = 10) -> Ranked:
        """Papers like ``paper`` (itself excluded): its vector and its text as the query."""
        text = paper_text(paper.title, paper.abstract)
        depth = max(limit, self.fusion.candidates) + 1
        lists: list[Ranked] = []
        weights: list[float] = []
        if mode in ("hybrid", "lexical"):
            lists.append(
                self.lexical.search(ParsedQuery(text=text, words=text.split()), limit=depth)
            )
            weights.append(self.fusion.lexical_weight)
        if mode in ("hybrid", "dense"):
            vector = self.embeddings.vector_of(paper.id)
            if vector is None:
                vector = self.embedder.embed([text])[0]
            lists.append(self._semantic(vector, depth))
            weights.append(self.fusion.dense_weight)
        fused = lists[0] if len(lists) == 1 else rrf(lists, k=self.fusion.k, weights=weights)
        ranked = [(pid, s) for pid, s in fused if pid != paper.id]
        return (self._by_sentences(paper.id, ranked) if mode == "hybrid" else ranked)[:limit]

    def _by_sentences(self, paper_id: int, ranked: Ranked) -> Ranked:
        """The head re-ranked by sentence matching, once the paper's sentences are embedded."""
        found = self.sentences.of([paper_id, *(pid for pid, _ in ranked[:SENTENCE_HEAD])])
        query = found.pop(paper_id, None)
        return ranked if query is None else sentence_rerank(ranked, query, found)

    # -- results ---------------------------------------------------------------------------
    def search(
        self,
        raw: str,
        *,
        limit: int = 20,
        offset: int = 0,
        sort: Sort = "relevance",
        mode: Mode = "hybrid",
        snippets: bool = True,
        literal: bool = False,
    ) -> SearchResult:
        """Results for the search box. Words no paper contains are typos or junk: when every
        word is one, the results are for the corrected query (or there are none, never the
        dense model's guesses for noise); when some are, a correction is suggested.
        ``literal`` takes the query as typed."""
        query = parse_query(raw)
        result = SearchResult(query)
        if query.is_empty:
            return result
        unknown = [] if literal or mode != "hybrid" else self._unknown_words(query)
        if unknown:
            fixes = self._corrections(query, unknown)
            result.suggestion = corrected(raw, fixes) if fixes else None
            if len(unknown) == len(query.words) and not query.phrases:
                if result.suggestion is None:
                    return result  # junk: no results, and the page says what to try
                fixed = self.search(
                    result.suggestion,
                    limit=limit,
                    offset=offset,
                    sort=sort,
                    mode=mode,
                    snippets=snippets,
                    literal=True,
                )
                fixed.corrected_from, fixed.suggestion = raw, result.suggestion
                return fixed
        result.hits = self._hits(
            query, limit=limit, offset=offset, sort=sort, mode=mode, snippets=snippets
        )
        return result

    def _hits(
        self,
        query: ParsedQuery,
        *,
        limit: int,
        offset: int,
        sort: Sort,
        mode: Mode,
        snippets: bool,
    ) -> list[Hit]:
        with SEARCH_LATENCY.labels("search").time():
            limit_ranked = max(self.fusion.candidates, offset + limit)
            if query.excluded:  # some candidates will be left out: look deeper
                limit_ranked *= 2
            ranked = self.rank(query, mode=mode, limit=limit_ranked, titles_first=False)
            if query.arxiv_id and ranked:  # that paper first, then its neighbours
                paper = self.store.get_paper_by_id(ranked[0][0])
                if paper is not None:
                    ranked += self.similar_ranked(paper, limit=max(0, offset + limit - 1))
            ranked = self._without_excluded(query, ranked)
        if sort != "relevance":
            ranked = self._reorder(ranked, sort)
        # One load for the page and the head: the exact-title check reorders only the head
        head = ranked[:TITLE_WINDOW] if sort == "relevance" and not query.arxiv_id else []
        papers = self._papers([pid for pid, _ in head + ranked[offset : offset + limit]])
        if head:
            titles = {pid: paper.title for pid, paper in papers.items()}
            ranked = exact_title_first(query.text, ranked, titles)
        return [
            Hit(papers[pid], score, snippet(papers[pid].abstract, query.text) if snippets else [])
            for pid, score in ranked[offset : offset + limit]
            if pid in papers
        ]

    def _unknown_words(self, query: ParsedQuery) -> list[str]:
        """The query's words that no paper contains (short queries only)."""
        if query.arxiv_id or not query.words or len(query.words) > MAX_SUGGEST_WORDS:
            return []
        return [word for word in query.words if checkable(word) and not self.lexical.known(word)]

    def _corrections(self, query: ParsedQuery, unknown: list[str]) -> dict[str, str]:
        """Each unknown word's closest spelling among the dense model's nearest papers."""
        vector = self.embedder.embed([query.text])[0]
        near = self._papers([pid for pid, _ in self._semantic(vector, SUGGEST_DEPTH)])
        words = vocabulary(f"{p.title} {p.abstract or ''}" for p in near.values())
        fixes = {word: closest(word, words) for word in unknown}
        return {word: fix for word, fix in fixes.items() if fix and fix != word.lower()}

    def _without_excluded(self, query: ParsedQuery, ranked: Ranked) -> Ranked:
        pattern = excludes(query.excluded)
        if pattern is None:
            return ranked
        papers = self._papers([pid for pid, _ in ranked])
        return [
            (pid, s) for pid, s in ranked if pid in papers and not is_excluded(papers[pid], pattern)
        ]

    def _reorder(self, ranked: Ranked, sort: Sort) -> Ranked:
        """The candidates by publication date or upvotes instead of relevance."""
        column = Paper.published if sort == "newest" else Paper.upvotes
        ids = [pid for pid, _ in ranked]
        with self.store.db.reader.connect() as conn:
            keys = dict(conn.execute(select(Paper.id, column).where(Paper.id.in_(ids))).all())
        order: dict[int, Any] = {pid: keys.get(pid) for pid in ids}
        present = [p for p in ranked if order[p[0]] is not None]
        missing = [p for p in ranked if order[p[0]] is None]
        present.sort(key=lambda p: order[p[0]], reverse=True)
        return present + missing

    def similar(self, paper: Paper, *, limit: int = 10) -> list[Hit]:
        """Similar papers, remembered for a few minutes (paper pages ask on every view)."""
        key = (paper.id, limit)
        cached = self._similar_cache.get(key)
        if cached and monotonic() - cached[0] < SIMILAR_CACHE_SECONDS:
            ranked = cached[1]
        else:
            with SEARCH_LATENCY.labels("similar").time():
                ranked = self.similar_ranked(paper, limit=limit)
            if len(self._similar_cache) > SIMILAR_CACHE_SIZE:
                self._similar_cache.clear()
            self._similar_cache[key] = (monotonic(), ranked)
        papers = self._papers([pid for pid, _ in ranked])
        return [Hit(papers[pid], score, []) for pid, score in ranked if pid in papers]

    def _papers(self, ids: list[int]) -> dict[int, Paper]:
        if not ids:
            return {}
        with self.store.session() as session:
            return {p.id: p for p in session.scalars(select(Paper).where(Paper.id.in_(ids)))}
