"""OAI-PMH harvests against a local server: pages, tokens, errors, crashes and resumes."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from sqlalchemy import text
from werkzeug import Request, Response

from dailypapers.ingest.oai import HarvestError, parse_page
from dailypapers.store import PaperStore, open_store
from helpers import FIXTURES, engine_of, new_database_url, oai_page, run_cli

ARXIV = FIXTURES / "arxiv"
HARVEST = ("ingest", "arxiv", "--set", "cs", "--from", "2026-11-01")


@pytest.fixture
def oai_env(env: dict[str, str], httpserver: HTTPServer) -> dict[str, str]:
    return env | {"DAILYPAPERS_ARXIV_OAI_URL": httpserver.url_for("/oai")}


def serve_recorded_pages(httpserver: HTTPServer) -> None:
    first = {"verb": "ListRecords", "metadataPrefix": "arXiv", "set": "cs", "from": "2026-11-01"}
    httpserver.expect_request("/oai", query_string=first).respond_with_data(
        (ARXIV / "oai_page1.xml").read_bytes(), content_type="text/xml"
    )
    for token, page in (("6960524|1001", "oai_page2.xml"), ("6960524|2001", "oai_page3.xml")):
        httpserver.expect_request(
            "/oai", query_string={"verb": "ListRecords", "resumptionToken": token}
        ).respond_with_data((ARXIV / page).read_bytes(), content_type="text/xml")


def paper_rows(url: str) -> list[tuple[object, ...]]:
    """Every paper's content (not its row timestamps), for comparing two databases."""
    store = open_store(url)
    with store.db.reader.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT arxiv_id, version, title, abstract, authors, categories, published, "
                "updated, comments, withdrawn FROM papers ORDER BY arxiv_id"
            )
        ).all()
    store.close()
    return [tuple(str(v) for v in row) for row in rows]


def test_parse_page_reads_records_token_and_deletions() -> None:
    page = parse_page((ARXIV / "oai_page2.xml").read_bytes(), "arXiv")
    assert [r.arxiv_id for r in page.records] == ["2611.00003"]
    assert page.records[0].title == "Compilers & <script>alert(1)</script>"
    assert (page.token, page.complete_list_size, page.skipped) == ("6960524|2001", 5, 1)
    first = parse_page((ARXIV / "oai_page1.xml").read_bytes(), "arXiv").records[0]
    assert first.authors == ["Ada Lovelace", "Charles Babbage Jr"]
    assert first.abstract == (
        "We revisit the analytical engine as a differentiable machine. "
        "The method scales to $10^6$ parameters.\n"
        "A second paragraph explains <b>why</b>."
    )
    assert first.categories == ["cs.PL", "cs.LG"]
    assert first.published == datetime(2026, 11, 1)


def test_arxiv_raw_gives_versions_and_dates() -> None:
    page = parse_page((ARXIV / "oai_raw_new_version.xml").read_bytes(), "arXivRaw")
    (paper,) = page.records
    assert paper.version == 2
    assert paper.published == datetime(2026, 11, 1, 10, 0)
    assert paper.updated == datetime(2026, 11, 20, 9, 30)
    assert paper.authors == ["Ada Lovelace", "Charles Babbage Jr", "Mary Somerville"]
    assert page.token is None


def test_bad_resumption_token_raises_with_a_hint() -> None:
    with pytest.raises(HarvestError, match=r"badResumptionToken.*--restart"):
        parse_page((ARXIV / "oai_bad_token.xml").read_bytes(), "arXiv")


@pytest.mark.slow  # a subprocess or a killed process: make test, not make check
def test_harvest_three_pages_then_a_new_version(
    httpserver: HTTPServer, oai_env: dict[str, str], db_url: str
) -> None:
    serve_recorded_pages(httpserver)
    result = run_cli(*HARVEST, env=oai_env)
    assert result.returncode == 0, result.stderr
    assert "harvest complete: 3 pages, 4 inserted" in result.stderr
    assert "1 deleted records skipped" in result.stderr
    store = open_store(db_url)
    withdrawn = store.get_paper("2611.00002")
    assert withdrawn is not None and withdrawn.withdrawn and withdrawn.doi == "10.1000/apollo"
    store.upsert_papers([])  # no-op write must not disturb anything
    with store.write() as conn:  # the community adds an upvote before the new version
        conn.exec_driver_sql("UPDATE papers SET upvotes = 4 WHERE arxiv_id = '2611.00001'")
    store.close()

    httpserver.clear()
    httpserver.expect_request(
        "/oai",
        query_string={
            "verb": "ListRecords",
            "metadataPrefix": "arXivRaw",
            "set": "cs",
            "from": "2026-11-20",
        },
    ).respond_with_data((ARXIV / "oai_raw_new_version.xml").read_bytes())
    result = run_cli(
        "ingest",
        "arxiv",
        "--set",
        "cs",
        "--from",
        "2026-11-20",
        "--prefix",
        "arXivRaw",
        env=oai_env,
    )
    assert result.returncode == 0, result.stderr
    assert "1 updated" in result.stderr
    store = open_store(db_url)
    paper = store.get_paper("2611.00001")
    assert paper is not None
    assert paper.version == 2 and paper.title.endswith("(Second Edition)")
    assert paper.upvotes == 4
    store.close()


