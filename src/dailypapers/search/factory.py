"""Build the search service that matches the store's engine."""

from __future__ import annotations

from pathlib import Path

from dailypapers.search.embed import Embedder, OnnxEmbedder
from dailypapers.search.lexical import lexical_for
from dailypapers.search.service import FusionSettings, SearchService
from dailypapers.search.vectors import EmbeddingRepo, PgVectorIndex, UsearchIndex, VectorIndex
from dailypapers.store import PaperStore


def build_search(
    store: PaperStore,
    *,
    data_dir: Path | None,
    max_tokens: int = 128,
    embedder: Embedder | None = None,
    threads: int = 2,
    fusion: FusionSettings | None = None,
) -> SearchService:
    embedder = embedder or OnnxEmbedder(max_tokens=max_tokens, threads=threads)
    repo = EmbeddingRepo(store.db, embedder.name)
    vectors: VectorIndex
    if store.db.dialect == "postgresql":
        vectors = PgVectorIndex(repo)
    else:
        vectors = UsearchIndex(repo, data_dir / "vectors" if data_dir else None)
    return SearchService(store, lexical_for(store.db), vectors, embedder, fusion)
