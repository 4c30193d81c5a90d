"""`dailypapers index`, `dailypapers search` and `dailypapers eval`."""

from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn
from rich.table import Table

from dailypapers.cli.common import (
    EXIT_BAD_INPUT,
    console,
    fail,
    load_settings,
    opened_store,
    stdout,
)
from dailypapers.search.evaluate import MODES, evaluate, load_benchmark
from dailypapers.search.factory import build_search
from dailypapers.search.indexer import drop_embeddings, pending_count
from dailypapers.search.pipeline import STEPS, index_pending
from dailypapers.search.service import SearchService
from dailypapers.search.tantivy_lexical import TantivyLexical
from dailypapers.store import open_store


def index(
    rebuild: bool = typer.Option(
        False, "--rebuild", help="Re-embed every paper and rebuild the keyword index."
    ),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
) -> None:
    """Embed papers that have no vector yet (then their sentences) and bring the keyword
    index up to date (--rebuild: everything from the database)."""
    settings = load_settings()
    with opened_store(settings) as store:
        search = build_search(  # a backlog: batches gain from both cores
            store, data_dir=settings.data_dir, max_tokens=settings.embed_max_tokens, threads=2
        )
        if rebuild:
            drop_embeddings(store.db, search.embedder.name)
            search.sentences.drop()
        totals = {
            "embedding": pending_count(store.db, search.embedder.name),
            "sentences": search.sentences.pending_count(),
        }
        columns = ("{task.description}", BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
        with Progress(*columns, console=console, disable=quiet) as progress:
            keywords = _rebuild_keywords(search, progress) if rebuild else ""
            tasks = {step: progress.add_task(step, total=totals.get(step)) for step in STEPS}
            report = index_pending(
                store.db,
                search.embedder,
                search.vectors,
                progress=lambda step, n, t: progress.update(
                    tasks[step], completed=n, total=totals.get(step, t)
                ),
            )
        search.warm()  # the saved keyword and ANN indexes catch up with the database
    console.print(
        f"embedded {report.embedded:,} papers in {report.seconds['embedding']:.1f} s"
        f"{report.rate('embedding', report.embedded)}{keywords};"
        f" measured {report.measured:,} neighbourhoods; embedded the sentences of"
        f" {report.split:,} papers{report.rate('sentences', report.split)}"
    )


def _rebuild_keywords(search: SearchService, progress: Progress) -> str:
    """The embedded engine's keyword index (PostgreSQL's lives in the database)."""
    if not isinstance(search.lexical, TantivyLexical):
        return ""
    task = progress.add_task("keyword index", total=None)
    count = search.lexical.index.rebuild(lambda n, t: progress.update(task, completed=n, total=t))
    return f"; keyword index rebuilt with {count:,} papers"


def search(
    query: str = typer.Argument(..., help='Words, "phrases", author:, cat:, after:, before:'),
    limit: int = typer.Option(10, min=1, max=100),
    sort: str = typer.Option("relevance", help="relevance, newest or upvotes"),
    as_json: bool = typer.Option(False, "--json", help="JSON lines instead of a table."),
) -> None:
    """Search the papers from the command line."""
    if sort not in ("relevance", "newest", "upvotes"):
        fail("--sort must be relevance, newest or upvotes", code=EXIT_BAD_INPUT)
    settings = load_settings()
    with opened_store(settings) as store:
        service = build_search(
            store, data_dir=settings.data_dir, max_tokens=settings.embed_max_tokens
        )
        result = service.search(query, limit=limit, sort=sort)  # type: ignore[arg-type]
    if as_json:
        for hit in result.hits:
            p = hit.paper
            stdout.print_json(
                json.dumps(
                    {
                        "id": p.arxiv_id,
                        "title": p.title,
                        "score": hit.score,
                        "authors": p.authors,
                        "upvotes": p.upvotes,
                    }
                )
            )
        return
    table = Table("id", "title", "authors", "published", show_lines=False)
    for hit in result.hits:
        p = hit.paper
        table.add_row(
            p.arxiv_id,
            p.title,
            ", ".join(p.authors[:3]),
            p.published.date().isoformat() if p.published else "",
        )
    stdout.print(table)


def eval_command(
    folders: list[Path] = typer.Argument(..., help="BEIR-layout folders"),
    max_tokens: int = typer.Option(0, help="Embedding input length (0: configured)."),
    model: Path | None = typer.Option(None, help="Another ONNX embedding graph to compare."),
) -> None:
    """nDCG@10, nDCG@20 and Recall@100 for BM25-only, dense-only and hybrid."""
    from dailypapers.search.embed import OnnxEmbedder

    settings = load_settings()
    tokens = max_tokens or settings.embed_max_tokens
    table = Table("benchmark", "ranker", "nDCG@10", "nDCG@20", "R@100")
    for folder in folders:
        if not (folder / "corpus.jsonl").exists():
            fail(f"{folder}: no corpus.jsonl (BEIR layout expected)", code=EXIT_BAD_INPUT)
        bench = load_benchmark(folder)
        with tempfile.TemporaryDirectory() as tmp:
            store = open_store(f"sqlite:///{tmp}/eval.db")
            store.upgrade()
            embedder = OnnxEmbedder(model, max_tokens=tokens)
            service = build_search(store, data_dir=None, embedder=embedder)
            start = time.perf_counter()
            results = evaluate(store, service, bench)
            store.close()
        for mode in MODES:
            row = results[mode]
            table.add_row(
                folder.name,
                {"lexical": "BM25"}.get(mode, mode),
                *(f"{row[m]:.3f}" for m in ("nDCG@10", "nDCG@20", "R@100")),
            )
        console.print(
            f"{folder.name}: {len(bench.queries)} queries, {len(bench.corpus)} docs, "
            f"{time.perf_counter() - start:.0f} s"
        )
    stdout.print(table)
