"""The first hour's flows in real headless Chromium (issue 16): an API token from Settings,
an upvote clicked before logging in, hiding a comment and undoing it, the date picker; and
screenshots of the pages they touch, signed in as an admin, light and dark, desktop and phone.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from typing import Any

import httpx
import pytest

from browser import SCREENSHOTS
from dailypapers.accounts.repo import AccountRepo
from dailypapers.accounts.secrets import hash_password
from dailypapers.records import PaperRecord
from dailypapers.store import PaperStore
from helpers import make_user
from servers import LiveServer

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
PAPER = "2602.00001"
PASSWORD = "correct horse battery"


@pytest.fixture
def site(store: PaperStore) -> dict[str, Any]:
    store.upsert_papers(
        [
            PaperRecord(
                arxiv_id=f"2602.0000{n}",
                title=f"Paper {n} about sparse attention",
                abstract="We study $x^2$ and more.",
                authors=["Ada Lovelace", "Alan Turing"],
                categories=["cs.LG"],
                upvotes=10 - n,
                daily_day=day,
            )
            for n, day in enumerate(
                [date(2026, 2, 3), date(2026, 2, 3), date(2026, 1, 20), date(2026, 2, 5)], start=1
            )
        ]
    )
    reader, reader_token, _ = make_user(store, "reader")
    admin, _, admin_session = make_user(store, "moderator1", admin=True)
    AccountRepo(store.db).set_password(reader.id, hash_password(PASSWORD))
    return {
        "reader_token": reader_token,
        "admin_session": admin_session,
        "reader": reader,
        "admin": admin,
    }


def _tab(chromium: Any, live: LiveServer, session: str | None = None, **options: Any) -> Any:
    context = chromium.new_context(
        base_url=live.url,
        viewport=options.pop("viewport", {"width": 1280, "height": 900}),
        **options,
    )
    if session:
        context.add_cookies([{"name": "dp_session", "value": session, "url": live.url}])
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    tab.on("dialog", lambda dialog: dialog.accept())  # "Hide this comment?" and the like
    return tab


@pytest.fixture
def admin_tab(chromium: Any, live: LiveServer, site: dict[str, Any]) -> Iterator[Any]:
    tab = _tab(chromium, live, site["admin_session"])
    yield tab
    tab.context.close()


def test_create_copy_use_and_revoke_an_api_token(admin_tab: Any, live: LiveServer) -> None:
    admin_tab.context.grant_permissions(["clipboard-read", "clipboard-write"])
    admin_tab.goto("/settings")
    admin_tab.fill("input[name=name]", "laptop script")
    admin_tab.click("text=Create token")
    secret = admin_tab.locator("#new-token").inner_text()
    assert secret.startswith("dp_")
    admin_tab.click("button[data-copy='#new-token']")
    admin_tab.wait_for_selector("button[data-copy='#new-token']:has-text('Copied')")
    assert admin_tab.evaluate("navigator.clipboard.readText()") == secret
    vote = httpx.post(
        f"{live.url}/api/papers/{PAPER}/upvote", headers={"Authorization": f"Bearer {secret}"}
    )
    assert vote.status_code == 200 and vote.json()["upvoted"] is True
    admin_tab.goto("/settings")
    assert secret not in admin_tab.content()  # shown once
    admin_tab.locator("li:has-text('laptop script') button:has-text('Revoke')").click()
    admin_tab.wait_for_load_state()
    assert "laptop script" not in admin_tab.locator("ul.tokens").inner_text()
    denied = httpx.post(
        f"{live.url}/api/papers/{PAPER}/upvote", headers={"Authorization": f"Bearer {secret}"}
    )
    assert denied.status_code == 401


def test_an_upvote_clicked_before_logging_in_is_counted(
    chromium: Any,
    live: LiveServer,
    site: dict[str, Any],
    store: PaperStore,
) -> None:
    tab = _tab(chromium, live)
    tab.goto("/papers/date/2026-02-03")
    before = store.get_paper(PAPER).upvotes  # type: ignore[union-attr]
    tab.locator(f"li.paper[data-paper='{PAPER}'] form.vote button").click()
    tab.wait_for_selector("text=Log in to upvote")
    tab.fill("input[name=email]", site["reader"].email)
    tab.fill("input[name=password]", PASSWORD)
    tab.click("form.stack button[type=submit]")
    tab.wait_for_selector("form.vote.big.on")
    assert tab.url.endswith(f"/papers/{PAPER}")
    assert int(tab.locator("form.vote.big .count").inner_text()) == before + 1
    assert store.get_paper(PAPER).upvotes == before + 1  # type: ignore[union-attr]
    tab.context.close()


def test_hide_a_comment_with_a_reason_and_undo_it(
    admin_tab: Any, live: LiveServer, site: dict[str, Any]
) -> None:
    httpx.post(
        f"{live.url}/api/papers/{PAPER}/comments",
        json={"body": "Buy cheap pills"},
        headers={"Authorization": f"Bearer {site['reader_token']}"},
    )
    admin_tab.goto(f"/papers/{PAPER}")
    admin_tab.click(".comment details.moderate summary:has-text('Hide')")
    admin_tab.fill(".comment details.moderate input[name=reason]", "spam")
    admin_tab.click("text=Hide comment")
    admin_tab.wait_for_selector("text=[hidden by a moderator]")
    assert "Buy cheap pills" not in admin_tab.locator("section.discussion").inner_text()
    admin_tab.click(".moderation-done button:has-text('Undo')")
    admin_tab.wait_for_selector("text=Undone.")
    assert "Buy cheap pills" in admin_tab.locator("section.discussion").inner_text()
    admin_tab.click("header >> text=Moderation")
    row = admin_tab.locator("table.log tbody tr").first
    assert "spam" in row.inner_text() and "undone" in row.inner_text()


def test_the_date_picker_jumps_to_a_day(admin_tab: Any) -> None:
    admin_tab.goto("/papers/date/2026-02-05")
    admin_tab.fill("form.jump input[type=date]", "2026-01-20")
    admin_tab.wait_for_url(re.compile(r".*/papers/date/2026-01-20$"))
    assert "Paper 3 about sparse attention" in admin_tab.content()
    admin_tab.goto("/papers/week/2026-W06")
    assert admin_tab.locator("a[rel=next]").count() == 0  # nothing later: no walk into the void
    admin_tab.click("a[rel=prev]")
    admin_tab.wait_for_url(re.compile(r".*/papers/week/2026-W04"))


SHOTS = {
    "settings-token": "/settings",
    "moderation-log": "/moderation",
    "paper-admin": f"/papers/{PAPER}",
    "week-picker": "/papers/week/2026-W06",
    "login-intent": f"/login?next=/papers/{PAPER}&intent=upvote:{PAPER}",
    "api-docs": "/api/docs",
}


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_screenshots_of_the_changed_pages(
    chromium: Any,
    live: LiveServer,
    site: dict[str, Any],
    store: PaperStore,
    scheme: str,
) -> None:
    from dailypapers.community.moderation import ModerationService

    auth = {"Authorization": f"Bearer {site['reader_token']}"}
    httpx.post(
        f"{live.url}/api/papers/{PAPER}/comments",
        json={"body": "> A quote\n\nand $e^{i\\pi} = -1$"},
        headers=auth,
    )
    spam = httpx.post(
        f"{live.url}/api/papers/{PAPER}/comments", json={"body": "cheap pills " * 20}, headers=auth
    ).json()["id"]
    ModerationService(store.db).hide_comment(site["admin"], spam, "spam, a long reason " * 5)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for device, viewport in (
        ("desktop", {"width": 1280, "height": 900}),
        ("phone", {"width": 390, "height": 844}),
    ):
        tab = _tab(chromium, live, site["admin_session"], viewport=viewport, color_scheme=scheme)
        errors: list[str] = []
        tab.on("console", lambda m, sink=errors: sink.append(m.text) if m.type == "error" else None)
        for name, path in SHOTS.items():
            tab.goto(path)
            tab.wait_for_load_state("networkidle")
            if name == "api-docs":
                tab.wait_for_selector(".swagger-ui .opblock")  # rendered, not blank
            if name == "paper-admin":
                tab.wait_for_selector(".comment-body .katex")  # math in a comment, rendered
            out = SCREENSHOTS / f"{name}-{device}-{scheme}.png"
            tab.screenshot(path=str(out), full_page=name != "api-docs")
            width = tab.evaluate("document.documentElement.scrollWidth")
            assert width <= viewport["width"], f"{name} scrolls sideways on {device}"
        assert errors == [], errors  # no CSP violations, no missing assets
        tab.context.close()
