"""The whole site, crawled: an anonymous visitor, a reader and an admin visit every route the
app declares (each path parameter filled with real, missing, huge, hostile and out-of-range
values), and submit every form found on the pages with such values. No answer is a server
error, no traceback reaches the log, and every HTML page parses as valid HTML5.

New routes and forms are crawled without touching this file: routes come from the app's
route table, forms from the pages themselves.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import quote, urlsplit

import html5lib
import pytest
from fastapi.testclient import TestClient
from starlette.routing import Route

from dailypapers.cli.import_cmd import demo_path
from dailypapers.ingest.importer import import_file
from dailypapers.records import PaperRecord
from dailypapers.store import PaperStore
from helpers import make_user

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)

HOSTILE = "<script>alert(1)</script>\"'><img src=x onerror=alert(2)>{{7*7}}%s$\\frac{1}{"
VALUES = {
    "empty": "",
    "huge": "x" * 20_000,  # past every max_length; httpx refuses URLs over 64 KiB
    "hostile": HOSTILE,
    "range": str(2**63),
    "control": "a\x00b\x1fc\u202e",
    "digits": "٢٦٠٢.٠٠٠٠١",
}
PARAM = re.compile(r"\{(\w+)(?::\w+)?\}")
SKIPPED_ACTIONS = ("/logout",)  # crawled last would end the role's session mid-crawl


@dataclass
class Form:
    method: str
    action: str
    fields: dict[str, str] = field(default_factory=dict)


class FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: list[Form] = []
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append(Form(attr.get("method", "get").upper(), attr.get("action", "")))
        elif not self.forms or "name" not in attr:
            return
        elif tag == "input" and attr.get("type") not in {"submit", "button", "image"}:
            if attr.get("type") in {"checkbox", "radio"} and "checked" not in attr:
                self.forms[-1].fields.setdefault(attr["name"], "")
            else:
                self.forms[-1].fields[attr["name"]] = attr.get("value", "")
        elif tag in {"textarea", "select"}:
            self.forms[-1].fields.setdefault(attr["name"], "")
            self._select = attr["name"] if tag == "select" else None
        elif tag == "option" and self._select and not self.forms[-1].fields[self._select]:
            self.forms[-1].fields[self._select] = attr.get("value", "")


@dataclass
class Crawl:
    """What one role saw: every answer is checked as it arrives."""

    client: TestClient
    role: str
    seen_forms: set[tuple[str, str]] = field(default_factory=set)
    forms: list[Form] = field(default_factory=list)
    requests: int = 0

    def check(self, response: Any, what: str) -> Any:  # starlette's client: its own httpx
        self.requests += 1
        assert response.status_code < 500, f"{self.role}: {what} → {response.status_code}"
        if response.headers.get("content-type", "").startswith("text/html") and response.text:
            assert_valid_html(response.text, f"{self.role}: {what}")
            self._collect_forms(response.text)
        return response

    def _collect_forms(self, page: str) -> None:
        parser = FormParser()
        parser.feed(page)
        for form in parser.forms:
            shape = (form.method, re.sub(r"\d+", "N", form.action))  # one upvote form, not 50
            if shape not in self.seen_forms and form.action.startswith("/"):
                self.seen_forms.add(shape)
                self.forms.append(form)


def assert_valid_html(page: str, what: str) -> None:
    parser = html5lib.HTMLParser(strict=True)
    try:
        parser.parse(page)
    except html5lib.html5parser.ParseError as exc:
        raise AssertionError(f"{what}: invalid HTML: {exc}") from None
    ids = re.findall(r'\sid="([^"]+)"', page)
    duplicated = {i for i in ids if ids.count(i) > 1}
    assert not duplicated, f"{what}: duplicate ids {duplicated}"


@pytest.fixture
def site(store: PaperStore) -> dict[str, str]:
    """The demo corpus, a hostile paper, a reader with a comment and a reply, an admin."""
    import_file(store, demo_path(), batch_size=1000)
    store.upsert_papers([PaperRecord(arxiv_id="2602.99990", title=HOSTILE, abstract=HOSTILE)])
    reader, reader_token, reader_session = make_user(store, "reader")
    _, _, admin_session = make_user(store, "admin1", admin=True)
    return {
        "reader_session": reader_session,
        "reader_token": reader_token,
        "admin_session": admin_session,
        "reader": reader.username,
    }


def real_values(client: TestClient, site: dict[str, str]) -> dict[str, list[str]]:
    """Values that exist on the site, per path-parameter name; then the hostile ones."""
    daily = client.get("/api/daily_papers?limit=1").json()
    arxiv_id = daily[0]["paper"]["id"]
    auth = {"Authorization": f"Bearer {site['reader_token']}"}
    top = client.post(f"/api/papers/{arxiv_id}/comments", json={"body": "top"}, headers=auth)
    reply = client.post(
        f"/api/papers/{arxiv_id}/comments",
        json={"body": "reply", "parent_id": top.json()["id"]},
        headers=auth,
    )
    day = daily[0]["publishedAt"][:10]
    return {
        "arxiv_id": [arxiv_id, "2602.99990", "2602.99999", "hep-th/9901001v2"],
        "fmt": ["atom", "rss"],
        "value": [day, "2026-W06", "2026-02", "9999-12-31", "0001-W01", "9999-12", "2026-W99"],
        "comment_id": [str(top.json()["id"]), str(reply.json()["id"]), "0", "-1"],
        "token_id": ["1", "0"],
        "username": [site["reader"], "None", "admin1"],
        "token": ["not-a-token"],
    }


def concrete_paths(route: Route, samples: dict[str, list[str]]) -> Iterator[str]:
    """The route's template filled with each sample (and each hostile value) in turn."""
    names = PARAM.findall(route.path)
    if not names:
        yield route.path
        return
    first = {name: samples.get(name, ["x"])[0] for name in names}
    for name in names:
        for value in [*samples.get(name, []), *VALUES.values()]:
            if value == "":
                continue  # an empty segment is another route, crawled on its own
            chosen = first | {name: value}
            yield PARAM.sub(lambda m, c=chosen: quote(c[m[1]], safe="/"), route.path)  # type: ignore[misc]


