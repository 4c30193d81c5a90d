"""The personal section: a period's new papers matched to one reader's interests.

It runs the search code's parts over the period's papers only: the same query language,
the site's keyword index (tantivy or PostgreSQL, filtered to the period's papers, every
term of a short query required), the bundled embedding model, and reciprocal rank
fusion. Followed authors come first; a topic query needs every term of a short query or a
close embedding; "like my upvotes" uses the centroid of the reader's upvoted papers.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from dailypapers.digest.content import DigestPaper, PeriodPapers, digest_paper
from dailypapers.digest.following import Followed
from dailypapers.digest.interests import Interests
from dailypapers.people.author_names import author_key
from dailypapers.search.embed import Embedder
from dailypapers.search.embeddings import EmbeddingRepo
from dailypapers.search.fusion import Ranked, rrf
from dailypapers.search.lexical import LexicalIndex
from dailypapers.search.query import ParsedQuery, parse_query
from dailypapers.search.service import FusionSettings

DENSE_MIN = 0.35  # cosine a topic needs without a keyword match (MiniLM: unrelated ≈ 0–0.2)
LEXICAL_COS_MIN = 0.15  # a keyword match must still be roughly on topic
LIKE_MIN = 0.45  # cosine to the reader's upvote centroid
DEPTH = 100


@dataclass
class Reader:
    subscription_id: int
    interests: Interests
    upvoted: list[int] = field(default_factory=list)  # paper ids, for "like my upvotes"
    seen: set[int] = field(default_factory=set)  # papers already mailed to this reader
    followed: Followed = field(default_factory=Followed)


class PersonalMatcher:
    def __init__(
        self,
        papers: PeriodPapers,
        embeddings: EmbeddingRepo,
        embedder: Embedder,
        lexical: LexicalIndex,
        *,
        base_url: str,
        fusion: FusionSettings | None = None,
    ) -> None:
        self.papers = papers.candidates
        self.embeddings = embeddings
        self.embedder = embedder
        self.lexical = lexical
        self.base_url = base_url
        self.fusion = fusion or FusionSettings()
        self.exclude_always = papers.trending_ids
        ids = [p.id for p in self.papers]
        stored = embeddings.vectors_of(ids)
        self.vectors = np.zeros((len(ids), embedder.dimensions), dtype=np.float32)
        for row, pid in enumerate(ids):
            if (vector := stored.get(pid)) is not None:
                self.vectors[row] = vector
        self.missing_vectors = len(ids) - len(stored)
        self._row_of = {paper.id: row for row, paper in enumerate(self.papers)}
        self._within = frozenset(self._row_of)
        self._by_author: dict[str, list[int]] = {}
        self._by_category: dict[str, set[int]] = {}
        for row, paper in enumerate(self.papers):
            for author in paper.authors or []:
                self._by_author.setdefault(author_key(author), []).append(row)
            for category in paper.categories or []:
                self._by_category.setdefault(category.lower(), set()).add(row)
        self._query_vectors: dict[str, np.ndarray] = {}

    def prepare(self, queries: Iterable[str]) -> None:
        """Embed the topic queries of a batch of readers at once (batches are much faster)."""
        todo = list(dict.fromkeys(q for q in queries if q and q not in self._query_vectors))
        if todo:
            for text, vector in zip(todo, self.embedder.embed(todo), strict=True):
                self._query_vectors[text] = vector
        if len(self._query_vectors) > 50_000:
            self._query_vectors.clear()

    # -- one reader ------------------------------------------------------------------------
    def match(self, reader: Reader, limit: int) -> list[DigestPaper]:
        if limit <= 0 or not self.papers:
            return []
        interests = reader.interests
        parsed = parse_query(interests.query) if interests.query else None
        allowed = self._allowed_rows(
            [*interests.categories, *(parsed.categories if parsed else [])]
        )
        authors = [*interests.authors, *(parsed.authors if parsed else [])]
        lists: list[Ranked] = []
        weights: list[float] = []
        if parsed is not None and parsed.text:
            vector = self._query_vector(parsed.text)
            lists.append(self._gated(self._lexical(parsed.words, parsed.phrases), vector))
            weights.append(self.fusion.lexical_weight)
            lists.append(self._dense(vector, DENSE_MIN))
            weights.append(self.fusion.dense_weight)
        if interests.like_upvoted and reader.upvoted:
            lists.append(self._like(reader.upvoted))
            weights.append(self.fusion.dense_weight)
        ranked: list[tuple[int, str]] = [(row, "by " + name) for row, name in self._by(authors)]
        if lists:
            fused = rrf(lists, k=self.fusion.k, weights=weights) if len(lists) > 1 else lists[0]
            reason = (
                f"matches “{interests.query[:60]}”"
                if interests.query
                else "like papers you upvoted"
            )
            ranked += [(row, reason) for row, _ in fused]
        elif not authors and allowed is not None:  # only categories: their most upvoted
            rows = sorted(allowed, key=lambda r: (-self.papers[r].upvotes, -self.papers[r].id))
            ranked += [(row, "in " + ", ".join(interests.categories)) for row in rows]
        return self._pick(ranked, allowed, reader, limit)

    def _pick(
        self, ranked: list[tuple[int, str]], allowed: set[int] | None, reader: Reader, limit: int
    ) -> list[DigestPaper]:
        chosen: list[DigestPaper] = []
        used: set[int] = set()
        for row, reason in ranked:
            paper = self.papers[row]
            skip = paper.id in reader.seen or paper.id in self.exclude_always
            if skip or row in used or (allowed is not None and row not in allowed):
                continue
            if paper.id in reader.upvoted:
                continue
            used.add(row)
            chosen.append(digest_paper(paper, self.base_url, reason))
            if len(chosen) == limit:
                break
        return chosen

    def _allowed_rows(self, categories: list[str]) -> set[int] | None:
        if not categories:
            return None
        rows: set[int] = set()
        for category in categories:
            rows |= self._by_category.get(category.lower(), set())
        return rows

    def _by(self, authors: list[str]) -> list[tuple[int, str]]:
        return [
            (row, name) for name in authors for row in self._by_author.get(author_key(name), [])
        ]

    def _lexical(self, words: list[str], phrases: list[str]) -> Ranked:
        # Precision first in a mail: a short query must match all of its terms.
        query = ParsedQuery(words=words, phrases=phrases, within=self._within, every_term=True)
        found = self.lexical.search(query, limit=DEPTH)
        return [(self._row_of[pid], score) for pid, score in found if pid in self._row_of]

    def _query_vector(self, text: str) -> np.ndarray:
        if text not in self._query_vectors:
            self.prepare([text])
        return self._query_vectors[text]

    def _gated(self, lexical: Ranked, vector: np.ndarray) -> Ranked:
        """Keyword matches that are not about something else entirely (or not embedded yet)."""
        keep = []
        for row, score in lexical:
            vec = self.vectors[row]
            if not vec.any() or float(vec @ vector) >= LEXICAL_COS_MIN:
                keep.append((row, score))
        return keep

    def _dense(self, vector: np.ndarray, minimum: float) -> Ranked:
        scores = self.vectors @ vector
        top = np.argsort(-scores)[:DEPTH]
        return [(int(row), float(scores[row])) for row in top if scores[row] >= minimum]

    def _like(self, upvoted: list[int]) -> Ranked:
        found = self.embeddings.vectors_of(upvoted[-50:])
        if not found:
            return []
        centroid = np.mean(list(found.values()), axis=0)
        norm = float(np.linalg.norm(centroid))
        return self._dense(centroid / norm, LIKE_MIN) if norm else []
