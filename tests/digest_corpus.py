"""A small corpus for the digest tests: one week (2026-W10) of papers, some on the feed."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from sqlalchemy import insert

from dailypapers.models import Subscription, utcnow
from dailypapers.records import PaperRecord
from dailypapers.search.embed import Embedder
from dailypapers.search.indexer import embed_pending
from dailypapers.store import PaperStore

WEEK_DAY = date(2026, 3, 4)  # a Wednesday: the week is 2026-03-02 … 2026-03-08
HOSTILE = "<img src=x onerror=alert(1)> Robust Attention </a><script>alert(2)</script>"
PAPERS = [
    # arxiv id, title, abstract, authors, categories, published, feed day, upvotes
    ("2603.00001", "Sparse Mixture of Experts Routing at Scale",
     "We route tokens to a few experts and scale transformers cheaply.",
     ["Noam Shazeer"], ["cs.CL", "cs.LG"], date(2026, 3, 2), date(2026, 3, 2), 40),
    ("2603.00002", "Diffusion Transformers for Video Generation",
     "A diffusion transformer generates long videos from text prompts.",
     ["Robin Rombach"], ["cs.CV"], date(2026, 3, 3), date(2026, 3, 3), 30),
    ("2603.00003", HOSTILE,
     "Attention that resists $\\epsilon$-bounded \\emph{adversarial} perturbations.",
     ["Mallory Evil"], ["cs.CL"], date(2026, 3, 4), date(2026, 3, 4), 10),
    ("2603.00004", "Graph Neural Networks for Molecular Property Prediction",
     "Message passing networks predict chemical properties of molecules.",
     ["Ada Lovelace"], ["cs.LG", "q-bio.BM"], date(2026, 3, 3), None, 0),
    ("2603.00005", "Retrieval-Augmented Generation with Long Contexts",
     "Retrieval augmented generation grounds a language model in retrieved passages.",
     ["Jürgen Schmidhuber"], ["cs.CL"], date(2026, 3, 5), None, 0),
    ("2603.00006", "Tactile Robot Grasping",
     "A robot arm learns to grasp objects using touch sensing and vision.",
     ["Grace Hopper"], ["cs.RO"], date(2026, 3, 6), None, 0),
    ("2602.00007", "A Survey of Retrieval Augmented Generation",
     "We survey retrieval augmented generation for language models.",
     ["Old Author"], ["cs.CL"], date(2026, 2, 10), None, 0),
]  # fmt: skip


def load_corpus(store: PaperStore, embedder: Embedder) -> None:
    store.upsert_papers(
        [
            PaperRecord(
                arxiv_id=i,
                title=t,
                abstract=a,
                authors=au,
                categories=c,
                published=datetime.combine(d, time(12)),
                daily_day=feed,
                upvotes=u,
            )
            for i, t, a, au, c, d, feed, u in PAPERS
        ]
    )
    embed_pending(store.db, embedder)


def add_subscribers(store: PaperStore, count: int, **values: Any) -> list[str]:
    """``count`` confirmed subscribers straight in the database; their addresses."""
    emails = [f"reader{n:04d}@example.org" for n in range(count)]
    now = utcnow()
    rows = [
        {
            "email": email,
            "frequency": values.get("frequency", "weekly"),
            "query": values.get("query", ""),
            "categories": values.get("categories", []),
            "authors": values.get("authors", []),
            "like_upvoted": False,
            "confirmed_at": now,
            "created_at": now,
            "updated_at": now,
        }
        for email in emails
    ]
    with store.db.writer.begin() as conn:
        conn.execute(insert(Subscription), rows)
    return emails
