"""Build the bundled demo corpus from ../shared/data (run once; the output is committed).

- every paper of hf-daily-2026-02 (783 real Hugging Face Daily Papers of February 2026,
  with their upvotes, daily-list dates and GitHub links), completed with categories,
  first-listing dates and comments from arxiv-74k where the paper is there;
- plus an evenly spaced sample of the other arxiv-74k papers first listed from
  2026-01-26 to 2026-03-06, so search and "similar papers" have a neighbourhood.

Usage: python scripts/make_demo.py ../shared/data src/dailypapers/demo/demo.jsonl.gz
"""

from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path

WINDOW = ("2026-01-26", "2026-03-06")
SAMPLE = 3000


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
    rows = []
    for paper in daily:
        extra = corpus.get(paper["arxiv_id"], {})
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
        if extra.get("comment"):
            row["comment"] = extra["comment"]
        rows.append(row)
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
