"""Organisations: who creates and runs them, who puts them on which papers, and how the API,
the feeds and the Following tab filter by them."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from dailypapers.errors import Forbidden
from dailypapers.models import utcnow
from dailypapers.people.orgs import OrgService
from dailypapers.records import PaperRecord
from dailypapers.store import PaperStore
from helpers import browser, csrf_from, make_user

HOSTILE = '<img src=x onerror="alert(1)">Lab'


def post(client: TestClient, path: str, **form: str) -> int:
    token = csrf_from(client.get("/").text)
    return client.post(path, data={"csrf_token": token, **form}, follow_redirects=False).status_code


@pytest.fixture
def lab(client: TestClient, store: PaperStore) -> dict[str, TestClient]:
    """ada runs the lab, bob is a member, eve is not; ada submitted 2612.00001."""
    day = date.today()
    store.upsert_papers(
        [
            PaperRecord(
                arxiv_id=f"2612.0000{n}",
                title=f"Paper {n}",
                authors=["Ada Lovelace"],
                published=utcnow() - timedelta(days=1),
                daily_day=day,
            )
            for n in (1, 2)
        ]
    )
    people = {name: browser(client, make_user(store, name)[2]) for name in ("ada", "bob", "eve")}
    about = "We <b>compute</b>."
    assert post(people["ada"], "/orgs", slug="analytical", name=HOSTILE, description=about) == 303
    assert post(people["ada"], "/orgs/analytical/members", username="bob") == 303
    ada = store.get_user_by_email("ada@example.org")
    paper = store.get_paper("2612.00001")
    assert ada is not None and paper is not None
    with store.db.writer.begin() as conn:
        conn.exec_driver_sql(
            f"UPDATE daily_entries SET submitted_by_id = {ada.id} WHERE paper_id = {paper.id}"
        )
    return people


def test_creating_an_org_checks_its_short_name_and_who_may(
    client: TestClient, store: PaperStore, lab: dict[str, TestClient]
) -> None:
    eve = lab["eve"]
    assert post(eve, "/orgs", slug="analytical", name="Copy") == 409
    assert post(eve, "/orgs", slug="Bad Slug!", name="x") == 400
    assert post(eve, "/orgs", slug="new", name="x") == 400  # reserved
    page = client.get("/orgs/analytical").text
    assert "<img src=x" not in page and "&lt;img src=x" in page and "&lt;b&gt;compute" in page
    assert "@bob" in page and "@ada" in page
    eve_user = store.get_user_by_email("eve@example.org")
    assert eve_user is not None
    only_admins = OrgService(store.db, Path("unused"), creation="admins")
    with pytest.raises(Forbidden):
        only_admins.create(eve_user, "evelab", "Eve's lab")
    assert client.get("/orgs/nothing-here").status_code == 404


def test_members_and_roles_keep_one_admin(lab: dict[str, TestClient]) -> None:
    ada, bob, eve = lab["ada"], lab["bob"], lab["eve"]
    assert post(bob, "/orgs/analytical/members", username="eve") == 403  # not an org admin
    assert post(ada, "/orgs/analytical/members", username="ada", remove="true") == 409  # last
    assert post(ada, "/orgs/analytical/members", username="bob", role="admin") == 303
    assert post(ada, "/orgs/analytical/members", username="ada", remove="true") == 303  # leaves
    assert post(eve, "/orgs/analytical/members", username="bob", remove="true") == 403
    assert post(bob, "/orgs/analytical/members", username="nobody") == 404


def test_members_put_the_org_on_their_papers_and_the_api_filters_by_it(
    client: TestClient, lab: dict[str, TestClient], live: object
) -> None:
    from huggingface_hub import HfApi

    ada, bob, eve = lab["ada"], lab["bob"], lab["eve"]
    assert post(eve, "/papers/2612.00001/orgs", org="analytical") == 403  # not a member
    assert post(bob, "/papers/2612.00001/orgs", org="analytical") == 403  # not bob's paper
    assert post(ada, "/papers/2612.00001/orgs", org="analytical") == 303  # she submitted it
    assert post(ada, "/papers/2612.00002/orgs", org="analytical") == 303  # she runs the org
    assert post(ada, "/papers/2612.00002/orgs", org="analytical", on="false") == 303
    listed = client.get("/api/daily_papers?org=analytical").json()
    assert [item["paper"]["id"] for item in listed] == ["2612.00001"]
    assert listed[0]["organization"]["name"] == "analytical"
    assert client.get("/api/daily_papers?org=nothing-here").status_code == 404
    feed = client.get("/feeds/daily.atom?org=analytical").text
    assert feed.count("<entry>") == 1 and "Paper 1" in feed
    assert "a member put" in client.get("/orgs/analytical").text
    api = HfApi(endpoint=live.url, token=False)  # type: ignore[attr-defined]
    info = api.paper_info("2612.00001")
    assert info.organization is not None and info.organization.name == "analytical"
    assert info.organization.fullname == HOSTILE  # data, not markup: the client escapes


def test_following_an_org_brings_its_papers_to_the_following_tab(
    lab: dict[str, TestClient],
) -> None:
    ada, eve = lab["ada"], lab["eve"]
    assert post(ada, "/papers/2612.00001/orgs", org="analytical") == 303
    assert post(eve, "/follow", kind="org", target="analytical") == 303
    assert post(eve, "/follow", kind="org", target="nothing-here") == 404
    page = eve.get("/following").text
    assert "Paper 1" in page and "which you follow" in page
    assert "Following · 1" in eve.get("/orgs/analytical").text
