"""Build the bundled demo corpus from ../shared/data (run once; the output is committed).

- every paper of hf-daily-2026-02 (783 real Hugging Face Daily Papers of February 2026,
  with their upvotes, daily-list dates and GitHub links), completed with categories,
  first-listing dates and comments from arxiv-74k where the paper is there;
- plus an evenly spaced sample of the other arxiv-74k papers first listed from
  2026-01-26 to 2026-03-06, so search and "similar papers" have a neighbourhood.

Hugging Face pages start their text with a one-sentence AI summary: for the 399 abstracts
scraped from the page, that sentence moves to ``ai_summary`` (source "huggingface"). Author
lists the scrape cut at 22 names take arXiv's full list where arxiv-74k has the paper, and
are marked ``authors_truncated`` otherwise.

Usage: python scripts/make_demo.py ../shared/data src/dailypapers/demo/demo.jsonl.gz
"""

from __future__ import annotations

import gzip
import json
import re
import sys
from pathlib import Path

WINDOW = ("2026-01-26", "2026-03-06")
SAMPLE = 3000
CUT_AT = 22  # the HF scrape kept at most this many authors
# The first sentence: at least 40 characters, ending in . ! or ? after a word (not "e.g."),
# followed by the abstract's first sentence.
FIRST_SENTENCE = re.compile(r"(.{40,600}?[a-z0-9)\]%]{2}[.!?])\s+(?=[A-Z])", re.DOTALL)


def split_summary(text: str) -> tuple[str | None, str]:
    """(the AI summary, the abstract) of a Hugging Face page's text."""
    text = text.strip()
    match = FIRST_SENTENCE.match(text)
    if match is not None:
        return match.group(1).strip(), text[match.end() :].strip()
    if len(text) <= 400:  # one sentence and nothing after: the page held only the summary
        return text, ""
    return None, text


def daily_row(paper: dict, extra: dict) -> dict:
    """One Hugging Face daily paper, completed from arxiv-74k (``extra``) where it is there."""
    row = {
        k: paper[k]
        for k in (
            "arxiv_id",
            "title",
            "abstract",
            "authors",
            "upvotes",
            "submitted_on_daily",
            "github_url",
        )
    }
    row["categories"] = paper["categories"] or extra.get("categories", [])
    row["published"] = paper["published"] or extra.get("published")
    if paper.get("abstract_source") == "hf_page_scrape" and paper["abstract"].strip():
        summary, row["abstract"] = split_summary(paper["abstract"])
        if summary:
            row["ai_summary"], row["ai_summary_source"] = summary, "huggingface"
    if len(paper["authors"]) == CUT_AT:
        if len(extra.get("authors", [])) > CUT_AT:
            row["authors"] = extra["authors"]
        else:
            row["authors_truncated"] = True
    if extra.get("comment"):
        row["comment"] = extra["comment"]
    return row


def main(data: Path, out: Path) -> None:
    daily = [json.loads(line) for line in (data / "hf-daily-2026-02/papers.jsonl").open()]
    daily_ids = {p["arxiv_id"] for p in daily}
    corpus: dict[str, dict] = {}
    window: list[dict] = []
    with gzip.open(data / "arxiv-74k/papers.jsonl.gz", "rt") as fh:
        for line in fh:
            paper = json.loads(line)
            if paper["arxiv_id"] in daily_ids:
                corpus[paper["arxiv_id"]] = paper
            elif WINDOW[0] <= paper["published"] <= WINDOW[1]:
                window.append(paper)
    step = max(1, len(window) // SAMPLE)
    sample = window[::step][:SAMPLE]
    rows = [daily_row(paper, corpus.get(paper["arxiv_id"], {})) for paper in daily]
    for paper in sample:
        row = {
            k: paper[k]
            for k in ("arxiv_id", "title", "abstract", "authors", "categories", "published")
        }
        if paper.get("comment"):
            row["comment"] = paper["comment"]
        rows.append(row)
    with gzip.open(out, "wt", compresslevel=9) as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"wrote {len(rows)} papers ({len(daily)} daily, {len(sample)} sampled) to {out}")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
