"""End to end in headless Chromium: people around the papers (issue 18's scenario).

Alice follows an author and an organisation; Bob replies to her and @mentions her; she sees
the bell's count, opens the notification and lands on the reply, and gets the day's batch
mail (through a real SMTP sink) whose one-click unsubscribe works. An author claims a paper,
an admin approves it, and the badge shows on the paper page and in huggingface_hub's
``paper_info``. Then screenshots of the author, profile, organisation and notification
pages, desktop and phone, light and dark.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from browser import SCREENSHOTS
from dailypapers.community.repo import CommunityRepo
from dailypapers.models import utcnow
from dailypapers.people.orgs import OrgService
from dailypapers.records import PaperRecord
from dailypapers.store import PaperStore
from helpers import make_user, wait_until
from servers import LiveServer, SmtpSink

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
# The elements that reach past the viewport's right edge (what makes a page scroll sideways).
WIDEST = """[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right
  > innerWidth + 1).slice(-4).map(e => e.tagName + '.' + e.className + ' ' +
  Math.round(e.getBoundingClientRect().right))"""
HOSTILE_BIO = '<script>alert("bio")</script> I study engines.'


@pytest.fixture
def site_env(site_env: dict[str, str]) -> dict[str, str]:
    return site_env | {"DAILYPAPERS_NOTIFICATION_MAIL_HOUR": "0"}  # the day's batch: at once


@pytest.fixture
def site(store: PaperStore) -> dict[str, Any]:
    recent = utcnow() - timedelta(days=1)
    store.upsert_papers(
        [
            PaperRecord(
                arxiv_id="2612.00001",
                title="Analytical engines for sparse attention",
                abstract="We compute. Contact: ada@analytical.ac.uk",
                authors=["Ada Lovelace", "Charles Babbage"],
                categories=["cs.LG"],
                published=recent,
                daily_day=date.today(),
            ),
            PaperRecord(
                arxiv_id="2612.00002",
                title="Difference engines revisited",
                authors=["Charles Babbage"],
                categories=["cs.LG"],
                published=recent,
                daily_day=date.today(),
            ),
        ]
    )
    alice, _, alice_session = make_user(store, "alice")
    bob, bob_token, _ = make_user(store, "bob")
    _, _, ada_session = make_user(store, "ada")
    _, _, chief_session = make_user(store, "chief", admin=True)
    founder = store.get_user_by_email("alice@example.org")  # as stored: address confirmed
    assert founder is not None
    orgs = OrgService(store.db, Path("unused"))
    orgs.create(founder, "analytical", "Analytical Engines Lab", "Engines <b>of</b> thought.")
    return {
        "alice": alice_session,
        "bob": bob,
        "bob_token": bob_token,
        "ada": ada_session,
        "chief": chief_session,
        "alice_id": alice.id,
    }


def tab(chromium: Any, live: LiveServer, session: str, **options: Any) -> Any:
    context = chromium.new_context(base_url=live.url, **options)
    context.add_cookies([{"name": "dp_session", "value": session, "url": live.url}])
    page = context.new_page()
    page.set_default_timeout(15_000)
    return page


@pytest.fixture
def alice(chromium: Any, live: LiveServer, site: dict[str, Any]) -> Iterator[Any]:
    page = tab(chromium, live, site["alice"], viewport={"width": 1280, "height": 900})
    yield page
    page.context.close()


def test_follow_reply_mention_bell_batch_mail_and_a_claimed_paper(
    alice: Any,
    chromium: Any,
    live: LiveServer,
    store: PaperStore,
    smtp: SmtpSink,
    site: dict[str, Any],
) -> None:
    # Alice follows an author and an organisation, and takes replies and mentions daily.
    alice.goto("/authors/charles-babbage")
    alice.click("form.follow button:has-text('Follow')")
    alice.wait_for_selector("form.follow button:has-text('Following')")
    alice.goto("/orgs/analytical")
    alice.click("form.follow button:has-text('Follow')")
    alice.wait_for_selector("form.follow button:has-text('Following')")
    alice.goto("/settings#notifications")
    alice.check("input[name=mail_reply][value=daily]")
    alice.check("input[name=mail_mention][value=daily]")
    alice.click("form[action='/settings/notifications'] button[type=submit]")
    alice.wait_for_selector("text=Saved.")
    alice.goto("/following")
    assert "Difference engines revisited" in alice.inner_text("main")
    assert "by Charles Babbage, whom you follow" in alice.inner_text("main")

    # She comments; Bob replies to her and mentions her (one notification: a reply).
    alice.goto("/papers/2612.00001")
    alice.fill("#new-comment", "Does this scale past a *million* cards?")
    alice.click("form.comment-form button")
    alice.wait_for_selector(".comment-body em:has-text('million')")
    first = int(alice.locator(".comment").first.get_attribute("id").split("-")[1])
    body = {"body": "It does, @alice — see section 4.", "parent_id": first}
    auth = {"Authorization": f"Bearer {site['bob_token']}"}
    posted = httpx.post(f"{live.url}/api/papers/2612.00001/comments", json=body, headers=auth)
    assert posted.status_code in (200, 201), posted.text
    reply = posted.json()["id"]

    alice.goto("/")
    alice.wait_for_selector("a.bell .count:has-text('1')")
    alice.click("a.bell")
    alice.wait_for_selector("text=@bob replied to your comment")
    alice.click("ol.notifications a.card-link")
    alice.wait_for_url(f"**/papers/2612.00001#comment-{reply}")
    assert alice.locator(f"#comment-{reply}").is_visible()
    alice.goto("/")
    assert alice.locator("a.bell .count").count() == 0  # read

    # The day's batch mail, and its one-click unsubscribe.
    (daily,) = smtp.wait_for("alice@example.org", timeout=30)
    assert "@bob replied to your comment" in str(daily["Subject"])
    text = daily.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "It does, @alice" in text and f"#comment-{reply}" in text
    unsubscribe = str(daily["List-Unsubscribe"]).strip("<>")
    assert httpx.post(unsubscribe).status_code == 200
    alice.goto("/settings#notifications")
    assert alice.is_checked("input[name=mail_reply][value=off]")

    # Ada claims her paper; the listed address is not hers, so an admin decides.
    ada = tab(chromium, live, site["ada"], viewport={"width": 1280, "height": 900})
    ada.goto("/papers/2612.00001")
    ada.click("details.claim summary")
    ada.select_option("#claim-author", "ada-lovelace")
    ada.click("details.claim button[type=submit]")
    ada.wait_for_selector("text=Claim sent")
    chief = tab(chromium, live, site["chief"], viewport={"width": 1280, "height": 900})
    chief.goto("/admin/claims")
    chief.click("button[value=approve]")
    chief.wait_for_selector("text=No claims are waiting")
    ada.goto("/papers/2612.00001")
    ada.wait_for_selector("a.verified[title='Verified author: @ada']")
    from huggingface_hub import HfApi

    info = HfApi(endpoint=live.url, token=False).paper_info("2612.00001")
    assert info.authors is not None and info.authors[0].status == "claimed_verified"
    assert info.authors[0].user is not None and info.authors[0].user.username == "ada"
    wait_until(
        lambda: any("ada@example.org" in str(m["To"]) for m in smtp.messages),
        timeout=30,
        what="the claim decision mail",
    )
    ada.context.close()
    chief.context.close()


def test_people_pages_look_right_on_phone_and_desktop_light_and_dark(
    chromium: Any, live: LiveServer, store: PaperStore, site: dict[str, Any]
) -> None:
    from dailypapers.accounts.repo import AccountRepo

    AccountRepo(store.db).update_user(
        site["alice_id"], display_name="Alice <i>Q</i>", bio=HOSTILE_BIO
    )
    paper = store.get_paper("2612.00001")
    assert paper is not None
    CommunityRepo(store.db).add_comment(
        paper_id=paper.id, user_id=site["bob"].id, body="Ping @alice", body_html="", parent_id=None
    )
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    pages = {
        "author": "/authors/charles-babbage",
        "profile": "/users/alice",
        "org": "/orgs/analytical",
        "notifications": "/notifications",
    }
    for scheme in ("light", "dark"):
        for device, viewport in (("desktop", (1280, 900)), ("phone", (390, 844))):
            page = tab(
                chromium,
                live,
                site["alice"],
                viewport={"width": viewport[0], "height": viewport[1]},
                color_scheme=scheme,
            )
            for name, path in pages.items():
                page.goto(path)
                assert "<script>alert" not in page.content()
                width = page.evaluate("document.documentElement.scrollWidth")
                wide = page.evaluate(WIDEST)
                assert width <= viewport[0] + 1, f"{name} is {width}px wide on {device}: {wide}"
                page.screenshot(
                    path=str(SCREENSHOTS / f"people-{name}-{device}-{scheme}.png"), full_page=True
                )
            page.context.close()


def test_typing_an_at_sign_suggests_usernames(
    alice: Any, live: LiveServer, store: PaperStore, site: dict[str, Any]
) -> None:
    make_user(store, "bobby_tables")
    alice.goto("/papers/2612.00001")
    alice.click("#new-comment")
    alice.keyboard.type("Thanks @bo")
    alice.wait_for_selector("ul.mention-list li:has-text('@bob')")
    assert alice.locator("ul.mention-list li").count() == 2  # bob, bobby_tables
    alice.keyboard.press("ArrowDown")
    alice.keyboard.press("Enter")
    assert alice.input_value("#new-comment") == "Thanks @bobby_tables "
    assert httpx.get(f"{live.url}/mentions/suggest?q=bo").status_code == 401  # signed in only
    cookies = {"dp_session": site["alice"]}
    wild = httpx.get(f"{live.url}/mentions/suggest?q=b_", cookies=cookies).json()
    assert wild == []  # "_" is a character here, not a wildcard