def query_names(route: Route) -> list[str]:
    dependant = getattr(route, "dependant", None)
    return [p.name for p in getattr(dependant, "query_params", [])]


def crawl_routes(crawl: Crawl, samples: dict[str, list[str]]) -> set[str]:
    """GET every GET route; POST every other route once (forms do the rest). Returns the
    templates visited."""
    visited = set()
    for route in crawl.client.app.state.routes:  # type: ignore[attr-defined]
        methods = route.methods or set()
        for path in concrete_paths(route, samples):
            if "GET" in methods:
                crawl.check(crawl.client.get(path), f"GET {path[:120]}")
                for name in query_names(route):
                    for value in VALUES.values():
                        params = {name: value}
                        crawl.check(crawl.client.get(path, params=params), f"GET {path} {name}")
            for method in methods - {"GET", "HEAD"}:
                answer = crawl.client.request(method, path)
                crawl.check(answer, f"{method} {path[:120]}")
        visited.add(route.path)
    return visited


def submit_forms(crawl: Crawl) -> int:
    """Every form found so far (and on the pages its answers lead to) with each value kind."""
    submitted = 0
    while crawl.forms:
        form = crawl.forms.pop(0)
        if form.action.startswith(SKIPPED_ACTIONS):
            continue
        for kind, value in {"as shown": None, **VALUES}.items():
            data = {
                name: original if value is None or name == "csrf_token" else value
                for name, original in form.fields.items()
            }
            path = urlsplit(form.action).path or "/"
            if form.method == "GET":
                answer = crawl.client.get(path, params=data)
            else:
                answer = crawl.client.post(path, data=data)
            crawl.check(answer, f"{form.method} {form.action} ({kind})")
            submitted += 1
    return submitted


@pytest.mark.timeout(900)
def test_every_route_and_form_survives_every_role(
    store: PaperStore, client: TestClient, site: dict[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    app = client.app
    samples = real_values(client, site)
    roles = {
        "anonymous": TestClient(app),
        "reader": TestClient(app, cookies={"dp_session": site["reader_session"]}),
        "admin": TestClient(app, cookies={"dp_session": site["admin_session"]}),
    }
    declared = {route.path for route in app.state.routes}  # type: ignore[attr-defined]
    with caplog.at_level(logging.WARNING):
        for role, browser in roles.items():
            browser.get("/")  # a CSRF cookie, as a browser has
            crawl = Crawl(browser, role)
            assert crawl_routes(crawl, samples) == declared
            submitted = submit_forms(crawl)
            assert submitted > 20, f"{role}: only {submitted} form submissions"
            shapes = sorted({f"{method} {action[:40]}" for method, action in crawl.seen_forms})
            print(f"{role}: {crawl.requests} requests, {submitted} form posts: {shapes}")
            # Log out last: the session ends, and the crawl of this role with it.
            logout = browser.post("/logout", data={"csrf_token": _csrf(browser)})
            crawl.check(logout, "POST /logout")
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
    assert not errors, [r.getMessage() for r in errors]


def _csrf(browser: TestClient) -> str:
    match = re.search(r'name="csrf_token" value="([0-9a-f]+)"', browser.get("/").text)
    return match[1] if match else ""
