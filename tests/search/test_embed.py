"""The bundled embedder: a vector depends only on its own text, whatever it is batched with."""

from __future__ import annotations

import numpy as np

from dailypapers.search.embed import OnnxEmbedder

TEXTS = [
    "Sparse Mixture of Experts for Language Models. We route tokens to a few experts.",
    "Diffusion models for image synthesis.",
    "A survey of graph neural networks for molecules, proteins and materials, with benchmarks "
    "and a discussion of what remains open. " * 3,
    "",
    "Quantum error correction with surface codes",
    "Reinforcement learning from human feedback at scale",
]


def test_vectors_do_not_depend_on_batching_or_threads(embedder: OnnxEmbedder) -> None:
    together = embedder.embed(TEXTS)  # several runs in parallel (threads=2)
    alone = np.stack([OnnxEmbedder(threads=1).embed([text])[0] for text in TEXTS])
    # int8 graphs quantise activations per run: batching texts together would shift them
    np.testing.assert_allclose(together, alone, atol=1e-6)
    assert np.allclose(np.linalg.norm(together, axis=1), 1.0, atol=1e-5)
    # order kept: each row is its own text's vector, not a neighbour's
    similarity = together @ alone.T
    assert list(similarity.argmax(axis=1)) == list(range(len(TEXTS)))


def test_larger_runs_keep_each_text_in_its_row() -> None:
    """Runs of several texts (not the default) shift vectors a little (shared int8 activation
    scales: 0.97 cosine seen for a short text among long ones) but never mix rows up."""
    batched = OnnxEmbedder(threads=2, batch_size=3).embed(TEXTS)
    alone = np.stack([OnnxEmbedder(threads=1).embed([text])[0] for text in TEXTS])
    assert list((batched @ alone.T).argmax(axis=1)) == list(range(len(TEXTS)))
    assert float((batched * alone).sum(axis=1).min()) > 0.95
