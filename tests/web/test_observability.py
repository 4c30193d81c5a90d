"""Observability: request ids, JSON access logs and Prometheus metrics, on both engines."""

from __future__ import annotations

from typing import Any

import pytest

from dailypapers.records import PaperRecord
from dailypapers.store import PaperStore


def _papers(n: int) -> list[PaperRecord]:
    return [
        PaperRecord(arxiv_id=f"2601.{i:05d}", title=f"Paper {i}", abstract="An abstract.")
        for i in range(n)
    ]


def test_metrics_request_ids_and_json_access_logs(
    client: Any, store: PaperStore, caplog: pytest.LogCaptureFixture
) -> None:
    import json
    import logging

    from dailypapers.web.observability import JsonFormatter, RequestIdFilter

    store.upsert_papers(_papers(2))
    with caplog.at_level(logging.INFO, logger="dailypapers.access"):
        page = client.get("/papers/2601.00001", headers={"X-Request-ID": "abc-123"})
        hostile = client.get("/papers/2601.00001", headers={"X-Request-ID": "<script>\n"})
        client.get("/api/papers/search?q=paper")
    assert page.headers["x-request-id"] == "abc-123"
    assert (
        hostile.headers["x-request-id"] != "<script>\n"
        and len(hostile.headers["x-request-id"]) == 32
    )
    record = next(r for r in caplog.records if getattr(r, "request_id", None) == "abc-123")
    RequestIdFilter().filter(record)
    line = json.loads(JsonFormatter().format(record))
    assert line["route"] == "/papers/{arxiv_id:path}" and line["status"] == 200 and line["ms"] >= 0

    metrics = client.get("/metrics")
    assert metrics.status_code == 200 and metrics.headers["content-type"].startswith("text/plain")
    text = metrics.text
    assert (
        'dailypapers_http_request_duration_seconds_count{method="GET",route="/papers/{arxiv_id:path}",status="200"}'
        in text
    )
    assert 'dailypapers_search_duration_seconds_count{kind="search"}' in text
    assert "dailypapers_papers 2.0" in text
    assert "dailypapers_digest_outbox" in text and "dailypapers_arxiv_requests_total" in text
