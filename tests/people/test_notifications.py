"""Notifications on both engines: replies and mentions, once each, never for yourself,
gone with the comment, read one by one or all at once, and shown as text."""

from __future__ import annotations

from fastapi.testclient import TestClient

from dailypapers.community.moderation import ModerationService
from dailypapers.community.repo import CommunityRepo
from dailypapers.people.notifications import NotificationRepo, mentioned
from dailypapers.records import PaperRecord
from dailypapers.store import PaperStore
from helpers import browser, csrf_from, make_user


def test_mentions_are_usernames_after_an_at_sign() -> None:
    body = "Thanks @ada and @Bob-2! Mail me at me@example.org, see @ada again, x/@nope"
    assert mentioned(body) == ["ada", "bob-2"]
    assert mentioned("@" + " @".join(f"u{n:02d}" for n in range(30)))[-1] == "u09"


def comment(store: PaperStore, user_id: int, body: str, parent: int | None = None) -> int:
    paper = store.get_paper("2601.00001")
    assert paper is not None
    made = CommunityRepo(store.db).add_comment(
        paper_id=paper.id, user_id=user_id, body=body, body_html="", parent_id=parent
    )
    return made.id


def test_replies_and_mentions_notify_once_and_never_yourself(store: PaperStore) -> None:
    store.upsert_papers([PaperRecord(arxiv_id="2601.00001", title="Graph <b>engines</b>")])
    ada, bob, eve = (make_user(store, name)[0] for name in ("ada", "bob", "eve"))
    notes = NotificationRepo(store.db)
    first = comment(store, ada.id, "What do you think, @ada?")  # yourself: nothing
    assert notes.unread(ada.id) == 0
    answer = comment(store, bob.id, "Good question @ADA, and @eve too; @nobody", parent=first)
    assert notes.unread(ada.id) == 1 and notes.unread(eve.id) == 1  # a reply that mentions: one
    (told,) = notes.latest(ada.id)
    assert (told.kind, told.actor, told.paper_title) == ("reply", "bob", "Graph <b>engines</b>")
    assert notes.latest(eve.id)[0].kind == "mention"
    comment(store, ada.id, "More in my own thread", parent=first)
    assert notes.unread(ada.id) == 1 and notes.unread(bob.id) == 0  # her own comment: nobody
    comment(store, ada.id, "Thanks!", parent=answer)  # answering bob's reply tells bob
    assert notes.unread(ada.id) == 1 and notes.unread(bob.id) == 1

    notes.mark_read(ada.id, told.id)
    assert notes.unread(ada.id) == 0 and notes.latest(ada.id)[0].read
    notes.mark_read(eve.id)
    assert notes.unread(eve.id) == 0


def test_a_hidden_comment_takes_its_notifications_with_it(store: PaperStore) -> None:
    store.upsert_papers([PaperRecord(arxiv_id="2601.00001", title="Graphs")])
    ada, bob = make_user(store, "ada")[0], make_user(store, "bob")[0]
    admin = make_user(store, "chief", admin=True)[0]
    notes = NotificationRepo(store.db)
    noisy = comment(store, bob.id, "@ada look at this")
    assert notes.unread(ada.id) == 1
    ModerationService(store.db).hide_comment(admin, noisy, "spam")
    assert notes.unread(ada.id) == 0 and notes.latest(ada.id) == []


def test_the_bell_and_the_page(client: TestClient, store: PaperStore) -> None:
    store.upsert_papers([PaperRecord(arxiv_id="2601.00001", title="Graphs")])
    ada, _, ada_session = make_user(store, "ada")
    _, _, bob_session = make_user(store, "bob")
    first = comment(store, ada.id, "Is this right?")
    bob_browser = browser(client, bob_session)
    page = bob_browser.get("/papers/2601.00001")
    reply = {"body": "Not quite <script>x()</script>, @ada", "parent_id": str(first)}
    answer = bob_browser.post(
        "/papers/2601.00001/comments",
        data=reply | {"csrf_token": csrf_from(page.text)},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    mine = browser(client, ada_session)
    home = mine.get("/").text
    assert 'aria-label="Notifications, 1 unread"' in home
    listing = mine.get("/notifications").text
    assert "replied to your comment" in listing and "&lt;script&gt;x()" in listing
    assert "<script>x()" not in listing
    (note,) = NotificationRepo(store.db).latest(ada.id)
    opened = mine.get(f"/notifications/{note.id}", follow_redirects=False)
    assert opened.headers["location"] == f"/papers/2601.00001#comment-{note.comment_id}"
    assert 'aria-label="Notifications"' in mine.get("/").text  # read: no count
    assert mine.get("/notifications/999999", follow_redirects=False).status_code == 303
    anonymous = TestClient(client.app).get("/notifications", follow_redirects=False)
    assert anonymous.headers["location"].startswith("/login")
    again = mine.get("/notifications")
    done = mine.post("/notifications/read", data={"csrf_token": csrf_from(again.text)})
    assert "all caught up" in done.text


def test_a_mention_links_to_the_profile_but_not_in_addresses_code_or_links() -> None:
    from dailypapers.community.markdown import render_markdown

    html = render_markdown("hi @ada, mail me@x.org, `@code`, [@bob](https://x.org), **@eve**")
    assert '<a href="/users/ada"' in html and '<a href="/users/eve"' in html
    assert "/users/x" not in html and "/users/code" not in html and "/users/bob" not in html
    assert html.count("<a ") == 3  # ada, the link to x.org, eve
