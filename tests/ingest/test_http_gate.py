"""arXiv etiquette: one request at a time and a pause between requests, across processes."""

from __future__ import annotations

import itertools
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from dailypapers.ingest.http import RequestGate, retry_after_seconds
from helpers import run_cli


def test_retry_after_accepts_seconds_and_http_dates() -> None:
    now = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
    assert retry_after_seconds("120", now) == 120
    later = format_datetime(now + timedelta(seconds=90), usegmt=True)
    assert retry_after_seconds(later, now) == 90
    earlier = format_datetime(now - timedelta(seconds=90), usegmt=True)
    assert retry_after_seconds(earlier, now) == 0
    assert retry_after_seconds("soon", now) is None
    assert retry_after_seconds(None, now) is None


def test_gate_defers_the_next_request(tmp_path: Path) -> None:
    slept: list[float] = []
    gate = RequestGate(tmp_path, delay=0.0, sleep=slept.append)
    with gate.slot() as slot:
        slot.defer(30)
    with gate.slot():
        pass
    assert len(slept) == 1 and 29 < slept[0] <= 30


@pytest.mark.slow  # a subprocess or a killed process: make test, not make check
def test_two_processes_never_overlap_and_keep_the_delay(
    httpserver: HTTPServer, env: dict[str, str], tmp_path: Path
) -> None:
    delay = 0.4
    arrivals: list[tuple[float, float]] = []
    in_flight = 0
    lock = threading.Lock()
    max_in_flight = 0

    def handler(_: Request) -> Response:
        nonlocal in_flight, max_in_flight
        with lock:
            in_flight += 1
            max_in_flight = max(max_in_flight, in_flight)
        start = time.monotonic()
        time.sleep(0.1)
        with lock:
            in_flight -= 1
        arrivals.append((start, time.monotonic()))
        return Response(
            b"<OAI-PMH xmlns='http://www.openarchives.org/OAI/2.0/'>"
            b"<error code='noRecordsMatch'/></OAI-PMH>",
            content_type="text/xml",
        )

    httpserver.expect_request("/oai").respond_with_handler(handler)
    env = env | {
        "DAILYPAPERS_ARXIV_OAI_URL": httpserver.url_for("/oai"),
        "DAILYPAPERS_ARXIV_DELAY_SECONDS": str(delay),
    }
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "dailypapers",
                "ingest",
                "arxiv",
                "--set",
                s,
                "--from",
                "2026-11-01",
            ],
            env=env,
            stderr=subprocess.PIPE,
        )
        for s in ("cs", "math", "physics")
    ]
    for proc in procs:
        assert proc.wait(timeout=60) == 0, proc.stderr.read() if proc.stderr else ""
    assert len(arrivals) == 3
    assert max_in_flight == 1
    arrivals.sort()
    gaps = [nxt[0] - prev[1] for prev, nxt in itertools.pairwise(arrivals)]
    assert all(gap >= delay * 0.95 for gap in gaps), gaps
    assert run_cli("--version", env=env).returncode == 0
