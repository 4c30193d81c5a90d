"""Grid over the fusion settings on the dev benchmarks (CISI, CSFCube dev).

    python bench/tune_search.py [--max-tokens 256]

Imports, embeds and measures the neighbourhoods of each benchmark once, then scores every
setting; prints nDCG@10 per benchmark and setting. Only the dev folders are used for tuning.
(The keyword field layout was settled the same way: see docs/search.md.)
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
from dailypapers.search.neighbourhood import measure_neighbourhoods
from dailypapers.search.service import FusionSettings
from dailypapers.store import open_store

DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data"
FOLDERS = ["cisi", "csfcube-dev"]
GRID = {
    "k": [5.0, 10.0, 20.0, 60.0],
    "dense_weight": [1.0, 1.5],
    "crowding_weight": [0.0, 0.5, 0.75, 1.0],
}


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
            search = build_search(store, data_dir=None, embedder=embedder)
            measure_neighbourhoods(search.embeddings, search.vectors)
            lexical = score(store, search, bench, to_doc, "lexical")["nDCG@10"]
            print(f"{name} lexical {lexical:.3f}")
            prepared.append((bench, store, to_doc, search))
        for values in itertools.product(*GRID.values()):
            fusion = FusionSettings(**dict(zip(GRID, values, strict=True)))
            row = []
            for bench, store, to_doc, search in prepared:
                search.fusion = fusion
                dense = score(store, search, bench, to_doc, "dense")["nDCG@10"]
                hybrid = score(store, search, bench, to_doc, "hybrid")["nDCG@10"]
                row.append(f"dense {dense:.3f} hybrid {hybrid:.3f}")
            label = " ".join(f"{k}={v:g}" for k, v in zip(GRID, values, strict=True))
            print(f"{label}: " + "  ".join(f"{n} {r}" for n, r in zip(FOLDERS, row, strict=True)))


if __name__ == "__main__":
    main()
