"""Keyword (BM25-style) rankers: SQLite FTS5 and PostgreSQL full-text search.

Both indexes live in the database and are kept in step by it (FTS5 triggers, a generated
tsvector column), so they can never drift from the papers. Terms are reduced to plain word
characters before they reach either query language: no user input can break the parser.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import datetime, time, timedelta
from time import monotonic
from typing import Any, Protocol

from sqlalchemy import (
    ColumnElement,
    Connection,
    Text,
    and_,
    cast,
    column,
    func,
    literal_column,
    or_,
    select,
    table,
    text,
)

from dailypapers.db import Database
from dailypapers.models import Paper
from dailypapers.search.fusion import Ranked
from dailypapers.search.query import ParsedQuery

FTS = table("papers_fts", column("rowid"))  # SQLite's FTS5 index (see migration 0003)
_WORD = re.compile(r"\w+", re.UNICODE)
MAX_TERMS = 64
STOPWORDS = frozenset(
    "a an and are as at be been but by can could do does for from had has have how i if in "  # noqa: SIM905
    "into is it its may more most no not of on or our over so such than that the their then "
    "there these they this those through to under up use used using via was we were what when "
    "where which while who why will with would you".split()
)
QUERY_TF_CAP = 3
AND_ENOUGH = 30


def weighted_terms(text_value: str) -> list[tuple[str, int]]:
    """Distinct lower-case terms (no stop words) with their counts in the query; at most
    MAX_TERMS of them: for a pasted abstract, the longest (rarest-looking) ones, in order."""
    counts: dict[str, int] = {}
    for word in _WORD.findall(text_value.lower()):
        if word in STOPWORDS or len(word) < 2:
            continue
        counts[word[:64]] = counts.get(word[:64], 0) + 1
    terms = list(counts)
    if len(terms) > MAX_TERMS:
        keep = set(sorted(terms, key=len, reverse=True)[:MAX_TERMS])
        terms = [t for t in terms if t in keep]
    return [(t, counts[t]) for t in terms]


def terms_of(text_value: str) -> list[str]:
    return [term for term, _ in weighted_terms(text_value)]


def phrase_terms(phrase: str) -> list[str]:
    return [w[:64] for w in _WORD.findall(phrase.lower())][:16]


def rarest_within(frequencies: Sequence[tuple[float, str]], budget: float) -> set[str]:
    """The rarest terms whose document frequencies add up to ``budget`` (at least three):
    the common ones left out weigh little in BM25 but are what makes OR queries slow."""
    kept: set[str] = set()
    postings = 0.0
    for df, term in sorted(frequencies):
        if postings + df > budget and len(kept) >= 3:
            break
        kept.add(term)
        postings += df
    return kept


class LexicalIndex(Protocol):
    def search(self, query: ParsedQuery, *, limit: int) -> Ranked:
        """Best-first (paper_id, score) for the query's words, phrases and filters."""

    def filters(self, query: ParsedQuery) -> list[ColumnElement[bool]]:
        """SQL conditions on Paper for the query's author, category and date filters."""


def common_filters(query: ParsedQuery, *, categories: bool = True) -> list[ColumnElement[bool]]:
    clauses: list[ColumnElement[bool]] = []
    if query.categories and categories:
        as_text = cast(Paper.categories, Text)
        clauses.append(or_(*(as_text.like(f'%"{c[:32]}"%') for c in query.categories)))
    if query.after:
        clauses.append(Paper.published >= datetime.combine(query.after, time.min))
    if query.before:
        clauses.append(
            Paper.published < datetime.combine(query.before, time.min) + timedelta(days=1)
        )
    return clauses


