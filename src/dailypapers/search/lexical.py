"""Keyword search: the query terms, PostgreSQL's full-text ranker, and the SQL filters.

The embedded engine ranks and filters with tantivy (tantivy_lexical.py). Terms are
reduced to plain word characters before they reach any query language: no user input can
break a parser.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import datetime, time, timedelta
from time import monotonic
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy import (
    ColumnElement,
    Connection,
    Text,
    and_,
    cast,
    func,
    literal_column,
    or_,
    select,
)

from dailypapers.db import Database
from dailypapers.models import Paper
from dailypapers.search.fusion import Ranked
from dailypapers.search.query import Filter, ParsedQuery

if TYPE_CHECKING:  # filtering.py needs tantivy; PostgreSQL's ranker does not
    from dailypapers.search.filtering import FilterCheck

_WORD = re.compile(r"\w+", re.UNICODE)
MAX_TERMS = 128
STOPWORDS = frozenset(
    "a an and are as at be been but by can could do does for from had has have how i if in "  # noqa: SIM905
    "into is it its may more most no not of on or our over so such than that the their then "
    "there these they this those through to under up use used using via was we were what when "
    "where which while who why will with would you".split()
)
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


def rarest_within(
    frequencies: Sequence[tuple[float, str]], budget: float, minimum: int = 3
) -> set[str]:
    """The rarest terms whose document frequencies add up to ``budget`` (at least
    ``minimum``): the common ones left out weigh little in BM25 but make OR queries slow."""
    kept: set[str] = set()
    postings = 0.0
    for df, term in sorted(frequencies):
        if postings + df > budget and len(kept) >= minimum:
            break
        kept.add(term)
        postings += df
    return kept


class LexicalIndex(Protocol):
    def search(self, query: ParsedQuery, *, limit: int) -> Ranked:
        """Best-first (paper_id, score) for the query's words, phrases and filters."""

    def newest(self, query: ParsedQuery, *, limit: int) -> Ranked:
        """The papers that pass the query's filters, newest first (a query of filters only)."""

    def filters(self, query: ParsedQuery) -> list[ColumnElement[bool]]:
        """SQL conditions on Paper for the query's author, category and date filters; empty
        where this index applies them itself (its filter_check)."""

    def filter_check(self, query: ParsedQuery) -> FilterCheck | None:
        """The filters applied by this index instead of SQL, where it can; None otherwise."""

    def warm(self) -> None:
        """Load or build what the first search would otherwise wait for."""

    def known(self, word: str) -> bool:
        """Whether any paper contains ``word`` (as this index analyses words)."""


def few_single_terms(terms: Sequence[str]) -> bool:
    """2 to 4 terms and no phrase: short enough to try "every term" before "any term"."""
    return 1 < len(terms) <= 4 and not any(" " in t for t in terms)


def sql_filters(chosen: Filter) -> list[ColumnElement[bool]]:
    """A filter as SQL conditions on Paper, for either engine (PostgreSQL's filters; on
    SQLite, the reference tantivy's filters are tested against)."""
    clauses: list[ColumnElement[bool]] = []
    if chosen.categories:
        as_text = cast(Paper.categories, Text)
        clauses.append(or_(*(as_text.like(f'%"{c[:32]}"%') for c in chosen.categories)))
    if chosen.after:
        clauses.append(Paper.published >= datetime.combine(chosen.after, time.min))
    if chosen.before:
        end = datetime.combine(chosen.before, time.min) + timedelta(days=1)
        clauses.append(Paper.published < end)
    for author in chosen.authors:
        words = phrase_terms(author)
        if words:
            clauses.append(func.lower(cast(Paper.authors, Text)).like("%" + "%".join(words) + "%"))
    if chosen.within is not None:
        clauses.append(Paper.id.in_(sorted(chosen.within)))
    return clauses


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

    def _estimates(self, conn: Connection, terms: list[str]) -> list[tuple[float, str]] | None:
        """(estimated document count, term) per term; None without statistics."""
        self._statistics(conn)
        if not self._common:
            return None
        missing = [t for t in terms if t not in self._stems]
        if missing:
            for term, vector in conn.exec_driver_sql(
                "SELECT t, to_tsvector('english', t)::text FROM unnest(%(a)s::text[]) t",
                {"a": missing},
            ):
                self._stems[term] = vector.split("'")[1] if "'" in vector else ""
        return [(self._common.get(self._stems[t], self._rare), t) for t in terms]

    def _keeper(self, conn: Connection, minimum: int = 3) -> Callable[[list[str]], set[str]]:
        def keep(terms: list[str]) -> set[str]:
            estimated = self._estimates(conn, terms)
            if estimated is None:
                return set(terms)
            return rarest_within(estimated, self.POSTINGS_BUDGET, minimum)

        return keep

    def warm(self) -> None:
        """Nothing to load: the index is PostgreSQL's."""

    def filter_check(self, query: ParsedQuery) -> FilterCheck | None:
        """None: the semantic side filters in SQL (in pgvector's query itself)."""
        return None

    def filters(self, query: ParsedQuery) -> list[ColumnElement[bool]]:
        return sql_filters(query.filter)

    def known(self, word: str) -> bool:
        return bool(self.search(ParsedQuery(text=word, words=[word]), limit=1))

    def newest(self, query: ParsedQuery, *, limit: int) -> Ranked:
        filters = self.filters(query)
        if not filters:
            return []
        stmt = (
            select(Paper.id)
            .where(and_(*filters))
            .order_by(Paper.published.desc().nulls_last(), Paper.id.desc())
            .limit(limit)
        )
        with self.db.reader.connect() as conn:
            ids = list(conn.scalars(stmt))
        return [(int(pid), 1.0 / (rank + 1)) for rank, pid in enumerate(ids)]

    @staticmethod
    def required_tsquery(query: ParsedQuery) -> str | None:
        """``every_term``: each word of a short query (any of a longer one's), every phrase."""
        terms = [f"'{t}'" for t in terms_of(" ".join(query.words))]
        joiner = " & " if len(terms) == 1 or few_single_terms(terms) else " | "
        parts = [f"({joiner.join(terms)})"] if terms else []
        parts += [
            "(" + " <-> ".join(f"'{w}'" for w in words) + ")"
            for p in query.phrases
            if (words := phrase_terms(p))
        ]
        return " & ".join(parts) or None

    def search(self, query: ParsedQuery, *, limit: int) -> Ranked:
        if query.every_term:
            required = self.required_tsquery(query)
            if required is None:
                return []
            with self.db.reader.connect() as conn:
                return self._run(conn, required, limit, self.filters(query))
        with self.db.reader.connect() as conn:
            expression = self.tsquery(query, self._keeper(conn))
            if expression is None:
                return []
            filters = self.filters(query)
            terms = list(dict.fromkeys(expression.split(" | ")))
            if not few_single_terms(terms):
                return self._run(conn, expression, limit, filters)
            # A short query: papers with every term first; when there are too few, then
            # papers with its rare terms only (a common term would make ts_rank score
            # tens of thousands of rows, for very little weight).
            every = self._run(conn, " & ".join(terms), limit, filters)
            if len(every) >= min(limit, AND_ENOUGH):
                return every
            rare = self.tsquery(query, self._keeper(conn, minimum=1)) or expression
            seen = {pid for pid, _ in every}
            more = [p for p in self._run(conn, rare, limit, filters) if p[0] not in seen]
            return (every + more)[:limit]

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
