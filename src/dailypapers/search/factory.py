"""Build the search service that matches the store's engine."""

from __future__ import annotations

from pathlib import Path

from dailypapers.search.embed import Embedder, OnnxEmbedder
from dailypapers.search.embeddings import EmbeddingRepo
from dailypapers.search.service import FusionSettings, SearchService
from dailypapers.search.vectors import VectorIndex
from dailypapers.store import PaperStore


def build_search(
    store: PaperStore,
    *,
    data_dir: Path | None,
    max_tokens: int = 128,
    embedder: Embedder | None = None,
    threads: int = 1,  # one query on one core: measured faster, and requests use both
    fusion: FusionSettings | None = None,
) -> SearchService:
    embedder = embedder or OnnxEmbedder(max_tokens=max_tokens, threads=threads)
    vectors = vector_index(EmbeddingRepo(store.db, embedder.name), data_dir=data_dir)
    lexical = store.db.backend.keyword_index(store.db, data_dir)
    return SearchService(store, lexical, vectors, embedder, fusion)


def vector_index(repo: EmbeddingRepo, *, data_dir: Path | None) -> VectorIndex:
    """pgvector on PostgreSQL; on SQLite, the usearch mirror saved under the data dir."""
    return repo.db.backend.vector_index(repo, data_dir)
