"""Snippets with matched terms marked: plain (text, is_match) segments, escaped when rendered."""

from __future__ import annotations

import re
from functools import lru_cache

from dailypapers.search.lexical import STOPWORDS, phrase_terms

_WORDS = re.compile(r"\w+|\W+", re.UNICODE)
Segments = list[tuple[str, bool]]


@lru_cache(maxsize=256)
def _stems(query_text: str) -> tuple[str, ...]:
    # A crude stem (the word's head) is enough to mark "models" for "model".
    return tuple(
        t[: max(4, len(t) - 2)]
        for t in phrase_terms(query_text)
        if t not in STOPWORDS and len(t) > 1
    )


@lru_cache(maxsize=256)
def _first_stem(stems: tuple[str, ...]) -> re.Pattern[str]:
    alternatives = "|".join(re.escape(stem) for stem in sorted(stems, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})", re.IGNORECASE)


def snippet(text: str, query_text: str, *, width: int = 260) -> Segments:
    """About ``width`` characters of ``text`` around the first match, matches flagged.
    Only the shown window is split into words (whole abstracts cost 0.1 ms per result)."""
    stems = _stems(query_text)

    def hit(token: str) -> bool:
        return bool(stems) and token.lower().startswith(stems)

    found = _first_stem(stems).search(text) if stems else None
    first = found.start() if found else 0
    before = _WORDS.findall(text, 0, first)
    start, length = len(before), 0
    while start > 0 and length < width // 3:  # a little context before the first match
        start -= 1
        length += len(before[start])
    segments: Segments = [("…", False)] if start > 0 else []
    segments += [(token, hit(token)) for token in before[start:]]
    used = length
    for match in _WORDS.finditer(text, first):
        if used >= width:
            segments.append(("…", False))
            break
        token = match.group()
        segments.append((token, hit(token)))
        used += len(token)
    return merged(segments)


def merged(segments: Segments) -> Segments:
    """Neighbouring segments of one kind as one, and matches separated only by spaces as one
    match: "video diffusion" is one highlight, not two chips."""
    out: Segments = []
    for index, (text, matched) in enumerate(segments):
        between = (
            not matched
            and text.isspace()
            and 0 < index < len(segments) - 1
            and segments[index - 1][1]
            and segments[index + 1][1]
        )
        kind = matched or between
        if out and out[-1][1] == kind:
            out[-1] = (out[-1][0] + text, kind)
        else:
            out.append((text, kind))
    return out
