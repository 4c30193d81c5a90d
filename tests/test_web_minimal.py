"""The minimal site and JSON API the foundation serves (the web issue builds the rest)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from fastapi.testclient import TestClient

from dailypapers.records import PaperRecord
from dailypapers.settings import Settings
from dailypapers.store import PaperStore
from dailypapers.web.app import create_app


@pytest.fixture
def client(store: PaperStore, settings: Settings) -> Iterator[TestClient]:
    store.upsert_papers(
        [
            PaperRecord(
                arxiv_id="2602.00001",
                title="<script>alert(1)</script> Paper",
                authors=["Ada"],
                upvotes=3,
                daily_day=date(2026, 2, 3),
            ),
            PaperRecord(
                arxiv_id="2602.00002", title="Popular", upvotes=9, daily_day=date(2026, 2, 3)
            ),
        ]
    )
    with TestClient(create_app(settings, store)) as test_client:
        yield test_client


def test_home_lists_the_latest_day_escaped(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Paper" in page.text
    assert "<script>alert(1)" not in page.text
    assert page.text.index("Popular") < page.text.index("Paper</a>")


def test_daily_papers_api(client: TestClient) -> None:
    items = client.get("/api/daily_papers").json()
    assert [i["paper"]["id"] for i in items] == ["2602.00002", "2602.00001"]
    assert items[0]["paper"]["upvotes"] == 9
    assert client.get("/api/daily_papers", params={"date": "2020-01-01"}).json() == []
    assert client.get("/api/daily_papers", params={"date": "nope"}).status_code == 422


def test_paper_api_404_and_400(client: TestClient) -> None:
    assert client.get("/api/papers/2602.00001").json()["title"].endswith("Paper")
    missing = client.get("/api/papers/2602.09999")
    assert missing.status_code == 404 and "not found" in missing.json()["error"]
    bad = client.get("/api/papers/banana")
    assert bad.status_code == 400 and "accepted forms" in bad.json()["error"]
