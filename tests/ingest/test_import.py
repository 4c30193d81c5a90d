"""`dailypapers import FILE`: both formats, gzip, bad lines, idempotence, newer versions."""

from __future__ import annotations

import gzip
import json
import os
from datetime import date, datetime
from pathlib import Path

import pytest

from dailypapers.ingest import importer
from dailypapers.ingest.importer import UnreadableFile, import_file
from dailypapers.store import FeedQuery, FeedRepo, PaperStore, open_store
from helpers import FIXTURES, run_cli


def jsonl_paper(n: int, **extra: object) -> dict[str, object]:
    return {
        "arxiv_id": f"2602.{n:05d}",
        "title": f"Paper number {n}",
        "abstract": f"Abstract {n} with $x^{n}$.",
        "authors": ["A. Author", "B. Author"],
        "categories": ["cs.CL"],
        "published": "2026-02-03",
    } | extra


def write_lines(path: Path, lines: list[str]) -> Path:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "wt", encoding="utf-8") as fh:
        fh.write("\n".join(lines) + "\n")
    return path


def test_jsonl_with_daily_fields_creates_entries_and_upvotes(
    store: PaperStore, tmp_path: Path
) -> None:
    path = write_lines(
        tmp_path / "papers.jsonl",
        [
            json.dumps(
                jsonl_paper(
                    1,
                    upvotes=42,
                    submitted_on_daily="2026-02-04",
                    github_url="https://github.com/x/y",
                )
            ),
            json.dumps(jsonl_paper(2)),
        ],
    )
    summary = import_file(store, path)
    assert (summary.inserted, summary.daily_added, summary.rejected) == (2, 1, 0)
    paper = store.get_paper("2602.00001")
    assert paper is not None
    assert (paper.upvotes, paper.github_url) == (42, "https://github.com/x/y")
    assert paper.published == datetime(2026, 2, 3)
    day = date(2026, 2, 4)
    assert [i.paper.arxiv_id for i in FeedRepo(store.db).items(FeedQuery(day, day))] == [
        "2602.00001"
    ]


def test_arxiv_snapshot_format_is_recognised(store: PaperStore) -> None:
    summary = import_file(store, FIXTURES / "import" / "snapshot_sample.json")
    assert (summary.inserted, summary.rejected) == (2, 0)
    paper = store.get_paper("0704.0001")
    assert paper is not None
    assert paper.version == 2
    assert paper.title == (
        "Calculation of prompt diphoton production cross sections at Tevatron and LHC energies"
    )
    assert paper.authors == ["C. Balázs", "E. L. Berger", "P. M. Nadolsky", "C. -P. Yuan"]
    assert paper.published == datetime(2007, 4, 2, 19, 18, 42)
    assert paper.updated == datetime(2007, 7, 24, 20, 10, 27)
    assert paper.abstract.startswith("A fully differential calculation")
    assert "\n" not in paper.abstract  # hard wraps joined
    assert (paper.doi, paper.journal_ref) == (
        "10.1103/PhysRevD.76.013009",
        "Phys.Rev.D76:013009,2007",
    )
    withdrawn = store.get_paper("hep-th/9901001")
    assert withdrawn is not None and withdrawn.withdrawn
    assert withdrawn.categories == ["hep-th", "gr-qc"]


