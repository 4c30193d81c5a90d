"""Grid over fusion and BM25 settings on the dev benchmarks (CISI, CSFCube dev).

    python bench/tune_search.py [--max-tokens 256]

Imports and embeds each benchmark once, then scores every setting; prints nDCG@10 per
benchmark and setting. Only the dev folders are used for tuning.
"""

from __future__ import annotations

import argparse
import itertools
import tempfile
from pathlib import Path

from dailypapers.search.embed import OnnxEmbedder
from dailypapers.search.evaluate import load_benchmark, load_corpus, score
from dailypapers.search.factory import build_search
from dailypapers.search.indexer import embed_pending
from dailypapers.search.service import FusionSettings
from dailypapers.search.tantivy_lexical import TantivyLexical
from dailypapers.store import open_store

DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data"
FOLDERS = ["cisi", "csfcube-dev"]
WEIGHTS = [  # BM25 per field; "text" is title and abstract as one field (BM25F-like)
    {"title": 2.0, "abstract": 1.0, "authors": 0.5},
    {"text": 1.0, "authors": 0.5},
    {"text": 1.0, "title": 0.5, "authors": 0.5},
    {"text": 1.0, "title": 0.25, "authors": 0.25},
]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--max-tokens", type=int, default=128)
    parser.add_argument("--model", type=Path, default=None)
    args = parser.parse_args()
    embedder = OnnxEmbedder(args.model, max_tokens=args.max_tokens)
    with tempfile.TemporaryDirectory() as tmp:
        prepared = []
        for name in FOLDERS:
            bench = load_benchmark(DATA / name)
            store = open_store(f"sqlite:///{tmp}/{name}.db")
            store.upgrade()
            to_doc = load_corpus(store, bench)
            embed_pending(store.db, embedder)
            prepared.append((name, bench, store, to_doc))
        for name, bench, store, to_doc in prepared:
            search = build_search(store, data_dir=None, embedder=embedder)
            for mode in ("lexical", "dense"):
                print(name, mode, f"{score(store, search, bench, to_doc, mode)['nDCG@10']:.3f}")
        grid = itertools.product(WEIGHTS, [10.0, 20.0, 40.0], [1.0, 1.5, 2.0])
        for weights, k, dense_weight in grid:
            row = []
            for _name, bench, store, to_doc in prepared:
                search = build_search(
                    store,
                    data_dir=None,
                    embedder=embedder,
                    fusion=FusionSettings(k=k, dense_weight=dense_weight),
                )
                assert isinstance(search.lexical, TantivyLexical)
                search.lexical = TantivyLexical(search.lexical.index, weights)
                row.append(score(store, search, bench, to_doc, "hybrid")["nDCG@10"])
            print(
                f"bm25 {weights} k={k:g} dense×{dense_weight:g}: "
                + "  ".join(f"{n} {v:.3f}" for n, v in zip(FOLDERS, row, strict=True))
            )


if __name__ == "__main__":
    main()
