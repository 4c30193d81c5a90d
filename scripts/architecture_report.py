"""Count what issue 17 set out to make one-of-a-kind: run it before and after a change.

    python scripts/architecture_report.py [CHECKOUT]

Every figure is a plain text search over ``src/dailypapers`` (migrations excluded: schema
DDL is per engine by nature), so the numbers are easy to check by hand with grep.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "src" / "dailypapers"

DIALECT = re.compile(
    r"\.dialect\b|get_backend_name\(|[\"'](sqlite|postgresql)[\"']\s*[=!]=|"
    r"==\s*[\"'](sqlite|postgresql)[\"']|^import sqlite3|sqlalchemy\.dialects"
)
KEYWORD_ENGINES = {
    "tantivy": re.compile(r"^import tantivy"),
    "SQLite FTS5": re.compile(r"USING fts5|papers_fts MATCH"),
    "PostgreSQL tsvector": re.compile(r"to_tsquery|ts_rank|search_vector"),
}
# Code that runs the embed -> neighbourhoods -> sentences sequence itself.
INDEXING = re.compile(r"(?<!def )\bmeasure_neighbourhoods\(")
USER_CREATION = re.compile(r"\binsert\(User\b|(?<!class )\bUser\(")
PERIOD_CLASSES = re.compile(r"^class Period\b")
TRENDING = re.compile(r"\brank_trending\(")
REPO_IN_WEB = re.compile(r"\.repo\.")


def sources(under: Path | None = None) -> Iterable[Path]:
    for path in sorted((under or PACKAGE).rglob("*.py")):
        if "migrations" not in path.parts:
            yield path


def hits(pattern: re.Pattern[str], paths: Iterable[Path]) -> list[str]:
    found = []
    for path in paths:
        for number, line in enumerate(path.read_text().splitlines(), 1):
            code = line.split("#", 1)[0]
            if pattern.search(code.strip()) or pattern.search(code):
                found.append(f"{path.relative_to(PACKAGE)}:{number}")
    return found


def outside_backends() -> list[Path]:
    return [p for p in sources() if PACKAGE / "backend" not in p.parents]


def report() -> dict[str, list[str]]:
    engines = {
        name: sorted({h.split(":")[0] for h in hits(pattern, sources())})
        for name, pattern in KEYWORD_ENGINES.items()
    }
    return {
        "dialect checks outside backend modules": hits(DIALECT, outside_backends()),
        "keyword engines": [
            f"{name}: {', '.join(files)}" for name, files in engines.items() if files
        ],
        "places that run the indexing steps": sorted(
            {h.split(":")[0] for h in hits(INDEXING, sources())}
        ),
        "modules that rank trending papers": sorted(
            {h.split(":")[0] for h in hits(TRENDING, sources())}
        ),
        "places that create users": hits(USER_CREATION, sources()),
        "Period classes": hits(PERIOD_CLASSES, sources()),
        ".repo. calls in web": hits(REPO_IN_WEB, sources(PACKAGE / "web")),
    }


def main() -> None:
    global PACKAGE
    if len(sys.argv) > 1:  # another checkout, e.g. a git worktree of an older commit
        PACKAGE = Path(sys.argv[1]) / "src" / "dailypapers"
    for title, found in report().items():
        print(f"{title}: {len(found)}")
        for item in found:
            print(f"    {item}")


if __name__ == "__main__":
    main()