@pytest.fixture(params=["in-process", "pipelined"])
def parsing(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Large files are parsed in a second process: both ways must import alike."""
    if request.param == "pipelined":
        monkeypatch.setattr(importer, "PIPELINE_BYTES", 0)
    return str(request.param)


@pytest.mark.usefixtures("parsing")
def test_malformed_lines_are_reported_by_number_and_skipped(
    store: PaperStore, tmp_path: Path
) -> None:
    lines = [
        json.dumps(jsonl_paper(1)),
        "{not json",
        json.dumps(jsonl_paper(2, arxiv_id="2602.1")),
        json.dumps(jsonl_paper(3, title="")),
        json.dumps(["a", "list"]),
        json.dumps({"doi": "x"}),
        json.dumps(jsonl_paper(4, authors="not a list")),
        json.dumps(jsonl_paper(5, github_url="javascript:alert(1)")),
        json.dumps(jsonl_paper(6, published="yesterday")),
        json.dumps(jsonl_paper(7, upvotes=-3)),
        "",
        json.dumps(jsonl_paper(8)),
    ]
    summary = import_file(store, write_lines(tmp_path / "mixed.jsonl", lines))
    assert (summary.inserted, summary.rejected) == (2, 9)
    reasons = dict(summary.examples)
    assert reasons[2].startswith("invalid JSON")
    assert "'2602.1'" in reasons[3] and "accepted forms" in reasons[3]
    assert reasons[4] == "missing title"
    assert reasons[5] == "expected a JSON object"
    assert reasons[6].startswith("unknown record format")
    assert "authors" in reasons[7]
    assert "github_url" in reasons[8]
    assert "published" in reasons[9]
    assert "upvotes" in reasons[10]
    assert store.count_papers() == 2


@pytest.mark.usefixtures("parsing")
def test_gzip_and_reimport_change_nothing(store: PaperStore, tmp_path: Path) -> None:
    path = write_lines(
        tmp_path / "papers.jsonl.gz", [json.dumps(jsonl_paper(n)) for n in range(1, 501)]
    )
    first = import_file(store, path, batch_size=64)
    assert (first.read, first.inserted) == (500, 500)
    second = import_file(store, path, batch_size=64)
    assert (second.inserted, second.updated, second.unchanged) == (0, 0, 500)


def test_newer_file_updates_changed_papers_only(store: PaperStore, tmp_path: Path) -> None:
    old = [
        json.dumps(jsonl_paper(n, upvotes=5, submitted_on_daily="2026-02-04")) for n in range(1, 11)
    ]
    import_file(store, write_lines(tmp_path / "old.jsonl", old))
    with store.write() as conn:
        conn.exec_driver_sql("UPDATE papers SET upvotes = upvotes + 1")  # community votes
    new = [
        json.dumps(jsonl_paper(n, upvotes=5, **({"title": "Renamed"} if n <= 3 else {})))
        for n in range(1, 11)
    ]
    summary = import_file(store, write_lines(tmp_path / "new.jsonl", new))
    assert (summary.inserted, summary.updated, summary.unchanged) == (0, 3, 7)
    paper = store.get_paper("2602.00001")
    assert paper is not None and (paper.title, paper.upvotes) == ("Renamed", 6)
    assert store.count_daily_entries() == 10


@pytest.mark.usefixtures("parsing")
def test_truncated_gzip_keeps_what_was_read(store: PaperStore, tmp_path: Path) -> None:
    noise = [os.urandom(1000).hex() for _ in range(3000)]  # incompressible: a long stream
    path = write_lines(
        tmp_path / "full.jsonl.gz",
        [json.dumps(jsonl_paper(n, abstract=noise[n - 1])) for n in range(1, 3001)],
    )
    data = path.read_bytes()
    cut = tmp_path / "cut.jsonl.gz"
    cut.write_bytes(data[: len(data) // 2])
    try:
        import_file(store, cut, batch_size=100)
    except UnreadableFile as exc:
        assert "could not read past record" in str(exc)
        assert exc.summary.inserted == store.count_papers() > 0
    else:
        raise AssertionError("a truncated gzip must be reported")


@pytest.mark.slow  # a subprocess or a killed process: make test, not make check
def test_cli_import_prints_summary_and_exit_codes(
    env: dict[str, str], tmp_path: Path, db_url: str
) -> None:
    path = write_lines(tmp_path / "p.jsonl", [json.dumps(jsonl_paper(1)), "oops"])
    result = run_cli("import", str(path), "--quiet", env=env)
    assert result.returncode == 0, result.stderr
    assert "inserted" in result.stderr and "line 2: invalid JSON" in result.stderr
    missing = run_cli("import", str(tmp_path / "nope.jsonl"), env=env)
    assert missing.returncode == 2 and "no such file" in missing.stderr
    store = open_store(db_url)
    assert store.count_papers() == 1
    store.close()
