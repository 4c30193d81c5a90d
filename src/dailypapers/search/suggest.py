"""Typos, junk and exclusions in the search box (pure functions; the service feeds them).

A word no paper contains is a typo or junk. Its correction is looked for among the words of
the papers the dense model finds nearest to the query: the model reads sub-words, so
"transfomer" still lands near transformer papers, whose text then holds the right spelling.
That needs no vocabulary index, and works the same on every storage engine.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from rapidfuzz import process
from rapidfuzz.distance import OSA

from dailypapers.models import Paper

_WORD = re.compile(r"[^\W\d_][\w-]*[^\W_]|[^\W\d_]{2}", re.UNICODE)
MAX_WORDS = 6  # longer queries are sentences: the dense model copes with a typo in them
MIN_CHECKED = 3  # shorter words are abbreviations more often than typos


def checkable(word: str) -> bool:
    """Words worth a spelling check: letters, long enough, not an operator or a number."""
    return len(word) >= MIN_CHECKED and word.isalpha()


def vocabulary(texts: Iterable[str]) -> Counter[str]:
    return Counter(w.lower() for text in texts for w in _WORD.findall(text))


def closest(word: str, words: Counter[str]) -> str | None:
    """The most frequent word within one edit (two for words of six letters or more),
    transpositions counting as one edit."""
    cutoff = 2 if len(word) >= 6 else 1
    found = process.extract(
        word.lower(), list(words), scorer=OSA.distance, score_cutoff=cutoff, limit=20
    )
    if not found:
        return None
    best = min(found, key=lambda m: (m[1], -words[m[0]]))
    return str(best[0])


def corrected(raw: str, fixes: dict[str, str]) -> str:
    """``raw`` with each misspelt word replaced (operators and the rest kept as typed)."""

    def fix(match: re.Match[str]) -> str:
        return fixes.get(match.group(0), match.group(0))

    return re.sub(r"[^\s\"]+", fix, raw)


def excludes(terms: list[str]) -> re.Pattern[str] | None:
    """One pattern matching any excluded word or phrase (its plural too), whole words."""
    if not terms:
        return None
    alternatives = "|".join(r"\s+".join(map(re.escape, t.split())) for t in terms)
    return re.compile(rf"\b(?:{alternatives})(?:e?s)?\b", re.IGNORECASE)


def is_excluded(paper: Paper, pattern: re.Pattern[str]) -> bool:
    text = " ".join([paper.title, paper.abstract or "", " ".join(paper.authors or [])])
    return pattern.search(text) is not None
