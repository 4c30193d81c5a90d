"""Follows and the notifications they bring: a followed author's new paper, your paper in the
top 10, moderation of your content, and the daily batch mail with its one-click unsubscribe."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import httpx
import pytest
from fastapi.testclient import TestClient

from dailypapers.community.moderation import ModerationService
from dailypapers.community.repo import CommunityRepo
from dailypapers.mail.factory import courier_for, postman_for
from dailypapers.models import utcnow
from dailypapers.people.identities import Identities
from dailypapers.people.milestones import Milestones
from dailypapers.people.notification_mail import NotificationMail
from dailypapers.people.notifications import NotificationRepo
from dailypapers.records import PaperRecord
from dailypapers.settings import Settings
from dailypapers.store import FeedRepo, PaperStore
from helpers import browser, csrf_from, make_user
from servers import SmtpSink


def add(store: PaperStore, arxiv_id: str, authors: list[str], **fields: object) -> int:
    record = PaperRecord(arxiv_id=arxiv_id, title=f"Paper {arxiv_id}", authors=authors, **fields)  # type: ignore[arg-type]
    return store.upsert_papers([record]).paper_ids[arxiv_id]


def post(client: TestClient, path: str, **form: str) -> int:
    token = csrf_from(client.get("/").text)
    return client.post(path, data={"csrf_token": token, **form}, follow_redirects=False).status_code


def kinds(store: PaperStore, user_id: int) -> list[tuple[str, str]]:
    return [(n.kind, n.sentence) for n in NotificationRepo(store.db).latest(user_id)]


def test_follow_and_unfollow_authors_people_and_categories(
    client: TestClient, store: PaperStore
) -> None:
    recent = utcnow() - timedelta(days=2)
    add(store, "2612.00001", ["Ada Lovelace"], published=recent, categories=["cs.LG"])
    add(store, "2612.00002", ["Mary Somerville"], published=recent, categories=["math.AG"])
    make_user(store, "grace")
    _, _, session = make_user(store, "ada")
    ada = browser(client, session)
    assert (
        post(ada, "/follow", kind="author", target="ada-lovelace", next="/authors/ada-lovelace")
        == 303
    )
    assert post(ada, "/follow", kind="category", target="math.AG") == 303
    assert post(ada, "/follow", kind="user", target="grace") == 303
    assert post(ada, "/follow", kind="category", target="<script>") == 400
    assert post(ada, "/follow", kind="author", target="nobody-here") == 404
    assert post(ada, "/follow", kind="author", target="ada-lovelace") == 303  # twice: once
    assert post(client, "/follow", kind="user", target="grace") == 303  # → log in
    page = ada.get("/following").text
    assert "Paper 2612.00001" in page and "by Ada Lovelace, whom you follow" in page
    assert "in math.AG, which you follow" in page and "@grace" in page
    assert "Following · 1" in ada.get("/authors/ada-lovelace").text
    assert post(ada, "/follow", kind="category", target="math.AG", on="false") == 303
    assert "Paper 2612.00002" not in ada.get("/following").text
    assert "Following" in ada.get("/users/grace").text


def test_a_followed_authors_new_paper_is_a_notification_but_a_backlog_is_not(
    client: TestClient, store: PaperStore
) -> None:
    add(store, "2612.00001", ["Ada Lovelace"], published=utcnow())
    add(store, "2612.00009", ["A. Lovelace"], published=utcnow())
    user, _, session = make_user(store, "fan")
    _, _, admin = make_user(store, "chief", admin=True)
    assert post(browser(client, session), "/follow", kind="author", target="ada-lovelace") == 303
    assert post(browser(client, admin), "/authors/a-lovelace/merge", into="ada-lovelace") == 303
    add(store, "2612.00002", ["Charles Babbage", "Ada Lovelace"], published=utcnow())
    add(store, "2612.00003", ["A. Lovelace"], published=utcnow())  # a merged name
    add(store, "0901.00001", ["Ada Lovelace"], published=datetime(2009, 1, 5))  # old: no news
    add(store, "2612.00002", ["Charles Babbage", "Ada Lovelace"], published=utcnow())  # again
    told = kinds(store, user.id)
    assert [kind for kind, _ in told] == ["paper", "paper"]
    assert told[-1][1] == "New paper by Ada Lovelace: “Paper 2612.00002”"
    assert "0901.00001" not in str(told)


def test_moderation_of_your_content_tells_you_why(client: TestClient, store: PaperStore) -> None:
    paper_id = add(store, "2612.00001", ["Ada Lovelace"])
    ada, _, _ = make_user(store, "ada")
    chief, _, _ = make_user(store, "chief", admin=True)
    made = CommunityRepo(store.db).add_comment(
        paper_id=paper_id, user_id=ada.id, body="Spam?", body_html="", parent_id=None
    )
    ModerationService(store.db).hide_comment(chief, made.id, "off-topic <b>ads</b>")
    ((kind, sentence),) = kinds(store, ada.id)
    assert kind == "moderation" and "hid your comment" in sentence and "<b>ads</b>" in sentence
    page = browser(client, make_user(store, "x")[2]).get("/notifications").text
    assert "hid your comment" not in page  # only ada's
    ada_page = TestClient(client.app, cookies={"dp_session": _session(store, ada.id)})
    assert "&lt;b&gt;ads&lt;/b&gt;" in ada_page.get("/notifications").text


def _session(store: PaperStore, user_id: int) -> str:
    from dailypapers.accounts.repo import AccountRepo

    return AccountRepo(store.db).create_session(user_id, timedelta(days=1))


def test_your_paper_in_the_days_top_ten_is_told_once(store: PaperStore) -> None:
    from dailypapers.community.service import CommunityService

    submitter, _, _ = make_user(store, "sub")
    voter, _, _ = make_user(store, "voter")
    add(store, "2612.00001", ["Ada Lovelace"], daily_day=date.today())
    community = CommunityService(store, CommunityRepo(store.db), lambda _id: None, daily_limit=10)
    paper = store.get_paper("2612.00001")
    assert paper is not None
    with store.db.writer.begin() as conn:  # as if `sub` had submitted it
        conn.exec_driver_sql(
            f"UPDATE daily_entries SET submitted_by_id = {submitter.id} WHERE paper_id = {paper.id}"
        )
    milestones = Milestones(store.db, FeedRepo(store.db), Identities(store.db))
    milestones.check(force=True)
    assert kinds(store, submitter.id) == []  # no upvote yet: not news
    community.upvote(voter, "2612.00001", on=True)
    milestones.check(force=True)
    milestones.check(force=True)
    told = kinds(store, submitter.id)
    assert len(told) == 2 and {kind for kind, _ in told} == {"trending"}  # top 10 and trending
    assert kinds(store, voter.id) == []


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_the_daily_mail_gathers_a_days_notifications_once_and_unsubscribes_in_one_click(
    live: object, store: PaperStore, site_settings: Settings, smtp: SmtpSink
) -> None:
    _, _, session = make_user(store, "fan")
    base = live.url  # type: ignore[attr-defined]
    client = httpx.Client(base_url=base, cookies={"dp_session": session})
    token = csrf_from(client.get("/settings").text)
    form = {"csrf_token": token, "mail_paper": "daily", "mail_reply": "daily"}
    assert client.post("/settings/notifications", data=form).status_code in (200, 303)
    add(store, "2612.00000", ["Ada Lovelace"], published=utcnow() - timedelta(days=30))
    token = csrf_from(client.get("/").text)
    client.post("/follow", data={"csrf_token": token, "kind": "author", "target": "ada-lovelace"})
    for n in range(1, 4):
        add(store, f"2612.0000{n}", ["Ada Lovelace"], published=utcnow())
    mail = NotificationMail(
        store.db,
        postman_for(store.db, site_settings),
        site_settings.resolved_secret_key(),
        base,
        daily_hour=0,
    )
    assert mail.queue_new() == 1 and mail.queue_new() == 0
    courier_for(store.db, site_settings).deliver_ready()
    (daily,) = smtp.wait_for("fan@example.org", timeout=10)
    assert str(daily["Subject"]).startswith("3 notifications")
    text = daily.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert text.count("New paper by Ada Lovelace") == 3
    assert "No more mail about “New papers by authors you follow”" in text  # per kind too
    add(store, "2612.00004", ["Ada Lovelace"], published=utcnow())
    assert mail.queue_new() == 0  # today's is sent: this one waits for tomorrow's
    tomorrow = utcnow() + timedelta(days=1)
    assert mail.queue_new(now=tomorrow.replace(hour=8)) == 1

    unsubscribe = daily["List-Unsubscribe"].strip("<>")
    assert httpx.post(unsubscribe).status_code == 200  # one click, no session
    settings = client.get("/settings").text
    assert (
        'name="mail_paper" value="off" '
        'aria-label="New papers by authors you follow: No mail" checked' in settings
    )
    assert (
        'name="mail_mention" value="instant" aria-label="Mentions of you: Mail me at once" checked'
        in settings
    )
