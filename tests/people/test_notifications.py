"""Notifications on both engines: replies and mentions, once each, never for yourself,
gone with the comment, read one by one or all at once, and shown as text."""

from __future__ import annotations

import httpx
from fastapi.testclient import TestClient

from dailypapers.community.moderation import ModerationService
from dailypapers.community.repo import CommunityRepo
from dailypapers.mail.outbox import MailQueue
from dailypapers.mail.postman import Postman
from dailypapers.people.notification_mail import NotificationMail
from dailypapers.people.notifications import NotificationRepo, mentioned
from dailypapers.records import PaperRecord
from dailypapers.store import PaperStore
from helpers import browser, csrf_from, make_user
from servers import SmtpSink


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
    assert (told.kind, told.paper_title) == ("reply", "Graph <b>engines</b>")
    assert told.actor is not None and told.actor.username == "bob"
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


def test_notification_mail_goes_once_and_stops_in_one_click(
    live: object, store: PaperStore, smtp: SmtpSink
) -> None:
    """Through the real server: its mail thread queues and sends the mail within seconds."""
    store.upsert_papers([PaperRecord(arxiv_id="2601.00001", title="Graphs <i>now</i>")])
    ada, _, _ = make_user(store, "ada")
    make_user(store, "eve")
    _, bob_token, _ = make_user(store, "bob")
    base = live.url  # type: ignore[attr-defined]
    first = comment(store, ada.id, "Is this right?")
    auth = {"Authorization": f"Bearer {bob_token}"}
    body = {"body": "No <script>x()</script> — ask @eve", "parent_id": first}
    posted = httpx.post(f"{base}/api/papers/2601.00001/comments", json=body, headers=auth)
    assert posted.status_code in (200, 201), posted.text
    (mail,) = smtp.wait_for("ada@example.org", timeout=20)
    assert mail["Subject"] == "@bob replied to your comment on “Graphs <i>now</i>”"
    text = mail.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "No <script>x()</script> — ask @eve" in text and "#comment-" in text
    html = mail.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert "&lt;script&gt;" in html and "<script>x()" not in html
    assert len(smtp.wait_for("eve@example.org", timeout=20)) == 1  # the mention
    mail_again = NotificationMail(store.db, _postman(store), "x", base)
    assert mail_again.queue_new() == 0  # everything was queued once already

    unsubscribe = mail["List-Unsubscribe"].strip("<>")
    assert httpx.post(unsubscribe).status_code == 200  # one click, no session
    with store.session() as s:
        from dailypapers.models import User

        choices = s.get(User, ada.id).mail_choices or {}  # type: ignore[union-attr]
        assert choices["reply"] == "off" and choices["mention"] == "instant"
    second = {"body": "And another thing", "parent_id": first}
    httpx.post(f"{base}/api/papers/2601.00001/comments", json=second, headers=auth)
    assert NotificationRepo(store.db).unread(ada.id) == 2  # still told in the site…
    assert MailQueue(store.db).counts().get(("notification", "pending"), 0) == 0
    assert len([m for m in smtp.messages if m["To"] == "ada@example.org"]) == 1  # …not mailed
    assert httpx.post(f"{base}/notifications/unsubscribe/forged").status_code == 400


def _postman(store: PaperStore) -> Postman:
    return Postman(MailQueue(store.db), site_name="x", mail_from="p@example.org")
