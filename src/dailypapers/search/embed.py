"""Sentence embeddings with the bundled all-MiniLM-L6-v2 (ONNX, int8) on onnxruntime.

No torch and no network: the graph and tokenizer ship in ``search/model``. With runs of
several texts (batch_size > 1), texts are sorted by length so padding stays small; the graph
outputs L2-normalised vectors.

Speed on 2 cores (docs/search.md): one text per run, each run on one core, two runs at a time:
~150 papers/s (4 texts per run: ~160); one run of 32 texts over two intra-op threads (the
first design) managed ~85. onnxruntime's intra-op threads split each matrix product, which at
these sizes costs more in synchronisation than it saves. One text per run also makes a
vector depend on its text alone: the int8 graph quantises activations with one scale per run.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Protocol

import numpy as np
import onnxruntime as ort
from numpy.typing import NDArray
from tokenizers import Tokenizer

MODEL_DIR = Path(__file__).parent / "model"
MODEL_NAME = "minilm-l6-int8"
DIMENSIONS = 384
Vectors = NDArray[np.float32]


class Embedder(Protocol):
    name: str
    dimensions: int

    def embed(self, texts: Sequence[str]) -> Vectors:
        """One L2-normalised row per text."""


def paper_text(title: str, abstract: str) -> str:
    """What a paper is embedded as: its title, then its abstract."""
    return f"{title}. {abstract}".strip()


class OnnxEmbedder:
    """The bundled model; thread-safe, lazily loaded. ``threads``: runs in parallel, each on
    one core (an onnxruntime session may run from several threads at once)."""

    def __init__(
        self,
        model: Path | None = None,
        *,
        max_tokens: int = 128,
        threads: int = 2,
        batch_size: int = 1,
    ) -> None:
        self.model_path = model or MODEL_DIR / f"{MODEL_NAME}.onnx"
        self.name = self.model_path.stem + f"@{max_tokens}"
        self.dimensions = DIMENSIONS
        self.max_tokens = max_tokens
        self.threads = threads
        self.batch_size = batch_size
        self._session: ort.InferenceSession | None = None
        self._tokenizer: Tokenizer | None = None
        self._lock = threading.Lock()
        self._pool: ThreadPoolExecutor | None = None

    def _load(self) -> tuple[ort.InferenceSession, Tokenizer]:
        with self._lock:
            if self._session is None or self._tokenizer is None:
                options = ort.SessionOptions()
                options.intra_op_num_threads = 1
                options.inter_op_num_threads = 1
                self._session = ort.InferenceSession(
                    str(self.model_path), options, providers=["CPUExecutionProvider"]
                )
                tokenizer = Tokenizer.from_file(str(MODEL_DIR / "tokenizer.json"))
                tokenizer.enable_truncation(self.max_tokens)
                tokenizer.enable_padding()
                self._tokenizer = tokenizer
            return self._session, self._tokenizer

    def embed(self, texts: Sequence[str]) -> Vectors:
        session, tokenizer = self._load()
        out = np.zeros((len(texts), self.dimensions), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        batches = [order[s : s + self.batch_size] for s in range(0, len(order), self.batch_size)]

        def run(rows: list[int]) -> None:
            encoded = tokenizer.encode_batch([texts[i] or " " for i in rows])
            ids = np.array([e.ids for e in encoded], dtype=np.int64)
            mask = np.array([e.attention_mask for e in encoded], dtype=np.int64)
            out[rows] = session.run(None, {"input_ids": ids, "attention_mask": mask})[0]

        if self.threads > 1 and len(batches) > 1:
            list(self._executor().map(run, batches))
        else:
            for rows in batches:
                run(rows)
        return out

    def _executor(self) -> ThreadPoolExecutor:
        with self._lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(self.threads, thread_name_prefix="embed")
            return self._pool
