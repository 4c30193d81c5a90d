"""Shared builders for tests: a small corpus of papers that every search-side test uses.

Six papers on distinct topics, so a query has one obvious answer and the semantic side has
clear neighbours; ``sample_papers()`` gives them as records ready for ``upsert_papers``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from dailypapers.records import PaperRecord
from dailypapers.search.service import SearchService

PAPERS = [
    (
        "2601.00001",
        "Sparse Mixture of Experts for Language Models",
        "We route tokens to a few experts, scaling transformers cheaply.",
        ["Noam Shazeer"],
        ["cs.CL", "cs.LG"],
        date(2026, 1, 5),
        40,
    ),
    (
        "2601.00002",
        "Diffusion Models for High-Resolution Image Synthesis",
        "A denoising diffusion model generates photorealistic images from text prompts.",
        ["Robin Rombach"],
        ["cs.CV"],
        date(2026, 1, 20),
        90,
    ),
    (
        "2601.00003",
        "Graph Neural Networks for Molecule Property Prediction",
        "Message passing networks predict chemical properties of molecules.",
        ["Ada Lovelace"],
        ["cs.LG", "q-bio.BM"],
        date(2026, 2, 1),
        5,
    ),
    (
        "2601.00004",
        "Reinforcement Learning from Human Feedback",
        "We fine-tune language models with a reward model trained on human preferences.",
        ["Paul Christiano"],
        ["cs.LG", "cs.AI"],
        date(2026, 2, 10),
        60,
    ),
    (
        "2601.00005",
        "Robot Grasping with Tactile Sensors",
        "A robot arm learns to grasp objects using touch sensing and vision.",
        ["Grace Hopper"],
        ["cs.RO"],
        date(2026, 2, 15),
        12,
    ),
    (
        "2601.00006",
        "Efficient Attention for Long Documents",
        "Linear attention lets transformers read very long sequences of text.",
        ["Iz Beltagy", "Jürgen Schmidhuber"],
        ["cs.CL"],
        date(2026, 2, 20),
        25,
    ),
]


def sample_papers(rows: Sequence[tuple[object, ...]] | None = None) -> list[PaperRecord]:
    """The sample corpus (or some of its rows) as records, every field filled."""
    records = []
    for arxiv_id, title, abstract, authors, categories, day, upvotes in rows or PAPERS:
        assert isinstance(day, date)
        records.append(
            PaperRecord(
                arxiv_id=str(arxiv_id),
                title=str(title),
                abstract=str(abstract),
                authors=list(authors),  # type: ignore[call-overload]
                categories=list(categories),  # type: ignore[call-overload]
                published=datetime.combine(day, datetime.min.time()),
                upvotes=int(upvotes),  # type: ignore[call-overload]
            )
        )
    return records


def ids(service: SearchService, raw: str, **kwargs: object) -> list[str]:
    """The arXiv ids a search returns, best first."""
    return [h.paper.arxiv_id for h in service.search(raw, **kwargs).hits]  # type: ignore[arg-type]