class SqliteLexical:
    """FTS5 with Porter stemming; bm25() with the title weighted above abstract and authors.

    Before a query runs, its terms are stemmed by FTS5 itself (a tiny temporary index) and
    looked up in the index's vocabulary. The rarest terms are kept until their posting lists
    add up to POSTINGS_BUDGET documents (at least three terms): the common ones left out weigh
    almost nothing in BM25, yet scoring their long posting lists is what makes OR queries
    slow on a large corpus. Small corpora keep every term.
    """

    POSTINGS_BUDGET = 15_000
    CACHE_SECONDS = 600.0

    def __init__(self, db: Database, weights: Sequence[float] = (2.0, 1.0, 0.5)) -> None:
        self.db = db
        self.weights = tuple(float(w) for w in weights)
        self._stats: dict[str, tuple[str, int]] = {}  # term -> (stem, document frequency)
        self._stats_time = 0.0

    @staticmethod
    def match_expression(
        query: ParsedQuery, keep: Callable[[list[str]], set[str]] | None = None
    ) -> str | None:
        weighted = weighted_terms(" ".join(query.words))
        kept = keep([t for t, _ in weighted]) if keep else {t for t, _ in weighted}
        # FTS5's bm25() scores every query phrase, so repeating a term weights it by its
        # frequency in the query (capped): whole-abstract queries gain a lot from this.
        parts = [
            f'"{term}"'
            for term, count in weighted
            if term in kept
            for _ in range(min(count, QUERY_TF_CAP))
        ]
        parts += ['"' + " ".join(words) + '"' for p in query.phrases if (words := phrase_terms(p))]
        return " OR ".join(parts) or None

    def _term_stats(self, conn: Connection, terms: list[str]) -> dict[str, tuple[str, int]]:
        if monotonic() - self._stats_time > self.CACHE_SECONDS or len(self._stats) > 100_000:
            self._stats.clear()
            self._stats_time = monotonic()
        missing = [t for t in terms if t not in self._stats]
        if missing:
            stems = self._stems(conn, missing)
            for term in missing:
                stem = stems.get(term, term)
                df = conn.exec_driver_sql(
                    "SELECT doc FROM papers_fts_vocab WHERE term = ?", (stem,)
                ).scalar()
                self._stats[term] = (stem, int(df or 0))
        return {t: self._stats[t] for t in terms}

    @staticmethod
    def _stems(conn: Connection, terms: list[str]) -> dict[str, str]:
        """Each term's stem, as FTS5's own tokenizer makes it (via a temporary index)."""
        conn.exec_driver_sql(
            "CREATE VIRTUAL TABLE IF NOT EXISTS temp.stem_probe USING fts5(t, "
            "tokenize='porter unicode61 remove_diacritics 2')"
        )
        conn.exec_driver_sql(
            "CREATE VIRTUAL TABLE IF NOT EXISTS temp.stem_probe_vocab "
            "USING fts5vocab(temp, stem_probe, instance)"
        )
        conn.exec_driver_sql("DELETE FROM temp.stem_probe")
        for i, term in enumerate(terms):
            conn.exec_driver_sql("INSERT INTO temp.stem_probe(rowid, t) VALUES (?, ?)", (i, term))
        rows = conn.exec_driver_sql("SELECT doc, term FROM temp.stem_probe_vocab").all()
        conn.exec_driver_sql("DELETE FROM temp.stem_probe")
        return {terms[int(doc)]: str(stem) for doc, stem in rows}

    def _keeper(self, conn: Connection) -> Callable[[list[str]], set[str]]:
        def keep(terms: list[str]) -> set[str]:
            stats = self._term_stats(conn, terms)
            found = [(df, t) for t, (_, df) in stats.items() if df > 0]
            return rarest_within(found, self.POSTINGS_BUDGET)

        return keep

    def filters(self, query: ParsedQuery, *, categories: bool = True) -> list[ColumnElement[bool]]:
        clauses = common_filters(query, categories=categories)
        for author in query.authors:
            words = phrase_terms(author)
            if words:
                match = 'authors : "' + " ".join(words) + '"'
                clauses.append(
                    Paper.id.in_(
                        select(FTS.c.rowid).where(text("papers_fts MATCH :m").bindparams(m=match))
                    )
                )
        return clauses

    def search(self, query: ParsedQuery, *, limit: int) -> Ranked:
        with self.db.reader.connect() as conn:
            expression = self.match_expression(query, self._keeper(conn))
            if expression is None:
                return []
            # Categories are an FTS5 column: a cat: filter joins the MATCH, so bm25() only
            # scores papers in the category and no candidate list has to be filtered after.
            filters = self.filters(query, categories=False)
            in_categories = self.category_clause(query)
            # A short query tries papers with every term first: when there are enough of them
            # they rank the same at the top, at a fraction of the OR query's cost.
            conjunction = self.all_terms(expression)
            attempts = [a for a in (conjunction, expression) if a]
            if in_categories:
                attempts = [f"({a}) AND {in_categories}" for a in attempts]
                expression = attempts[-1]
            for attempt in attempts:
                ranked = self._filtered_run(conn, attempt, limit, filters)
                # Enough papers with every term: the OR query would only add weaker ones.
                if len(ranked) >= min(limit, AND_ENOUGH) or attempt == expression:
                    return ranked
            return []

    def _filtered_run(
        self, conn: Connection, expression: str, limit: int, filters: list[ColumnElement[bool]]
    ) -> Ranked:
        if not filters:
            return self._run(conn, expression, limit, [])
        # Filters before truncation: filter a generous candidate list, and fall back to a
        # filtered scan of every match when too few candidates pass.
        depth = max(limit * 10, 1000)
        candidates = self._run(conn, expression, depth, [])
        ids = [pid for pid, _ in candidates]
        passing = set(conn.scalars(select(Paper.id).where(Paper.id.in_(ids), *filters)))
        ranked = [(pid, s) for pid, s in candidates if pid in passing]
        if len(ranked) >= min(limit, AND_ENOUGH) or len(candidates) < depth:
            return ranked[:limit]
        return self._run(conn, expression, limit, filters)

    @staticmethod
    def category_clause(query: ParsedQuery) -> str | None:
        phrases = ['"' + " ".join(w) + '"' for c in query.categories if (w := phrase_terms(c[:32]))]
        return f"categories : ({' OR '.join(phrases)})" if phrases else None

    @staticmethod
    def all_terms(expression: str) -> str | None:
        terms = list(dict.fromkeys(expression.split(" OR ")))
        if len(terms) > 4 or any(" " in t for t in terms):
            return None
        return " AND ".join(terms) if len(terms) > 1 else None

    def _run(
        self, conn: Connection, expression: str, limit: int, filters: list[ColumnElement[bool]]
    ) -> Ranked:
        w_title, w_abstract, w_authors = self.weights
        score = text(f"bm25(papers_fts, {w_title}, {w_abstract}, {w_authors}, 0.0)")
        stmt = select(FTS.c.rowid, score).where(
            text("papers_fts MATCH :expr").bindparams(expr=expression)
        )
        if filters:
            stmt = stmt.join(Paper, Paper.id == FTS.c.rowid).where(and_(*filters))
        stmt = stmt.order_by(score).limit(limit)
        return [(int(pid), -float(s)) for pid, s in conn.execute(stmt)]


