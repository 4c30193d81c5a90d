"""Security suite: schemathesis fuzzes every API operation of /openapi.json against a live
server (at least 100 generated cases each): no server error, every answer documented, every
body matching its schema. CSRF, session fixation and the log-in limit are covered in
test_accounts.py and test_web_pages.py."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from dailypapers.records import PaperRecord
from dailypapers.store import PaperStore
from helpers import FIXTURES, make_user, skip_or_fail
from servers import LiveServer

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


def test_schemathesis_finds_no_server_errors_or_schema_violations(
    store: PaperStore, live: LiveServer, tmp_path: Path, httpserver: HTTPServer
) -> None:
    cli = shutil.which("schemathesis") or str(Path(sys.executable).parent / "schemathesis")
    if not Path(cli).exists():
        skip_or_fail("the security suite needs schemathesis (test extras)")
    store.upsert_papers(
        [
            PaperRecord(
                arxiv_id=f"2601.0000{n}", title=f"Paper {n}", abstract="Graphs.", daily_day=None
            )
            for n in range(1, 6)
        ]
    )
    _, token, _ = make_user(store, "fuzzer")
    # arXiv (the recorded local one) knows none of the ids submitted: a clean 404 each time.
    empty = (FIXTURES / "arxiv" / "api_empty.xml").read_bytes()
    httpserver.expect_request("/api/query").respond_with_data(
        empty, content_type="application/atom+xml"
    )
    report = tmp_path / "schemathesis.json"
    result = subprocess.run(
        [
            cli,
            "run",
            f"{live.url}/openapi.json",
            "--max-examples",
            "100",
            "--checks",
            "all",  # positive_data_acceptance too: the schema describes ids and dates exactly
            "--workers",
            "1",  # CPython's AST parser is not thread-safe in hypothesis' use
            "--seed",
            "20261125",
            "--header",
            f"Authorization: Bearer {token}",
            "--report-json-path",
            str(report),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=tmp_path,  # its crash cache stays out of the repository
        check=False,
    )
    summary = json.loads(report.read_text())
    assert result.returncode == 0, result.stdout[-4000:]
    assert summary["failures"] == [] and summary["errors"] == []
    operations = summary["operations"]
    assert operations["tested"] == operations["selected"] >= 11
    assert summary["test_cases"]["generated"] >= 100 * operations["tested"]
    assert summary["warnings"]["missing_auth"] == []  # the write API was really exercised
