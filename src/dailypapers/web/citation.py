"""Citations of a paper: BibTeX and the citation_* meta tags that Zotero and Scholar read."""

from __future__ import annotations

import re
import unicodedata

from dailypapers.models import Paper


def _ascii_word(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9]", "", folded)


def bibtex_key(paper: Paper) -> str:
    surname = _ascii_word(paper.authors[0].split()[-1]) if paper.authors else "anon"
    year = paper.published.year if paper.published else ""
    words = [w for w in (_ascii_word(t) for t in paper.title.split()) if len(w) > 3]
    return f"{surname.lower()}{year}{words[0].lower() if words else ''}"


def _braced(text: str) -> str:
    """BibTeX-safe value: balanced braces only (an unbalanced one would eat the entry)."""
    depth = 0
    out = []
    for ch in text:
        if ch == "{":
            depth += 1
        elif ch == "}":
            if depth == 0:
                continue
            depth -= 1
        out.append(ch)
    return "".join(out) + "}" * depth


def bibtex(paper: Paper) -> str:
    fields = {
        "title": paper.title,
        "author": " and ".join(paper.authors),
        "year": str(paper.published.year) if paper.published else "",
        "eprint": paper.arxiv_id,
        "archivePrefix": "arXiv",
        "primaryClass": paper.primary_category or "",
        "doi": paper.doi or "",
        "url": paper.abs_url,
    }
    body = ",\n".join(f"  {k} = {{{_braced(v)}}}" for k, v in fields.items() if v)
    return f"@misc{{{bibtex_key(paper)},\n{body}\n}}"


def citation_meta(paper: Paper) -> list[tuple[str, str]]:
    """(name, content) pairs for <meta name=… content=…>; values are escaped by the template."""
    meta = [("citation_title", paper.title)]
    meta += [("citation_author", author) for author in paper.authors]
    if paper.published:
        meta.append(("citation_publication_date", paper.published.strftime("%Y/%m/%d")))
        meta.append(("citation_date", paper.published.strftime("%Y/%m/%d")))
    meta += [
        ("citation_arxiv_id", paper.arxiv_id),
        ("citation_pdf_url", paper.pdf_url),
        ("citation_abstract_html_url", paper.abs_url),
    ]
    if paper.doi:
        meta.append(("citation_doi", paper.doi))
    if paper.journal_ref:
        meta.append(("citation_journal_title", paper.journal_ref))
    return meta
