"""Combining ranked lists. Rankers return ``[(paper_id, score)]``, best first; fusion is pure."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

Ranked = list[tuple[int, float]]


def rrf(
    lists: Sequence[Ranked], *, k: float = 60.0, weights: Sequence[float] | None = None
) -> Ranked:
    """Reciprocal rank fusion: sum of weight / (k + rank) over the lists a paper is in."""
    weights = weights or [1.0] * len(lists)
    scores: dict[int, float] = {}
    for ranked, weight in zip(lists, weights, strict=True):
        for rank, (paper_id, _) in enumerate(ranked, start=1):
            scores[paper_id] = scores.get(paper_id, 0.0) + weight / (k + rank)
    return sorted(scores.items(), key=lambda item: (-item[1], item[0]))


def _normalised(ranked: Ranked) -> dict[int, float]:
    if not ranked:
        return {}
    values = [score for _, score in ranked]
    low, high = min(values), max(values)
    span = high - low
    return {pid: (score - low) / span if span else 1.0 for pid, score in ranked}


def convex(lexical: Ranked, dense: Ranked, *, alpha: float = 0.5) -> Ranked:
    """alpha × min-max(dense) + (1 − alpha) × min-max(lexical); absent counts as 0."""
    lex, den = _normalised(lexical), _normalised(dense)
    ids = set(lex) | set(den)
    scores = {pid: alpha * den.get(pid, 0.0) + (1 - alpha) * lex.get(pid, 0.0) for pid in ids}
    return sorted(scores.items(), key=lambda item: (-item[1], item[0]))


def decrowd(ranked: Ranked, crowding: Mapping[int, float], *, weight: float) -> Ranked:
    """Semantic scores minus ``weight`` × each paper's mean similarity to its neighbours
    (hubness reduction, see neighbourhood.py), best first. Papers not measured yet count
    as the mean of those that are, so they neither gain nor lose."""
    known = [crowding[pid] for pid, _ in ranked if pid in crowding]
    if not known or not weight:
        return ranked
    usual = sum(known) / len(known)
    rescored = [(pid, score - weight * crowding.get(pid, usual)) for pid, score in ranked]
    return sorted(rescored, key=lambda item: (-item[1], item[0]))
