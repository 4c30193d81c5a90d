"""The pages and feeds, in-process on both engines: navigation, sorting, tags, escaping."""

from __future__ import annotations

import html
from datetime import date

import feedparser
import pytest
from fastapi.testclient import TestClient

from dailypapers.records import PaperRecord
from dailypapers.store import PaperStore

HOSTILE_TITLE = '<script>alert("t")</script><img src=x onerror=alert(1)> $\\frac{1}{$'
HOSTILE_AUTHOR = '"><svg onload=alert(2)>'


@pytest.fixture
def seeded(store: PaperStore) -> PaperStore:
    def paper(n: int, day: date, upvotes: int, **extra: object) -> PaperRecord:
        values: dict[str, object] = {
            "title": f"Paper {n} on transformers",
            "abstract": f"Abstract {n} with $x^2$.",
            "authors": ["Ada Lovelace", "Alan Turing"],
            "categories": ["cs.CL", "cs.LG"],
            "upvotes": upvotes,
            "daily_day": day,
        }
        return PaperRecord(arxiv_id=f"2602.{n:05d}", **(values | extra))  # type: ignore[arg-type]

    store.upsert_papers(
        [
            paper(1, date(2026, 2, 2), 10),
            paper(2, date(2026, 2, 4), 3),
            paper(3, date(2026, 2, 4), 30, github_url="https://github.com/a/b"),
            paper(4, date(2026, 2, 6), 1, title=HOSTILE_TITLE, authors=[HOSTILE_AUTHOR]),
            paper(5, date(2026, 2, 6), 7),
        ]
    )
    return store


def test_home_shows_the_latest_day_with_navigation(client: TestClient, seeded: PaperStore) -> None:
    page = client.get("/").text
    assert "Friday, February 6, 2026" in page and "2 papers" in page
    assert 'href="/papers/date/2026-02-04?sort=upvotes"' in page  # skips the empty 5th
    assert 'rel="next"' not in page
    assert page.index("Paper 5 on") < page.index("&lt;script&gt;")  # most upvoted first
    newest = client.get("/papers/date/2026-02-04?sort=newest").text
    assert 'rel="next" href="/papers/date/2026-02-06' in newest
    assert "github.com/a/b" in newest


def test_week_and_month_views(client: TestClient, seeded: PaperStore) -> None:
    week = client.get("/papers/week/2026-W06").text
    assert "5 papers" in week and "Week 6" in week
    assert 'rel="prev"' not in week and 'rel="next"' not in week  # no other week has papers
    month = client.get("/papers/month/2026-02").text
    assert "February 2026" in month and "5 papers" in month
    for bad in ("/papers/week/2026-W99", "/papers/month/2026-13", "/papers/date/tomorrow"):
        response = client.get(bad)
        assert response.status_code == 404 and "<html" in response.text


def test_trending_explains_itself(client: TestClient, seeded: PaperStore) -> None:
    page = client.get("/papers/trending").text
    assert "why trending?" in page and "upvotes + 2×0 comments" in page
    assert "score = (upvotes + 2 × comments)" in page


def test_paper_page_tags_links_and_citation(client: TestClient, seeded: PaperStore) -> None:
    page = client.get("/papers/2602.00003").text
    assert '<meta name="citation_title" content="Paper 3 on transformers">' in page
    assert page.count('<meta name="citation_author"') == 2
    assert '<meta name="citation_pdf_url" content="https://arxiv.org/pdf/2602.00003">' in page
    assert '<meta property="og:title" content="Paper 3 on transformers">' in page
    assert '<a href="/authors/ada-lovelace">Ada Lovelace</a>' in page
    assert "@misc{lovelace" in page and "eprint = {2602.00003}" in page
    assert 'id="similar"' in page and "/static/katex/katex.min.js" in page
    assert 'href="https://arxiv.org/abs/2602.00003"' in page
    assert client.get("/papers/arXiv:2602.00003").status_code == 200  # any id form


def test_hostile_text_is_escaped_everywhere(client: TestClient, seeded: PaperStore) -> None:
    for path in ("/", "/papers/2602.00004", "/papers/trending", "/papers/week/2026-W06"):
        response = client.get(path)
        assert "<script>alert" not in response.text and "<img src=x" not in response.text
        assert "<svg onload" not in response.text
        assert "&lt;script&gt;" in response.text
        assert "script-src 'self'" in response.headers["content-security-policy"]
        assert response.headers["x-content-type-options"] == "nosniff"
    atom = client.get("/feeds/daily.atom").text
    assert "<script>" not in atom and "&lt;script&gt;" in atom
    assert client.get("/api/papers/2602.00004").json()["title"] == HOSTILE_TITLE


def test_unknown_and_malformed_papers(client: TestClient, seeded: PaperStore) -> None:
    page = client.get("/papers/2612.99999")
    assert page.status_code == 404 and "Submit it" in page.text and "<html" in page.text
    api = client.get("/api/papers/2612.99999")
    assert api.status_code == 404  # the same refusal, in the same words, as JSON
    assert api.json() == {
        "error": "No paper 2612.99999 here yet. Submit it to fetch it from arXiv."
    }
    assert client.get("/papers/%3Cscript%3E").status_code == 404
    bad = client.get("/api/papers/banana")
    assert bad.status_code == 400 and "accepted forms" in bad.json()["error"]


@pytest.mark.parametrize(
    "query",
    [
        "date=nope",
        "week=2026-W99",
        "month=13",
        "limit=0",
        "limit=1000",
        "p=-1",
        "sort=random",
        "week=",
        "submitter=" + "x" * 100,
    ],
)
def test_bad_api_parameters_are_4xx_json(client: TestClient, query: str) -> None:
    response = client.get(f"/api/daily_papers?{query}")
    assert 400 <= response.status_code < 500
    assert "error" in response.json()


def test_the_most_specific_period_given_wins(client: TestClient, seeded: PaperStore) -> None:
    both = client.get("/api/daily_papers?date=2026-02-06&week=2026-W06&month=2026-02").json()
    day = client.get("/api/daily_papers?date=2026-02-06").json()
    assert both == day and len(day) == 2


@pytest.mark.parametrize("feed", ["daily", "trending"])
@pytest.mark.parametrize("fmt", ["atom", "rss"])
def test_feeds_parse(client: TestClient, seeded: PaperStore, feed: str, fmt: str) -> None:
    parsed = feedparser.parse(client.get(f"/feeds/{feed}.{fmt}").content)
    assert not parsed.bozo, parsed.bozo_exception
    assert parsed.version.startswith(fmt)
    titles = [e.title for e in parsed.entries]
    if fmt == "rss":  # readers render RSS titles as HTML: the text arrives HTML-escaped
        assert HOSTILE_TITLE not in titles
        titles = [html.unescape(title) for title in titles]
    assert HOSTILE_TITLE in titles
    assert all(e.link.startswith("http://127.0.0.1:8000/papers/") for e in parsed.entries)


def test_search_feed_and_page(client: TestClient, seeded: PaperStore) -> None:
    parsed = feedparser.parse(client.get("/feeds/search.atom?q=transformers").content)
    assert not parsed.bozo and len(parsed.entries) == 4
    page = client.get("/search?q=Paper 3").text
    assert "Paper 3 on transformers" in page


def test_openapi_lists_read_and_write_endpoints(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    paths = spec["paths"]
    for path in (
        "/api/daily_papers",
        "/api/papers/search",
        "/api/papers/submit",
        "/api/papers/{arxiv_id}/upvote",
        "/api/papers/{arxiv_id}/comments",
    ):
        assert path in paths
