"""Upvotes, comments, submissions and moderation, through the pages and the write API."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import date

import httpx
import pytest
from fastapi.testclient import TestClient
from pytest_httpserver import HTTPServer

from dailypapers.models import utcnow
from dailypapers.records import PaperRecord
from dailypapers.store import PaperStore
from helpers import FIXTURES, browser, csrf_from, make_user
from servers import LiveServer

PAPER = "2602.00001"


@pytest.fixture
def paper(store: PaperStore) -> str:
    store.upsert_papers(
        [
            PaperRecord(
                arxiv_id=PAPER,
                title="A paper worth discussing",
                authors=["Ada"],
                upvotes=5,
                daily_day=date(2026, 2, 3),
            )
        ]
    )
    return PAPER


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_upvote_form_is_idempotent(client: TestClient, store: PaperStore, paper: str) -> None:
    _, _, session = make_user(store, "ada")
    me = browser(client, session)
    token = csrf_from(me.get(f"/papers/{paper}").text)
    for action, expected in (("on", 6), ("on", 6), ("off", 5), ("off", 5)):
        response = me.post(
            f"/papers/{paper}/upvote",
            data={"vote": action, "csrf_token": token},
            headers={"Accept": "application/json"},
        )
        assert response.json() == {"upvotes": expected, "upvoted": action == "on"}
    anonymous = client.post(
        f"/papers/{paper}/upvote",
        data={"csrf_token": csrf_from(client.get("/").text)},
        follow_redirects=False,
    )
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login")


@pytest.mark.slow  # a subprocess or a killed process: make test, not make check
def test_fifty_concurrent_voters_end_with_the_exact_count(
    live: LiveServer, store: PaperStore, paper: str
) -> None:
    tokens = [make_user(store, f"voter{n}")[1] for n in range(50)]

    def vote(token: str, method: str) -> int:
        with httpx.Client(base_url=live.url, timeout=60) as http:
            response = http.request(method, f"/api/papers/{paper}/upvote", headers=auth(token))
            return response.status_code

    with ThreadPoolExecutor(max_workers=50) as pool:
        assert set(pool.map(lambda t: vote(t, "POST"), tokens)) == {200}
        assert store.get_paper(paper).upvotes == 5 + 50  # type: ignore[union-attr]
        # half take their vote back while the others click again (idempotent)
        jobs = [(t, "DELETE" if i % 2 else "POST") for i, t in enumerate(tokens)]
        assert set(pool.map(lambda job: vote(*job), jobs)) == {200}
    assert store.get_paper(paper).upvotes == 5 + 25  # type: ignore[union-attr]
    with store.db.reader.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM upvotes").scalar() == 25


def test_comments_are_sanitised_and_replies_stay_one_level(
    client: TestClient, store: PaperStore, paper: str
) -> None:
    _, token, _ = make_user(store, "ada")
    hostile = (
        "**bold** <script>alert(1)</script> <img src=x onerror=alert(2)> "
        "[click](javascript:alert(3)) [ok](https://example.org) $\\frac{1}{0$"
    )
    created = client.post(
        f"/api/papers/{paper}/comments", json={"body": hostile}, headers=auth(token)
    )
    assert created.status_code == 201
    html = created.json()["html"]
    assert "<strong>bold</strong>" in html
    assert "<script" not in html and "<img" not in html  # raw HTML stays text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert 'href="javascript' not in html
    assert 'href="https://example.org"' in html and "nofollow" in html
    top = created.json()["id"]
    reply = client.post(
        f"/api/papers/{paper}/comments",
        json={"body": "reply", "parent_id": top},
        headers=auth(token),
    ).json()
    nested = client.post(
        f"/api/papers/{paper}/comments",
        json={"body": "reply to reply", "parent_id": reply["id"]},
        headers=auth(token),
    ).json()
    assert reply["parent_id"] == nested["parent_id"] == top
    page = client.get(f"/papers/{paper}").text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page or "alert(1)" not in page
    assert "<script>alert(1)</script>" not in page
    assert store.get_paper(paper).num_comments == 3  # type: ignore[union-attr]


def test_edit_and_delete_only_your_own(client: TestClient, store: PaperStore, paper: str) -> None:
    _, ada_token, ada_session = make_user(store, "ada")
    _, _, bob_session = make_user(store, "bob")
    comment_id = client.post(
        f"/api/papers/{paper}/comments", json={"body": "first"}, headers=auth(ada_token)
    ).json()["id"]
    bob = browser(client, bob_session)
    token = csrf_from(bob.get(f"/papers/{paper}").text)
    assert (
        bob.post(
            f"/comments/{comment_id}/edit", data={"body": "hijacked", "csrf_token": token}
        ).status_code
        == 403
    )
    assert bob.post(f"/comments/{comment_id}/delete", data={"csrf_token": token}).status_code == 403
    ada = browser(client, ada_session)
    token = csrf_from(ada.get(f"/papers/{paper}").text)
    edited = ada.post(
        f"/comments/{comment_id}/edit", data={"body": "*edited*", "csrf_token": token}
    )
    assert edited.status_code == 200 and "<em>edited</em>" in edited.text
    assert "· edited" in edited.text
    deleted = ada.post(f"/comments/{comment_id}/delete", data={"csrf_token": token})
    assert "[deleted]" in deleted.text and "<em>edited</em>" not in deleted.text
    assert store.get_paper(paper).num_comments == 0  # type: ignore[union-attr]


def test_moderators_hide_comments_remove_entries_and_suspend_users(
    client: TestClient, store: PaperStore, paper: str
) -> None:
    _, user_token, user_session = make_user(store, "troll")
    _, _, admin_session = make_user(store, "mod", admin=True)
    comment_id = client.post(
        f"/api/papers/{paper}/comments", json={"body": "spam spam"}, headers=auth(user_token)
    ).json()["id"]
    troll = browser(client, user_session)
    token = csrf_from(troll.get("/").text)
    assert troll.post(f"/comments/{comment_id}/hide", data={"csrf_token": token}).status_code == 403
    mod = browser(client, admin_session)
    token = csrf_from(mod.get(f"/papers/{paper}").text)
    hidden = mod.post(f"/comments/{comment_id}/hide", data={"csrf_token": token})
    assert "[hidden by a moderator]" in hidden.text and "spam spam" not in hidden.text
    assert PAPER in client.get("/papers/date/2026-02-03").text
    mod.post(f"/moderation/remove/{paper}", data={"csrf_token": token})
    assert PAPER not in client.get("/papers/date/2026-02-03").text
    mod.post("/moderation/users/troll/suspend", data={"csrf_token": token})
    assert "Log out" not in troll.get("/").text  # the session ended
    denied = client.post(f"/api/papers/{paper}/upvote", headers=auth(user_token))
    assert denied.status_code == 401


def test_submit_fetches_from_arxiv_and_refuses_duplicates(
    client: TestClient, store: PaperStore, httpserver: HTTPServer
) -> None:
    httpserver.expect_request("/api/query").respond_with_data(
        (FIXTURES / "arxiv" / "api_two_papers.xml").read_bytes()
    )
    _, token, session = make_user(store, "ada")
    me = browser(client, session)
    csrf = csrf_from(me.get("/submit").text)
    done = me.post(
        "/submit",
        data={"paper": "https://arxiv.org/abs/2401.01234v3", "csrf_token": csrf},
        follow_redirects=False,
    )
    assert done.status_code == 303 and done.headers["location"].startswith("/papers/2401.01234")
    today = utcnow().date()
    feed = client.get(f"/papers/date/{today.isoformat()}").text
    assert "Sparse Mixture-of-Experts Routing" in feed and "submitted by" in feed
    again = me.post("/submit", data={"paper": "2401.01234", "csrf_token": csrf})
    assert again.status_code == 409 and "already on the feed" in again.text
    api_again = client.post("/api/papers/submit", json={"paper": "2401.01234"}, headers=auth(token))
    assert api_again.status_code == 409 and "already on the daily feed" in api_again.json()["error"]
    bad = client.post("/api/papers/submit", json={"paper": "not an id"}, headers=auth(token))
    assert bad.status_code == 400 and "accepted forms" in bad.json()["error"]
    assert len(httpserver.log) == 1  # known papers are not fetched again


def test_daily_submission_limit(
    client: TestClient, store: PaperStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    services = client.app.state.services  # type: ignore[attr-defined]
    monkeypatch.setattr(services.community, "daily_limit", 2)
    store.upsert_papers([PaperRecord(arxiv_id=f"2602.0000{n}", title=f"P{n}") for n in range(4)])
    _, token, _ = make_user(store, "eager")
    codes = [
        client.post(
            "/api/papers/submit", json={"paper": f"2602.0000{n}"}, headers=auth(token)
        ).status_code
        for n in range(4)
    ]
    assert codes == [201, 201, 429, 429]


def test_write_api_needs_a_valid_token(client: TestClient, paper: str) -> None:
    for headers in ({}, auth("dp_wrong"), {"Authorization": "Basic eDp5"}):
        response = client.post(f"/api/papers/{paper}/upvote", headers=headers)
        assert response.status_code in (401, 403)
        assert "error" in response.json()