class PostgresLexical:
    """PostgreSQL's own full-text search: weighted tsvector (title A, authors B, abstract C).

    ts_rank() must score every matching row, so broad OR queries are the cost. As on SQLite,
    a short query tries all its terms first, and a long one keeps its rarest terms up to a
    postings budget; document frequencies come from the planner's statistics on the
    tsvector column (pg_stats.most_common_elems, refreshed by ANALYZE): a term not listed
    there is rarer than every listed one.
    """

    POSTINGS_BUDGET = 8_000
    CACHE_SECONDS = 600.0

    def __init__(self, db: Database) -> None:
        self.db = db
        self._common: dict[str, float] = {}  # stem -> estimated document count
        self._rare = 0.0
        self._stems: dict[str, str] = {}
        self._loaded = -self.CACHE_SECONDS

    @staticmethod
    def tsquery(
        query: ParsedQuery, keep: Callable[[list[str]], set[str]] | None = None
    ) -> str | None:
        terms = terms_of(" ".join(query.words))
        kept = keep(terms) if keep else set(terms)
        parts = [f"'{t}'" for t in terms if t in kept]
        parts += [
            "(" + " <-> ".join(f"'{w}'" for w in words) + ")"
            for p in query.phrases
            if (words := phrase_terms(p))
        ]
        return " | ".join(parts) or None

    def _statistics(self, conn: Connection) -> None:
        if monotonic() - self._loaded < self.CACHE_SECONDS:
            return
        row = conn.exec_driver_sql(
            "SELECT most_common_elems::text::text[], most_common_elem_freqs,"
            " (SELECT reltuples FROM pg_class WHERE relname = 'papers')"
            " FROM pg_stats WHERE tablename = 'papers' AND attname = 'search_vector'"
        ).first()
        self._common, self._rare = {}, 0.0
        if row is not None and row[0]:
            elements, freqs, rows = row
            self._common = {e: f * max(rows, 0) for e, f in zip(elements, freqs, strict=False)}
            self._rare = min(self._common.values()) / 2
        self._loaded = monotonic()

    def _keeper(self, conn: Connection) -> Callable[[list[str]], set[str]]:
        def keep(terms: list[str]) -> set[str]:
            self._statistics(conn)
            if not self._common:
                return set(terms)
            missing = [t for t in terms if t not in self._stems]
            if missing:
                for term, vector in conn.exec_driver_sql(
                    "SELECT t, to_tsvector('english', t)::text FROM unnest(%(a)s::text[]) t",
                    {"a": missing},
                ):
                    self._stems[term] = vector.split("'")[1] if "'" in vector else ""
            estimated = [(self._common.get(self._stems[t], self._rare), t) for t in terms]
            return rarest_within(estimated, self.POSTINGS_BUDGET)

        return keep

    def filters(self, query: ParsedQuery) -> list[ColumnElement[bool]]:
        clauses = common_filters(query)
        for author in query.authors:
            words = phrase_terms(author)
            if words:
                clauses.append(
                    func.lower(cast(Paper.authors, Text)).like("%" + "%".join(words) + "%")
                )
        return clauses

    def search(self, query: ParsedQuery, *, limit: int) -> Ranked:
        with self.db.reader.connect() as conn:
            expression = self.tsquery(query, self._keeper(conn))
            if expression is None:
                return []
            terms = list(dict.fromkeys(expression.split(" | ")))
            short = 1 < len(terms) <= 4 and not any(" " in t for t in terms)
            attempts = [" & ".join(terms)] if short else []
            for attempt in [*attempts, expression]:
                ranked = self._run(conn, attempt, limit, self.filters(query))
                if len(ranked) >= min(limit, AND_ENOUGH) or attempt == expression:
                    return ranked
        return []

    @staticmethod
    def _run(
        conn: Connection, expression: str, limit: int, filters: list[ColumnElement[bool]]
    ) -> Ranked:
        tsq = func.to_tsquery("english", expression)
        vector: ColumnElement[Any] = literal_column("papers.search_vector")
        score = func.ts_rank(vector, tsq)
        stmt = (
            select(Paper.id, score)
            .where(vector.op("@@")(tsq))
            .where(*filters)
            .order_by(score.desc(), Paper.id)
            .limit(limit)
        )
        return [(int(pid), float(s)) for pid, s in conn.execute(stmt)]


def lexical_for(db: Database) -> LexicalIndex:
    return PostgresLexical(db) if db.dialect == "postgresql" else SqliteLexical(db)
