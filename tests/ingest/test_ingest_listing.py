"""Today's daily listing: new papers of chosen categories become today's feed."""

from __future__ import annotations

from datetime import date

import pytest
from pytest_httpserver import HTTPServer

from dailypapers.ingest.listing import parse_listing
from dailypapers.ingest.xmlfeed import MalformedFeed
from dailypapers.store import FeedQuery, FeedRepo, open_store
from helpers import FIXTURES, run_cli

ARXIV = FIXTURES / "arxiv"


def test_parse_listing_keeps_new_papers_only() -> None:
    day, records = parse_listing((ARXIV / "listing_cs.CL.xml").read_bytes())
    assert day == date(2026, 11, 25)
    (paper,) = records
    assert (paper.arxiv_id, paper.version) == ("2611.20001", 1)
    assert paper.abstract == "We show that tokenizers are $O(n)$ and that <i>byte</i> models win."
    assert paper.authors == ["Claude Shannon", "Noam Chomsky"]
    assert paper.categories == ["cs.CL", "cs.LG"]
    assert paper.daily_day == day
    _, with_cross = parse_listing((ARXIV / "listing_cs.CL.xml").read_bytes(), include_cross=True)
    assert [r.arxiv_id for r in with_cross] == ["2611.20001", "2611.20002"]


@pytest.mark.parametrize("body", [b"<rss version='2.0'></rss>", b"<feed/>", b"nope"])
def test_malformed_listing_raises(body: bytes) -> None:
    with pytest.raises(MalformedFeed):
        parse_listing(body)


@pytest.mark.slow  # a subprocess or a killed process: make test, not make check
def test_listing_creates_todays_daily_entries_once(
    httpserver: HTTPServer, env: dict[str, str], db_url: str
) -> None:
    for category in ("cs.CL", "cs.LG"):
        httpserver.expect_request(f"/rss/{category}").respond_with_data(
            (ARXIV / f"listing_{category}.xml").read_bytes(), content_type="application/rss+xml"
        )
    env = env | {"DAILYPAPERS_ARXIV_LISTING_URL": httpserver.url_for("/rss")}
    result = run_cli("ingest", "arxiv", "--listing", "cs.CL", "--listing", "cs.LG", env=env)
    assert result.returncode == 0, result.stderr
    assert "listing of 2026-11-25: 2 new papers, 2 inserted, 2 added" in result.stderr
    store = open_store(db_url)
    day = date(2026, 11, 25)
    items = FeedRepo(store.db).items(FeedQuery(day, day))
    assert sorted(i.paper.arxiv_id for i in items) == ["2611.20001", "2611.20003"]
    assert all(i.entry.submitted_by_id is None for i in items)
    store.close()
    again = run_cli("ingest", "arxiv", "--listing", "cs.CL", "--listing", "cs.LG", env=env)
    assert again.returncode == 0 and "0 added to the daily feed" in again.stderr


def test_bad_category_is_bad_input(env: dict[str, str]) -> None:
    result = run_cli("ingest", "arxiv", "--listing", "cs.CL/../x", env=env)
    assert result.returncode == 2
    assert "not an arXiv category" in result.stderr
