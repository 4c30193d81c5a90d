"""Keyword (BM25-style) rankers: SQLite FTS5 and PostgreSQL full-text search.

Both indexes live in the database and are kept in step by it (FTS5 triggers, a generated
tsvector column), so they can never drift from the papers. Terms are reduced to plain word
characters before they reach either query language: no user input can break the parser.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime, time, timedelta
from typing import Any, Protocol

from sqlalchemy import (
    ColumnElement,
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
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "been",
        "but",
        "by",
        "can",
        "could",
        "do",
        "does",
        "for",
        "from",
        "had",
        "has",
        "have",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "may",
        "more",
        "most",
        "no",
        "not",
        "of",
        "on",
        "or",
        "our",
        "over",
        "so",
        "such",
        "than",
        "that",
        "the",
        "their",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "to",
        "under",
        "up",
        "use",
        "used",
        "using",
        "via",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "why",
        "will",
        "with",
        "would",
        "you",
    ]
)


def terms_of(text_value: str) -> list[str]:
    """Distinct lower-case word terms without stop words, longest (rarest-looking) kept."""
    seen: dict[str, None] = {}
    for word in _WORD.findall(text_value.lower()):
        if word in STOPWORDS or len(word) < 2:
            continue
        seen.setdefault(word[:64], None)
    terms = list(seen)
    if len(terms) > MAX_TERMS:  # a pasted abstract: keep the longest terms, in order
        keep = set(sorted(terms, key=len, reverse=True)[:MAX_TERMS])
        terms = [t for t in terms if t in keep]
    return terms


def phrase_terms(phrase: str) -> list[str]:
    return [w[:64] for w in _WORD.findall(phrase.lower())][:16]


class LexicalIndex(Protocol):
    def search(self, query: ParsedQuery, *, limit: int) -> Ranked:
        """Best-first (paper_id, score) for the query's words, phrases and filters."""

    def filters(self, query: ParsedQuery) -> list[ColumnElement[bool]]:
        """SQL conditions on Paper for the query's author, category and date filters."""


def common_filters(query: ParsedQuery) -> list[ColumnElement[bool]]:
    clauses: list[ColumnElement[bool]] = []
    if query.categories:
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
    """FTS5 with Porter stemming; bm25() with the title weighted above abstract and authors."""

    def __init__(self, db: Database, weights: Sequence[float] = (2.0, 1.0, 0.5)) -> None:
        self.db = db
        self.weights = tuple(float(w) for w in weights)

    @staticmethod
    def match_expression(query: ParsedQuery) -> str | None:
        parts = ['"' + t + '"' for t in terms_of(" ".join(query.words))]
        parts += ['"' + " ".join(words) + '"' for p in query.phrases if (words := phrase_terms(p))]
        return " OR ".join(parts) or None

    def filters(self, query: ParsedQuery) -> list[ColumnElement[bool]]:
        clauses = common_filters(query)
        for author in query.authors:
            words = phrase_terms(author)
            if words:
                match = 'authors : "' + " ".join(words) + '"'
                clauses.append(
                    Paper.id.in_(
                        select(text("rowid"))
                        .select_from(text("papers_fts"))
                        .where(text("papers_fts MATCH :m").bindparams(m=match))
                    )
                )
        return clauses

    def search(self, query: ParsedQuery, *, limit: int) -> Ranked:
        expression = self.match_expression(query)
        if expression is None:
            return []
        w_title, w_abstract, w_authors = self.weights
        score = text(f"bm25(papers_fts, {w_title}, {w_abstract}, {w_authors})")
        stmt = select(FTS.c.rowid, score).where(
            text("papers_fts MATCH :expr").bindparams(expr=expression)
        )
        filters = self.filters(query)
        if filters:
            stmt = stmt.join(Paper, Paper.id == FTS.c.rowid).where(and_(*filters))
        stmt = stmt.order_by(score).limit(limit)
        with self.db.reader.connect() as conn:
            return [(int(pid), -float(s)) for pid, s in conn.execute(stmt)]


class PostgresLexical:
    """PostgreSQL's own full-text search: weighted tsvector (title A, authors B, abstract C)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    @staticmethod
    def tsquery(query: ParsedQuery) -> str | None:
        parts = [f"'{t}'" for t in terms_of(" ".join(query.words))]
        parts += [
            "(" + " <-> ".join(f"'{w}'" for w in words) + ")"
            for p in query.phrases
            if (words := phrase_terms(p))
        ]
        return " | ".join(parts) or None

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
        expression = self.tsquery(query)
        if expression is None:
            return []
        tsq = func.to_tsquery("english", expression)
        vector: ColumnElement[Any] = literal_column("papers.search_vector")
        score = func.ts_rank(vector, tsq)
        stmt = (
            select(Paper.id, score)
            .where(vector.op("@@")(tsq))
            .where(*self.filters(query))
            .order_by(score.desc(), Paper.id)
            .limit(limit)
        )
        with self.db.reader.connect() as conn:
            return [(int(pid), float(s)) for pid, s in conn.execute(stmt)]


def lexical_for(db: Database) -> LexicalIndex:
    return PostgresLexical(db) if db.dialect == "postgresql" else SqliteLexical(db)
