"""Whitespace and control-character normalisation for text that comes from the internet.

The text is kept as its source wrote it (LaTeX included); escaping happens when it is
rendered. Here we only make it tidy and storable: PostgreSQL rejects NUL characters, and
stray control characters break terminals, feeds and e-mail.
"""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SPACES = re.compile(r"[ \t\r\n\u00a0\u2028\u2029]+")
# In hard-wrapped arXiv text a paragraph starts on an indented line or after a blank one.
_WRAPPED_PARAGRAPH = re.compile(r"\n\s*\n|\n(?=[ \t]+\S)")
_NEWLINES = re.compile(r"\n+")


def strip_controls(text: str) -> str:
    """Remove control characters other than tab, newline and carriage return."""
    return _CONTROL.sub("", text)


def normalize_line(text: str | None) -> str:
    """Collapse all whitespace (line breaks included) to single spaces."""
    if not text:
        return ""
    return _collapse(text if text.isprintable() else strip_controls(text))


def normalize_abstract(text: str | None, *, hard_wrapped: bool = False) -> str:
    """Tidy an abstract, keeping paragraph breaks as single newlines.

    ``hard_wrapped`` text (arXiv's API and OAI-PMH) breaks lines inside paragraphs, so a
    lone newline there is a space; in already-unwrapped text every newline is a paragraph.
    """
    if not text:
        return ""
    text = strip_controls(text).replace("\r\n", "\n").replace("\r", "\n")
    splitter = _WRAPPED_PARAGRAPH if hard_wrapped else _NEWLINES
    return "\n".join(p for part in splitter.split(text) if (p := _collapse(part)))


def _collapse(text: str) -> str:
    """normalize_line for text already free of control characters."""
    if text.isprintable():  # no separator character (imports: most text): spaces only
        return " ".join(text.split())
    return _SPACES.sub(" ", text).strip()


def excerpt(text: str, limit: int) -> str:
    """``text`` on one line, cut at ``limit`` characters with an ellipsis."""
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


def counted(count: int, noun: str) -> str:
    """'1 comment', '2 comments', '0 upvotes' (English nouns that take an s)."""
    return f"{count:,} {noun}{'' if count == 1 else 's'}"
