"""Snippets with matched terms marked: plain (text, is_match) segments, escaped when rendered."""

from __future__ import annotations

import re

from dailypapers.search.lexical import STOPWORDS, phrase_terms

_WORDS = re.compile(r"\w+|\W+", re.UNICODE)
Segments = list[tuple[str, bool]]


def _stems(query_text: str) -> list[str]:
    # A crude stem (the word's head) is enough to mark "models" for "model".
    return [
        t[: max(4, len(t) - 2)]
        for t in phrase_terms(query_text)
        if t not in STOPWORDS and len(t) > 1
    ]


def snippet(text: str, query_text: str, *, width: int = 260) -> Segments:
    """About ``width`` characters of ``text`` around the first match, matches flagged."""
    stems = tuple(_stems(query_text))
    tokens = _WORDS.findall(text)

    def hit(token: str) -> bool:
        return bool(stems) and token.lower().startswith(stems)

    first = next((i for i, tok in enumerate(tokens) if hit(tok)), 0)
    start = first
    length = 0
    while start > 0 and length < width // 3:  # a little context before the first match
        start -= 1
        length += len(tokens[start])
    segments: Segments = [("…", False)] if start > 0 else []
    used = 0
    for token in tokens[start:]:
        if used >= width:
            segments.append(("…", False))
            break
        segments.append((token, hit(token)))
        used += len(token)
    return segments
