"""The search box language, parsed into a plain structure (pure, no I/O).

    plain words                     attention sparse
    "quoted phrases"                "mixture of experts"
    author:"Name" / author:Name     author:"Yann LeCun"
    cat:cs.CL                       (repeatable; any of them matches)
    after:2026-01-01 before:…       published dates, inclusive
    -word / -"a phrase"             papers containing it are left out
    an arXiv id or abs/pdf URL      that paper first
    a pasted abstract               long text works: it becomes a semantic query

Anything that does not parse as an operator is kept as words; nothing raises.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from dailypapers.arxiv_ids import InvalidArxivId, parse_arxiv_id

MAX_QUERY_CHARS = 10_000
_TOKEN = re.compile(
    r'(?P<key>author|cat|after|before):(?:"(?P<qval>[^"]*)"?|(?P<val>\S+))'
    r'|(?P<neg>-)?"(?P<phrase>[^"]*)"?'
    r"|-(?P<notword>[^\s\-]\S*)"
    r"|(?P<word>\S+)",
    re.IGNORECASE,
)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class Filter:
    """Which papers a search may return: the one structure every engine translates once
    (sql_filters for SQL, TantivyLexical.filter_queries for tantivy). Hashable, so a
    filter's passing papers can be cached by the filter itself."""

    categories: tuple[str, ...] = ()  # any of them
    authors: tuple[str, ...] = ()  # every one of them
    after: date | None = None  # published on or after
    before: date | None = None  # published on or before
    within: frozenset[int] | None = None  # only these papers (a digest's period, a library)

    def __bool__(self) -> bool:
        return bool(self.categories or self.authors or self.after or self.before) or (
            self.within is not None
        )


@dataclass
class ParsedQuery:
    text: str = ""  # the free text: words and phrases, for both rankers
    words: list[str] = field(default_factory=list)
    phrases: list[str] = field(default_factory=list)
    authors: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    after: date | None = None
    before: date | None = None
    arxiv_id: str | None = None
    excluded: list[str] = field(default_factory=list)  # -word, -"phrase"
    within: frozenset[int] | None = None  # set by callers, never by the search box
    every_term: bool = False  # a short query must match all its words (mail: precision)

    @property
    def filter(self) -> Filter:
        return Filter(
            tuple(self.categories), tuple(self.authors), self.after, self.before, self.within
        )

    @property
    def has_filters(self) -> bool:
        return bool(self.filter)

    @property
    def is_empty(self) -> bool:
        return not (self.text or self.has_filters or self.arxiv_id)


def _date(value: str) -> date | None:
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def parse_query(raw: str) -> ParsedQuery:
    """Parse the search box; see the module docstring for the forms."""
    text = _CONTROL.sub(" ", raw[:MAX_QUERY_CHARS]).strip()
    query = ParsedQuery()
    try:
        query.arxiv_id = parse_arxiv_id(text).id
        return query
    except InvalidArxivId:
        pass
    free: list[str] = []
    for match in _TOKEN.finditer(text):
        _take(query, match, free)
    query.text = " ".join(free)
    return query


def _take(query: ParsedQuery, match: re.Match[str], free: list[str]) -> None:
    """One token of the box into ``query`` (free text also into ``free``)."""
    key = (match["key"] or "").lower()
    value = (match["qval"] if match["qval"] is not None else match["val"] or "").strip()
    if key == "author" and value:
        query.authors.append(value)
    elif key == "cat" and value:
        query.categories.append(value)
    elif key in ("after", "before") and (day := _date(value)):
        setattr(query, key, day)
    elif match["phrase"] is not None:
        phrase = " ".join(match["phrase"].split())
        if phrase:
            (query.excluded if match["neg"] else query.phrases).append(phrase)
            if not match["neg"]:
                free.append(phrase)
    elif match["notword"]:
        query.excluded.append(match["notword"])
    else:  # a word, or an operator with an unusable value: kept as words
        query.words.append(match.group(0))
        free.append(match.group(0))


def operators(query: ParsedQuery) -> str:
    """The filters of ``query`` written back as operators (for the search box)."""
    parts = [f'author:"{a}"' if " " in a else f"author:{a}" for a in query.authors]
    parts += [f"cat:{c}" for c in query.categories]
    parts += [f"after:{query.after.isoformat()}"] if query.after else []
    parts += [f"before:{query.before.isoformat()}"] if query.before else []
    parts += [f'-"{e}"' if " " in e else f"-{e}" for e in query.excluded]
    return " ".join(parts)


def without_operators(raw: str, keys: tuple[str, ...]) -> str:
    """``raw`` with its ``key:value`` operators for these keys taken out."""
    pattern = rf'(?<!\S)(?:{"|".join(keys)}):(?:"[^"]*"?|\S+)'
    return " ".join(re.sub(pattern, " ", raw, flags=re.IGNORECASE).split())
