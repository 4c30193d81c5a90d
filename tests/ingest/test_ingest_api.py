"""`dailypapers ingest arxiv --id …` against a local server replaying arXiv API responses."""

from __future__ import annotations

from datetime import datetime

import pytest
from pytest_httpserver import HTTPServer

from dailypapers.ingest.arxiv_api import ArxivApiError, parse_atom, total_results
from dailypapers.ingest.xmlfeed import MalformedFeed
from dailypapers.store import open_store
from helpers import FIXTURES, run_cli

ARXIV = FIXTURES / "arxiv"


@pytest.fixture
def api_env(env: dict[str, str], httpserver: HTTPServer) -> dict[str, str]:
    return env | {"DAILYPAPERS_ARXIV_API_URL": httpserver.url_for("/api/query")}


def test_parse_atom_reads_every_field() -> None:
    content = (ARXIV / "api_two_papers.xml").read_bytes()
    assert total_results(content) == 2
    moe, brane = parse_atom(content)
    assert (moe.arxiv_id, moe.version) == ("2401.01234", 3)
    assert (
        moe.title == r"Sparse Mixture-of-Experts Routing with $\mathcal{O}(\log n)$ Load Balancing"
    )
    assert moe.abstract is not None
    assert moe.abstract.startswith("We study routing") and "\n" in moe.abstract
    assert "$1+\\epsilon$ of optimal while adding" in moe.abstract  # hard wraps undone
    assert moe.authors == ["Grace Hopper", "Edsger W. Dijkstra"]
    assert moe.categories == ["cs.LG", "cs.DC"]
    assert moe.published == datetime(2024, 1, 2, 18, 59, 59)
    assert moe.updated == datetime(2024, 3, 11, 17, 58, 2)
    assert (moe.doi, moe.journal_ref) == ("10.1000/xyz123", "ICML 2024")
    assert moe.withdrawn is False
    assert (brane.arxiv_id, brane.version, brane.withdrawn) == ("hep-th/9901001", 2, True)


def test_api_error_entry_raises() -> None:
    with pytest.raises(ArxivApiError, match="incorrect id format"):
        parse_atom((ARXIV / "api_error.xml").read_bytes())


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"<html>oops</html>",
        b"<feed",
        b"\x00\xff",
        b'<!DOCTYPE x [<!ENTITY a "aaaa">]><feed>&a;</feed>',
    ],
)
def test_malformed_responses_raise_a_clear_error(body: bytes) -> None:
    with pytest.raises(MalformedFeed, match="malformed"):
        parse_atom(body)


@pytest.mark.slow  # a subprocess or a killed process: make test, not make check
def test_fetch_by_id_stores_papers(
    httpserver: HTTPServer, api_env: dict[str, str], db_url: str
) -> None:
    httpserver.expect_request(
        "/api/query",
        query_string={"id_list": "2401.01234,hep-th/9901001v2", "max_results": "2", "start": "0"},
    ).respond_with_data(
        (ARXIV / "api_two_papers.xml").read_bytes(), content_type="application/atom+xml"
    )
    result = run_cli(
        "ingest",
        "arxiv",
        "--id",
        "https://arxiv.org/abs/2401.01234",
        "--id",
        "hep-th/9901001v2",
        env=api_env,
    )
    assert result.returncode == 0, result.stderr
    assert "2 inserted" in result.stderr
    store = open_store(db_url)
    paper = store.get_paper("2401.01234")
    assert paper is not None and paper.version == 3 and paper.primary_category == "cs.LG"
    withdrawn = store.get_paper("hep-th/9901001")
    assert withdrawn is not None and withdrawn.withdrawn
    store.close()
    again = run_cli(
        "ingest", "arxiv", "--id", "2401.01234", "--id", "hep-th/9901001v2", env=api_env
    )
    assert again.returncode == 0 and "2 unchanged" in again.stderr


def test_unknown_id_is_reported_and_fails(httpserver: HTTPServer, api_env: dict[str, str]) -> None:
    httpserver.expect_request("/api/query").respond_with_data(
        (ARXIV / "api_empty.xml").read_bytes(), content_type="application/atom+xml"
    )
    result = run_cli("ingest", "arxiv", "--id", "2612.99999", env=api_env)
    assert result.returncode == 1
    assert "arXiv does not know: 2612.99999" in result.stderr


def test_bad_id_exits_2_naming_the_id_and_the_forms(
    api_env: dict[str, str], httpserver: HTTPServer
) -> None:
    result = run_cli("ingest", "arxiv", "--id", "2401.01234", "--id", "not-an-id", env=api_env)
    assert result.returncode == 2
    assert "'not-an-id'" in result.stderr and "accepted forms" in result.stderr
    assert httpserver.log == []  # nothing fetched for a bad command line


@pytest.mark.slow  # a subprocess or a killed process: make test, not make check
def test_retry_after_is_honoured_then_success(
    httpserver: HTTPServer, api_env: dict[str, str]
) -> None:
    httpserver.expect_ordered_request("/api/query").respond_with_data(
        "slow down", status=503, headers={"Retry-After": "1"}
    )
    httpserver.expect_ordered_request("/api/query").respond_with_data("busy", status=429)
    httpserver.expect_ordered_request("/api/query").respond_with_data(
        (ARXIV / "api_two_papers.xml").read_bytes()
    )
    env = api_env | {"DAILYPAPERS_ARXIV_MAX_BACKOFF_SECONDS": "5"}
    result = run_cli("ingest", "arxiv", "--id", "2401.01234", "--id", "hep-th/9901001v2", env=env)
    assert result.returncode == 0, result.stderr
    assert len(httpserver.log) == 3


def test_repeated_failure_exits_nonzero_and_writes_nothing(
    httpserver: HTTPServer, api_env: dict[str, str], db_url: str
) -> None:
    httpserver.expect_request("/api/query").respond_with_data("down", status=500)
    env = api_env | {"DAILYPAPERS_ARXIV_MAX_ATTEMPTS": "3"}
    result = run_cli("ingest", "arxiv", "--id", "2401.01234", env=env)
    assert result.returncode == 1
    assert "no usable answer after 3 attempts" in result.stderr
    assert "HTTP 500" in result.stderr
    assert len(httpserver.log) == 3
    store = open_store(db_url)
    assert store.count_papers() == 0
    store.close()


def test_client_error_is_not_retried(httpserver: HTTPServer, api_env: dict[str, str]) -> None:
    httpserver.expect_request("/api/query").respond_with_data("bad request", status=400)
    result = run_cli("ingest", "arxiv", "--id", "2401.01234", env=api_env)
    assert result.returncode == 1
    assert "HTTP 400" in result.stderr
    assert len(httpserver.log) == 1


@pytest.mark.slow  # a subprocess or a killed process: make test, not make check
def test_timeouts_are_retried_then_reported(api_env: dict[str, str]) -> None:
    import socket

    with socket.socket() as silent:  # accepts connections, never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        port = silent.getsockname()[1]
        env = api_env | {
            "DAILYPAPERS_ARXIV_API_URL": f"http://127.0.0.1:{port}/api/query",
            "DAILYPAPERS_ARXIV_TIMEOUT_SECONDS": "0.3",
            "DAILYPAPERS_ARXIV_MAX_ATTEMPTS": "2",
        }
        result = run_cli("ingest", "arxiv", "--id", "2401.01234", env=env)
    assert result.returncode == 1
    assert "Timeout" in result.stderr