def test_no_records_is_a_clean_empty_harvest(
    httpserver: HTTPServer, oai_env: dict[str, str]
) -> None:
    httpserver.expect_request("/oai").respond_with_data((ARXIV / "oai_no_records.xml").read_bytes())
    result = run_cli(*HARVEST, env=oai_env)
    assert result.returncode == 0, result.stderr
    assert "0 inserted" in result.stderr


@pytest.mark.slow  # a subprocess or a killed process: make test, not make check
def test_error_mid_harvest_keeps_earlier_pages_and_resumes(
    httpserver: HTTPServer, oai_env: dict[str, str], db_url: str
) -> None:
    first = {"verb": "ListRecords", "metadataPrefix": "arXiv", "set": "cs", "from": "2026-11-01"}
    httpserver.expect_request("/oai", query_string=first).respond_with_data(
        (ARXIV / "oai_page1.xml").read_bytes()
    )
    httpserver.expect_request("/oai").respond_with_data("<OAI-PMH", status=200)
    result = run_cli(*HARVEST, env=oai_env)
    assert result.returncode == 1
    assert "malformed OAI-PMH response" in result.stderr
    store = open_store(db_url)
    assert store.count_papers() == 2
    store.close()

    httpserver.clear()
    serve_recorded_pages(httpserver)
    result = run_cli(*HARVEST, env=oai_env)
    assert result.returncode == 0, result.stderr
    assert "(resumed)" in result.stderr
    assert httpserver.log[0][0].args["resumptionToken"] == "6960524|1001"
    store = open_store(db_url)
    assert store.count_papers() == 4
    store.close()


@pytest.mark.slow  # a subprocess or a killed process: make test, not make check
def test_kill_9_mid_harvest_then_rerun_equals_a_clean_run(
    httpserver: HTTPServer,
    oai_env: dict[str, str],
    db_url: str,
    tmp_path: Path,
    request: pytest.FixtureRequest,
) -> None:
    pages, per_page = 12, 40

    def handler(req: Request) -> Response:
        time.sleep(0.15)  # a slow server, so the kill lands mid-harvest
        token = req.args.get("resumptionToken")
        page = int(token.split("|")[1]) if token else 0
        return Response(oai_page(page, pages=pages, per_page=per_page), content_type="text/xml")

    httpserver.expect_request("/oai").respond_with_handler(handler)
    store = open_store(db_url)
    store.upgrade()
    for kill in range(3):
        proc = subprocess.Popen(
            [sys.executable, "-m", "dailypapers", *HARVEST],
            env=oai_env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for_pages(store, at_least=2 + 3 * kill, proc=proc)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    result = run_cli(*HARVEST, env=oai_env)
    assert result.returncode == 0, result.stderr
    assert "(resumed)" in result.stderr
    assert store.count_papers() == pages * per_page
    assert store.integrity_check() == []
    store.close()

    clean_dir = tmp_path / "clean"
    clean_dir.mkdir()
    clean_url = new_database_url(engine_of(db_url), clean_dir, request)
    result = run_cli(*HARVEST, env=oai_env | {"DAILYPAPERS_DATABASE_URL": clean_url})
    assert result.returncode == 0, result.stderr
    assert paper_rows(db_url) == paper_rows(clean_url)


def wait_for_pages(store: PaperStore, *, at_least: int, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        state = store.harvest_state("oai:arXiv:cs:2026-11-01:")
        if state is not None and state.pages >= at_least:
            return
        assert proc.poll() is None, "the harvest ended before it could be killed"
        time.sleep(0.02)
    raise AssertionError("harvest made no progress")
