"""The `huggingface_hub` client, unchanged, against our server on loopback."""

from __future__ import annotations

from datetime import date

import pytest
from huggingface_hub import HfApi
from huggingface_hub.errors import HfHubHTTPError

from dailypapers.community.repo import CommunityRepo
from dailypapers.records import PaperRecord
from dailypapers.store import PaperStore
from helpers import make_user
from servers import LiveServer


@pytest.fixture
def api(live: LiveServer, store: PaperStore) -> HfApi:
    store.upsert_papers(
        [
            PaperRecord(
                arxiv_id="2602.00001",
                title="Sparse attention at scale",
                abstract="We study $O(n)$ attention.",
                authors=["Ada Lovelace", "Alan Turing"],
                upvotes=42,
                daily_day=date(2026, 2, 3),
                github_url="https://github.com/a/b",
            ),
            PaperRecord(
                arxiv_id="2602.00002",
                title="Dense retrieval revisited",
                authors=["Grace Hopper"],
                upvotes=7,
                daily_day=date(2026, 2, 4),
            ),
            PaperRecord(arxiv_id="2602.00003", title="Not on the feed", authors=["X"]),
        ]
    )
    user, _, _ = make_user(store, "curator")
    paper = store.get_paper("2602.00003")
    assert paper is not None
    CommunityRepo(store.db).submit(paper.id, user.id, date(2026, 2, 4))
    return HfApi(endpoint=live.url, token=False)


def test_list_daily_papers(api: HfApi) -> None:
    latest = list(api.list_daily_papers())
    assert {p.id for p in latest} == {"2602.00002", "2602.00003"}
    day = list(api.list_daily_papers(date="2026-02-03"))
    (paper,) = day
    assert paper.title == "Sparse attention at scale"
    assert [a.name for a in paper.authors or []] == ["Ada Lovelace", "Alan Turing"]
    assert paper.upvotes == 42 and paper.github_repo == "https://github.com/a/b"
    assert paper.summary == "We study $O(n)$ attention."
    assert paper.submitted_at is not None and paper.submitted_at.date() == date(2026, 2, 3)
    week = list(api.list_daily_papers(week="2026-W06", sort="publishedAt"))
    assert len(week) == 3
    month = list(api.list_daily_papers(month="2026-02", limit=2, p=1))
    assert len(month) == 1
    mine = list(api.list_daily_papers(week="2026-W06", submitter="curator"))
    assert [p.id for p in mine] == ["2602.00003"]
    assert mine[0].submitted_by is not None and mine[0].submitted_by.username == "curator"
    trending = list(api.list_daily_papers(sort="trending"))
    assert trending and trending[0].id in {"2602.00001", "2602.00002", "2602.00003"}


def test_paper_info_and_404(api: HfApi) -> None:
    info = api.paper_info("2602.00001")
    assert info.id == "2602.00001" and info.title == "Sparse attention at scale"
    assert info.upvotes == 42 and info.comments == 0
    with pytest.raises(HfHubHTTPError) as raised:
        api.paper_info("2612.99999")
    assert raised.value.response.status_code == 404


def test_list_papers_by_query(api: HfApi) -> None:
    found = list(api.list_papers(query="attention", limit=5))
    assert [p.id for p in found] == ["2602.00001"]
    assert list(api.list_papers(query="nothing matches this")) == []


def test_the_read_api_publishes_its_response_shapes(api: HfApi, live: LiveServer) -> None:
    """OpenAPI names every field the client parses, with HF's spelling (``_id``), so a
    client generator or schemathesis can check answers, not just requests."""
    import httpx

    spec = httpx.get(f"{live.url}/openapi.json").json()
    schemas = spec["components"]["schemas"]
    ok = {
        path: op["get"]["responses"]["200"]["content"]["application/json"]["schema"]
        for path, op in spec["paths"].items()
        if path.startswith("/api/") and "get" in op
    }
    assert ok["/api/daily_papers"]["items"]["$ref"].endswith("/DailyPaper")
    assert ok["/api/papers/search"]["items"]["$ref"].endswith("/SearchResult")
    assert ok["/api/papers/{arxiv_id}"]["$ref"].endswith("/PaperOut")
    assert {"_id", "name", "hidden"} <= set(schemas["PaperAuthor"]["properties"])
    assert {"_id", "fullname", "name"} <= set(schemas["HfUser"]["properties"])
    paper = schemas["PaperOut"]["properties"]
    assert {"authors", "publishedAt", "upvotes", "numComments", "summary"} <= set(paper)
    # And what the server sends has exactly those fields.
    sent = httpx.get(f"{live.url}/api/daily_papers", params={"date": "2026-02-04"}).json()
    assert set(sent[0]) == set(schemas["DailyPaper"]["properties"])
    assert set(sent[0]["paper"]) == set(paper)
    submitted = [item for item in sent if item["submittedBy"]]
    assert [item["paper"]["id"] for item in submitted] == ["2602.00003"]
    assert set(submitted[0]["submittedBy"]) == set(schemas["HfUser"]["properties"])
