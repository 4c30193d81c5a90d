"""Sentence embeddings with the bundled all-MiniLM-L6-v2 (ONNX, int8) on onnxruntime.

No torch and no network: the graph and tokenizer ship in ``search/model``. Texts are sorted
by length before batching so padding stays small; the graph outputs L2-normalised vectors.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
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
    """The bundled model; thread-safe, lazily loaded."""

    def __init__(
        self,
        model: Path | None = None,
        *,
        max_tokens: int = 128,
        threads: int = 2,
        batch_size: int = 32,
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

    def _load(self) -> tuple[ort.InferenceSession, Tokenizer]:
        with self._lock:
            if self._session is None or self._tokenizer is None:
                options = ort.SessionOptions()
                options.intra_op_num_threads = self.threads
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
        for start in range(0, len(order), self.batch_size):
            rows = order[start : start + self.batch_size]
            encoded = tokenizer.encode_batch([texts[i] or " " for i in rows])
            ids = np.array([e.ids for e in encoded], dtype=np.int64)
            mask = np.array([e.attention_mask for e in encoded], dtype=np.int64)
            out[rows] = session.run(None, {"input_ids": ids, "attention_mask": mask})[0]
        return out
