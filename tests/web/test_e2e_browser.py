"""End to end in real headless Chromium: the whole community flow, hostile text, looks.

The app runs on a loopback port with a real SMTP sink and a local arXiv server.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from typing import Any

import httpx
import pytest
from pytest_httpserver import HTTPServer

from browser import SCREENSHOTS
from dailypapers.cli.import_cmd import demo_path
from dailypapers.ingest.importer import import_file
from dailypapers.models import utcnow
from dailypapers.records import PaperRecord
from dailypapers.store import PaperStore
from helpers import FIXTURES, make_user
from servers import LiveServer, SmtpSink, link_in

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)

EMAIL, USERNAME, PASSWORD = "grace@example.org", "grace", "a long and good password"


@pytest.fixture
def page(chromium: Any, live: LiveServer) -> Iterator[Any]:
    context = chromium.new_context(base_url=live.url, viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    yield tab
    context.close()


def test_sign_up_verify_submit_upvote_comment(
    page: Any, live: LiveServer, smtp: SmtpSink, httpserver: HTTPServer
) -> None:
    httpserver.expect_request("/api/query").respond_with_data(
        (FIXTURES / "arxiv" / "api_two_papers.xml").read_bytes()
    )
    page.goto("/signup")
    page.fill("input[name=email]", EMAIL)
    page.fill("input[name=username]", USERNAME)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("text=Check your mail")

    page.goto(link_in(smtp.wait_for(EMAIL)[0], "/verify"))
    page.wait_for_selector("text=Address confirmed")  # and logged in by the link
    page.wait_for_selector(f"a.who:has-text('{USERNAME}')")

    page.click("nav.main-nav >> text=Submit")
    page.fill("input[name=paper]", "https://arxiv.org/abs/2401.01234")
    page.click("form.stack button[type=submit]")
    page.wait_for_selector("text=Thanks! The paper is on today's feed.")
    assert page.locator("h1").inner_text().startswith("Sparse Mixture-of-Experts Routing")
    assert page.locator("h1 .katex").count() == 1  # $\mathcal{O}(\log n)$ rendered

    vote = page.locator("form.vote.big button")
    vote.click()
    page.wait_for_selector("form.vote.big.on")
    assert vote.get_attribute("aria-pressed") == "true"
    assert page.locator("form.vote.big .count").inner_text() == "1"

    page.fill("#new-comment", "Great **results**, see https://example.org")
    page.click("form.comment-form button")
    page.wait_for_selector(".comment-body strong:has-text('results')")

    today = utcnow().date().isoformat()
    page.goto(f"/papers/date/{today}")
    item = page.locator("li.paper").first
    assert "Sparse Mixture-of-Experts" in item.inner_text()
    assert item.locator(".count").inner_text() == "1"
    assert item.locator("a.comments").inner_text().strip() == "1"
    assert f"submitted by {USERNAME}" in item.inner_text()

    daily = httpx.get(f"{live.url}/api/daily_papers", params={"date": today}).json()
    (entry,) = daily
    assert entry["paper"]["id"] == "2401.01234" and entry["paper"]["upvotes"] == 1
    assert entry["numComments"] == 1 and entry["submittedBy"]["name"] == USERNAME


def test_keyboard_shortcuts_and_theme(page: Any, live: LiveServer, store: PaperStore) -> None:
    store.upsert_papers(
        [
            PaperRecord(
                arxiv_id=f"2602.0000{n}",
                title=f"Paper {n}",
                upvotes=10 - n,
                daily_day=date(2026, 2, 3),
            )
            for n in range(1, 4)
        ]
    )
    _, _, session = make_user(store, "keys")
    page.context.add_cookies([{"name": "dp_session", "value": session, "url": live.url}])
    page.goto("/")
    page.keyboard.press("j")
    page.keyboard.press("j")
    assert page.locator("li.paper.selected h3").inner_text() == "Paper 2"
    page.keyboard.press("u")
    page.wait_for_selector("li.paper.selected form.vote.on")
    assert page.locator("li.paper.selected .count").inner_text() == "9"
    page.keyboard.press("k")
    assert page.locator("li.paper.selected h3").inner_text() == "Paper 1"
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.name") == "q"
    page.keyboard.press("Escape")
    page.locator("body").click(position={"x": 5, "y": 400})
    page.keyboard.press("?")
    assert page.locator("dialog#help").is_visible()
    page.keyboard.press("Escape")
    before = page.evaluate("getComputedStyle(document.body).backgroundColor")
    page.click("#theme-toggle")
    after = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert before != after
    page.reload()
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") == after
    page.keyboard.press("j")
    page.keyboard.press("o")
    page.wait_for_url(re.compile(r"/papers/2602\.0000[12]$"))


HOSTILE = {
    "title": 'Robust <img src=x onerror="window.__pwned=1"> <script>window.__pwned=2</script>'
    " $\\frac{1}{2$ and $\\href{javascript:window.__pwned=3}{x}$",
    "abstract": '<svg onload="window.__pwned=4"></svg> Broken $\\begin{x}$ math, '
    'fine $E=mc^2$, <a href="javascript:window.__pwned=5">link</a>',
    "author": '"><img src=y onerror="window.__pwned=6">',
}


def test_hostile_text_runs_nothing(page: Any, live: LiveServer, store: PaperStore) -> None:
    store.upsert_papers(
        [
            PaperRecord(
                arxiv_id="2602.06666",
                title=HOSTILE["title"],
                abstract=HOSTILE["abstract"],
                authors=[HOSTILE["author"], "Normal Name"],
                daily_day=date(2026, 2, 3),
            )
        ]
    )
    _, token, _ = make_user(store, "mallory")
    httpx.post(
        f"{live.url}/api/papers/2602.06666/comments",
        headers={"Authorization": f"Bearer {token}"},
        json={
            "body": '<img src=z onerror="window.__pwned=7"> [x](javascript:window.__pwned=8) '
            "<script>window.__pwned=9</script>"
        },
    ).raise_for_status()
    dialogs: list[str] = []

    def refuse(dialog: Any) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", refuse)
    for path in ("/", "/papers/2602.06666", "/papers/trending", "/search?q=Robust"):
        page.goto(path)
        page.wait_for_load_state("networkidle")
        assert page.evaluate("window.__pwned") is None, path
    page.goto("/papers/2602.06666")
    page.wait_for_load_state("networkidle")
    for link in page.locator("a").all():
        assert not (link.get_attribute("href") or "").lower().startswith("javascript")
    assert "<script>" in page.locator("h1").inner_text()  # shown as text
    assert page.locator(".abstract .katex").count() >= 1  # $E=mc^2$ still renders
    assert "Broken" in page.locator(".abstract").inner_text()
    assert dialogs == []


SHOT_PAGES = {
    "daily": "/",
    "paper": "/papers/2601.23265",
    "trending": "/papers/trending",
    "search": "/search?q=diffusion+models+for+video",
    "subscribe": "/subscribe",
}


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_screenshots(chromium: Any, live: LiveServer, store: PaperStore, scheme: str) -> None:
    import_file(store, demo_path())
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for device, viewport in (
        ("desktop", {"width": 1280, "height": 900}),
        ("phone", {"width": 390, "height": 844}),
    ):
        context = chromium.new_context(base_url=live.url, viewport=viewport, color_scheme=scheme)
        tab = context.new_page()
        errors: list[str] = []
        tab.on("console", lambda m, sink=errors: sink.append(m.text) if m.type == "error" else None)
        for name, path in SHOT_PAGES.items():
            tab.goto(path)
            tab.wait_for_load_state("networkidle")
            out = SCREENSHOTS / f"{name}-{device}-{scheme}.png"
            tab.screenshot(path=str(out))
            assert out.stat().st_size > 10_000
            width = tab.evaluate("document.documentElement.scrollWidth")
            assert width <= viewport["width"], f"{name} scrolls sideways on {device}"
        assert errors == [], errors  # no CSP violations, no missing assets
        context.close()


def test_subscribe_from_the_footer_and_read_the_digest(
    chromium: Any,
    page: Any,
    live: LiveServer,
    smtp: SmtpSink,
    store: PaperStore,
    site_settings: Any,
) -> None:
    from dailypapers.digest.factory import send_digests
    from dailypapers.search.embed import OnnxEmbedder
    from digest_corpus import WEEK_DAY, load_corpus

    embedder = OnnxEmbedder()
    load_corpus(store, embedder)
    page.goto("/papers/trending")
    page.fill("footer input[name=email]", "reader@example.org")
    page.select_option("footer select[name=frequency]", "weekly")
    page.click("footer button[type=submit]")
    page.wait_for_selector("text=Check your inbox")
    page.goto(link_in(smtp.wait_for("reader@example.org")[0], "/subscribe/confirm"))
    page.wait_for_selector("text=You are subscribed")

    from dailypapers.digest.factory import choose_period

    site_settings.digest_rate_per_second = 0
    period = choose_period(site_settings, "weekly", WEEK_DAY)
    assert send_digests(store, site_settings, period, embedder=embedder).sent == 1
    digest = smtp.wait_for("reader@example.org", count=2)[-1]
    html_part = digest.get_body(("html",))
    assert html_part is not None
    for scheme, width in (("light", 720), ("dark", 390)):
        context = chromium.new_context(
            viewport={"width": width, "height": 900}, color_scheme=scheme
        )
        tab = context.new_page()
        dialogs: list[str] = []
        tab.on("dialog", lambda d, sink=dialogs: (sink.append(d.message), d.dismiss()))
        tab.set_content(html_part.get_content())
        out = SCREENSHOTS / f"digest-mail-{scheme}.png"
        tab.screenshot(path=str(out), full_page=True)
        assert out.stat().st_size > 10_000
        assert tab.evaluate("document.documentElement.scrollWidth") <= width
        assert dialogs == []  # the hostile title in the corpus ran nothing
        context.close()
