"""Defects a newcomer met in the first hour (issue 16), each pinned by a test, both engines."""

from __future__ import annotations

import itertools
import json
import re
from datetime import date

import pytest
from fastapi.testclient import TestClient

from dailypapers.records import PaperRecord
from dailypapers.store import PaperStore
from helpers import browser, csrf_from, make_user, run_cli

PAPER = "2602.00001"
HUGE_ID = 2**63  # one past the largest id a database column holds


@pytest.fixture
def paper(store: PaperStore) -> str:
    store.upsert_papers(
        [
            PaperRecord(
                arxiv_id=PAPER,
                title="A paper on edges",
                authors=["Ada"],
                upvotes=5,
                daily_day=date(2026, 2, 3),
            )
        ]
    )
    return PAPER


# -- API tokens from Settings ----------------------------------------------------------------
def test_a_token_created_in_settings_is_shown_once_and_works(
    client: TestClient, store: PaperStore, paper: str
) -> None:
    _, _, session = make_user(store, "ada")
    ada = browser(client, session)
    token = csrf_from(ada.get("/settings").text)
    created = ada.post("/settings/tokens", data={"name": "laptop", "csrf_token": token})
    assert created.status_code == 200, created.text
    secret = re.search(r"\b(dp_[A-Za-z0-9_-]{20,})", created.text)
    assert secret, "the new token is shown"
    assert "laptop" in created.text
    assert created.headers["cache-control"] == "no-store"  # a secret: never cached
    again = ada.get("/settings").text
    assert secret[1] not in again and "<span>laptop</span>" in again  # shown once
    vote = client.post(
        f"/api/papers/{paper}/upvote", headers={"Authorization": f"Bearer {secret[1]}"}
    )
    assert vote.status_code == 200 and vote.json()["upvoted"] is True
    token_id = re.search(r'laptop</span>.*?action="/settings/tokens/(\d+)/delete"', again, re.S)
    assert token_id
    revoked = ada.post(f"/settings/tokens/{token_id[1]}/delete", data={"csrf_token": token})
    assert revoked.status_code == 200 and "<span>laptop</span>" not in revoked.text
    denied = client.post(
        f"/api/papers/{paper}/upvote", headers={"Authorization": f"Bearer {secret[1]}"}
    )
    assert denied.status_code == 401


# -- API docs ---------------------------------------------------------------------------------
def test_api_docs_load_swagger_from_the_package(client: TestClient) -> None:
    page = client.get("/api/docs")
    assert page.status_code == 200
    sources = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert sources and all(s.startswith("/") and not s.startswith("//") for s in sources)
    assert "<script>" not in page.text  # the CSP allows no inline script
    for source in sources:
        assert client.get(source).status_code == 200, source


# -- usernames --------------------------------------------------------------------------------
@pytest.mark.slow  # a subprocess or a killed process: make test, not make check
def test_cli_users_get_a_valid_unique_username(env: dict[str, str], store: PaperStore) -> None:
    made = run_cli("user", "create", "ada.lovelace@example.org", env=env)
    assert made.returncode == 0, made.stderr
    again = run_cli("user", "create", "ada.lovelace@example.com", env=env)
    assert again.returncode == 0, again.stderr
    named = run_cli("user", "create", "grace@example.org", "--username", "grace-h", env=env)
    assert named.returncode == 0, named.stderr
    names = {store.get_user_by_email(e).username for e in ("ada.lovelace@example.org",)}  # type: ignore[union-attr]
    second = store.get_user_by_email("ada.lovelace@example.com")
    assert names == {"ada-lovelace"} and second is not None
    assert second.username and second.username != "ada-lovelace"
    assert store.get_user_by_email("grace@example.org").username == "grace-h"  # type: ignore[union-attr]
    for n, bad in enumerate(("none", "Admin", "a", "x" * 41, "bad name")):
        refused = run_cli("user", "create", f"u{n}@example.org", "--username", bad, env=env)
        assert refused.returncode != 0 and "username" in refused.stderr.lower(), bad
    taken = run_cli("user", "create", "g2@example.org", "--username", "GRACE-H", env=env)
    assert taken.returncode != 0 and "taken" in taken.stderr


@pytest.mark.parametrize("name", ["None", "admin", "API", "settings", "login", "null"])
def test_reserved_usernames_are_refused_at_sign_up(client: TestClient, name: str) -> None:
    page = client.get("/signup")
    answer = client.post(
        "/signup",
        data={
            "email": "someone@example.org",
            "username": name,
            "password": "correct horse battery",
            "csrf_token": csrf_from(page.text),
        },
    )
    assert answer.status_code == 400 and "reserved" in answer.text


# -- ids out of range -------------------------------------------------------------------------
def test_ids_past_the_database_range_are_404_or_422(
    client: TestClient, store: PaperStore, paper: str
) -> None:
    _, api_token, session = make_user(store, "ada", admin=True)
    ada = browser(client, session)
    token = csrf_from(ada.get("/settings").text)
    for path in (
        f"/comments/{HUGE_ID}/edit",
        f"/comments/{HUGE_ID}/delete",
        f"/comments/{HUGE_ID}/hide",
        f"/settings/tokens/{HUGE_ID}/delete",
        "/comments/-1/delete",
    ):
        answer = ada.post(path, data={"csrf_token": token, "body": "x"})
        assert answer.status_code in {400, 404, 422}, (path, answer.status_code)
    form = ada.post(
        f"/papers/{paper}/comments",
        data={"csrf_token": token, "body": "hi", "parent_id": str(HUGE_ID)},
    )
    assert form.status_code in {400, 404}, form.text
    api = client.post(
        f"/api/papers/{paper}/comments",
        json={"body": "hi", "parent_id": HUGE_ID},
        headers={"Authorization": f"Bearer {api_token}"},
    )
    assert api.status_code == 422 and "parent_id" in api.json()["error"]


# -- dates out of range -----------------------------------------------------------------------
@pytest.mark.parametrize(
    "path",
    [
        "/papers/week/9999-W52",
        "/papers/week/0001-W01",
        "/papers/month/9999-12",
        "/papers/month/0001-01",
        "/papers/date/9999-12-31",
        "/papers/date/0001-01-01",
        "/api/daily_papers?week=9999-W52",
        "/api/daily_papers?week=0001-W01",
        "/api/daily_papers?month=9999-12",
        "/api/daily_papers?month=0001-01",
        "/api/daily_papers?date=9999-12-31",
    ],
)
def test_edge_dates_are_a_clear_4xx(client: TestClient, paper: str, path: str) -> None:
    answer = client.get(path)
    assert answer.status_code in {400, 404, 422}, answer.text
    assert "1991" in answer.text  # says which range is served


def test_import_refuses_dates_outside_the_sane_range(
    env: dict[str, str], store: PaperStore, tmp_path: object
) -> None:
    from pathlib import Path

    source = Path(str(tmp_path)) / "edge.jsonl"
    rows = [
        {"arxiv_id": "2602.00002", "title": "Fine", "submitted_on_daily": "2026-02-02"},
        {"arxiv_id": "2602.00003", "title": "Far", "submitted_on_daily": "9999-12-31"},
        {"arxiv_id": "2602.00004", "title": "Old", "published": "0001-01-01"},
        {
            "id": "2602.00005",
            "title": "Snap",
            "versions": [{"version": "v1", "created": "0001-01-01"}],
        },
    ]
    source.write_text("\n".join(json.dumps(r) for r in rows))
    result = run_cli("import", str(source), env=env)
    assert "9999-12-31" in result.stderr + result.stdout and "1991" in result.stderr + result.stdout
    assert store.get_paper("2602.00002") is not None
    for refused in ("2602.00003", "2602.00004", "2602.00005"):
        assert store.get_paper(refused) is None


def test_pages_survive_a_far_date_already_stored(client: TestClient, store: PaperStore) -> None:
    """A database filled before the import check keeps working (the row bypasses import)."""
    store.upsert_papers(
        [
            PaperRecord(arxiv_id="2602.00008", title="t", daily_day=date(2026, 2, 3), upvotes=3),
            PaperRecord(arxiv_id="2602.00009", title="t", daily_day=date(9999, 12, 31)),
        ]
    )
    for path in (
        "/papers/trending",
        "/api/daily_papers?sort=trending",
        "/",
        "/api/papers/search?q=t",
    ):
        assert client.get(path).status_code == 200, path


# -- e-mail addresses -------------------------------------------------------------------------
BAD_EMAILS = [
    "a@example.org,b@example.org",
    "a\x00b@example.org",
    "Ada <ada@example.org>",
    "=?utf-8?q?ada?=@example.org",
    "ada@=?utf-8?b?ZXhhbXBsZQ==?=.org",
    "ada@localhost",
    "ada@@example.org",
]


@pytest.mark.parametrize("email", BAD_EMAILS)
def test_bad_email_addresses_are_refused_clearly(client: TestClient, email: str) -> None:
    forms = {
        "/signup": {"email": email, "username": "someone", "password": "correct horse battery"},
        "/login": {"email": email, "password": "correct horse battery"},
        "/password-reset": {"email": email},
        "/subscribe": {"email": email, "frequency": "daily"},
    }
    for path, data in forms.items():
        page = client.get(path)
        answer = client.post(path, data=data | {"csrf_token": csrf_from(page.text)})
        assert answer.status_code < 500, (path, answer.status_code)
        if path in {"/signup", "/subscribe"}:
            assert answer.status_code == 400 and "e-mail address" in answer.text, path


def test_email_addresses_are_normalised(client: TestClient) -> None:
    from dailypapers.accounts.service import normalize_email

    assert normalize_email("  Ada@Example.ORG ") == "ada@example.org"
    assert normalize_email("ada@bücher.example") == "ada@xn--bcher-kva.example"


def test_migration_names_accounts_that_had_none(db_url: str) -> None:
    from sqlalchemy import text

    from dailypapers.db import upgrade
    from dailypapers.store import open_store

    store = open_store(db_url)
    upgrade(store.db, "0009")
    with store.db.writer.begin() as conn:
        for n, (email, name) in enumerate(
            [("ada@example.org", None), ("x@example.org", "None"), ("y@example.org", "ada")]
        ):
            conn.execute(
                text(
                    "INSERT INTO users (id, email, username, is_admin, created_at) "
                    "VALUES (:id, :email, :name, false, CURRENT_TIMESTAMP)"
                ),
                {"id": n + 1, "email": email, "name": name},
            )
    store.upgrade()
    with store.db.reader.connect() as conn:
        names: dict[str, str] = dict(conn.execute(text("SELECT email, username FROM users")).all())
    store.close()
    assert names == {"ada@example.org": "ada-2", "x@example.org": "user-x", "y@example.org": "ada"}


# -- protocol details -------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("PUT", "/", "GET, HEAD"),
        ("DELETE", "/papers/date/2026-02-03", "GET, HEAD"),
        ("GET", f"/api/papers/{PAPER}/upvote", "POST, DELETE"),
        ("GET", "/settings/tokens", "POST"),
        ("OPTIONS", "/api/papers/submit", "POST"),  # not the GET /api/papers/{id} catch-all
        ("POST", "/static/app.css", "GET, HEAD"),
        ("PATCH", "/feeds/daily.atom", "GET, HEAD"),
    ],
)
def test_405_names_the_allowed_methods(
    client: TestClient, paper: str, method: str, path: str, allow: str
) -> None:
    answer = client.request(method, path)
    assert answer.status_code == 405 and answer.headers["allow"] == allow


def test_head_answers_like_get_without_a_body(client: TestClient, paper: str) -> None:
    for path in ("/", f"/papers/{PAPER}", "/feeds/daily.atom", "/static/app.css", "/healthz"):
        get, head = client.get(path), client.head(path)
        assert head.status_code == get.status_code == 200, path
        assert head.content == b"" and head.headers["content-type"] == get.headers["content-type"]


@pytest.mark.parametrize("arxiv_id", ["٢٦٠٢.٠٠٠٠١", "2602.0000١", "2602.00001v١", "hep-th/990100١"])
def test_arxiv_ids_take_ascii_digits_only(client: TestClient, paper: str, arxiv_id: str) -> None:
    answer = client.get(f"/api/papers/{arxiv_id}")
    assert answer.status_code == 400 and "not an arXiv identifier" in answer.json()["error"]


def test_hidden_comments_take_no_replies(client: TestClient, store: PaperStore, paper: str) -> None:
    _, token, _ = make_user(store, "ada")
    _, _, mod_session = make_user(store, "moderator1", admin=True)
    auth = {"Authorization": f"Bearer {token}"}
    top = client.post(f"/api/papers/{paper}/comments", json={"body": "spam"}, headers=auth)
    reply = client.post(
        f"/api/papers/{paper}/comments",
        json={"body": "re", "parent_id": top.json()["id"]},
        headers=auth,
    )
    mod = browser(client, mod_session)
    mod.post(
        f"/comments/{top.json()['id']}/hide", data={"csrf_token": csrf_from(mod.get("/").text)}
    )
    for parent in (top.json()["id"], reply.json()["id"]):
        refused = client.post(
            f"/api/papers/{paper}/comments",
            json={"body": "more", "parent_id": parent},
            headers=auth,
        )
        assert refused.status_code == 403 and "hid" in refused.json()["error"]
    stored = store.get_paper(paper)
    assert stored is not None and stored.num_comments == 1  # the hidden one does not count


def test_validation_messages_name_the_field(
    client: TestClient, store: PaperStore, paper: str
) -> None:
    _, token, _ = make_user(store, "ada")
    auth = {"Authorization": f"Bearer {token}"}
    empty = client.post(f"/api/papers/{paper}/comments", json={"body": ""}, headers=auth)
    assert "body (body)" in empty.json()["error"]
    missing = client.post(f"/api/papers/{paper}/comments", headers=auth)
    assert "the request body" in missing.json()["error"]
    query = client.get("/api/daily_papers?limit=abc")
    assert "limit (query)" in query.json()["error"]


def test_unhandled_errors_log_the_request_id(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    def boom() -> None:
        raise RuntimeError("boom")

    client.app.add_api_route("/boom-for-test", boom)  # type: ignore[attr-defined]
    quiet = TestClient(client.app, raise_server_exceptions=False)
    with caplog.at_level("ERROR"):
        answer = quiet.get("/boom-for-test", headers={"X-Request-Id": "req-12345678"})
    assert answer.status_code == 500 and answer.headers["x-request-id"] == "req-12345678"
    assert "req-12345678" in answer.text
    records = [r for r in caplog.records if "unhandled error" in r.getMessage()]
    assert records and records[0].request_id == "req-12345678"  # type: ignore[attr-defined]


# -- request size limits (a real server: the limits live in the HTTP protocol) -----------------
def _raw_exchange(port: int, payload: bytes, chunk: int = 16 * 1024) -> bytes:
    import socket

    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        try:
            for start in range(0, len(payload), chunk):
                sock.sendall(payload[start : start + chunk])
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server stopped reading: its answer is waiting
        answer = b""
        while data := sock.recv(65536):
            answer += data
            if b"\r\n\r\n" in answer and len(answer) > 200:
                break
    return answer


def test_request_heads_are_bounded(live: object) -> None:
    from dailypapers.web.server import MAX_REQUEST_HEAD

    port = live.port  # type: ignore[attr-defined]
    fine = _raw_exchange(port, b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert fine.startswith(b"HTTP/1.1 200")
    filler = b"X-Filler: " + b"a" * 1000 + b"\r\n"
    many = filler * (2 * MAX_REQUEST_HEAD // len(filler))  # checked per read: give a margin
    for head in (
        b"GET /healthz HTTP/1.1\r\nHost: x\r\n" + many + b"\r\n",  # many headers
        b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"b" * 4 * MAX_REQUEST_HEAD,  # one
        b"GET /?q=" + b"c" * 2 * MAX_REQUEST_HEAD + b" HTTP/1.1\r\n",  # the request line
    ):
        answer = _raw_exchange(port, head)
        assert answer.startswith(b"HTTP/1.1 431"), answer[:80]
    # the server is still fine afterwards
    assert _raw_exchange(port, b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").startswith(
        b"HTTP/1.1 200"
    )


def test_a_large_body_with_small_headers_is_not_a_large_head(live: object) -> None:
    import httpx

    from dailypapers.web.server import MAX_BODY

    url = live.url  # type: ignore[attr-defined]
    small = httpx.post(f"{url}/api/papers/submit", content=b"{" + b" " * 200_000 + b"}")
    assert small.status_code == 401  # read in full, then refused for the missing token
    large = httpx.post(f"{url}/api/papers/submit", content=b"x" * (MAX_BODY + 1))
    assert large.status_code == 413


# -- feeds -------------------------------------------------------------------------------------
HOSTILE = '<script>alert(1)</script><b onmouseover="x()">bold</b> & more'


@pytest.mark.parametrize("fmt", ["rss", "atom"])
@pytest.mark.parametrize("query", ["graph\x00\x01\x0b\x1f", "\ufffe\uffff x", HOSTILE, "é 𝛼 ✓"])
def test_feeds_are_valid_xml_for_any_query(
    client: TestClient, store: PaperStore, fmt: str, query: str
) -> None:
    from xml.etree import ElementTree

    store.upsert_papers(
        [PaperRecord(arxiv_id=PAPER, title=HOSTILE, abstract=HOSTILE, daily_day=date(2026, 2, 3))]
    )
    for path in (f"/feeds/search.{fmt}", f"/feeds/daily.{fmt}", f"/feeds/trending.{fmt}"):
        answer = client.get(path, params={"q": query})
        assert answer.status_code == 200
        ElementTree.fromstring(answer.content)  # well-formed, or this raises


def test_rss_text_is_escaped_for_readers_that_render_html(
    client: TestClient, store: PaperStore
) -> None:
    from xml.etree import ElementTree

    store.upsert_papers(
        [PaperRecord(arxiv_id=PAPER, title=HOSTILE, abstract=HOSTILE, daily_day=date(2026, 2, 3))]
    )
    rss = ElementTree.fromstring(client.get("/feeds/daily.rss").content)
    item = rss.find("channel/item")
    assert item is not None
    for field in ("title", "description"):
        text = item.findtext(field) or ""
        assert "<script>" not in text and "&lt;script&gt;" in text, field  # HTML-escaped
    atom = ElementTree.fromstring(client.get("/feeds/daily.atom").content)
    entry_title = atom.findtext(
        "{http://www.w3.org/2005/Atom}entry/{http://www.w3.org/2005/Atom}title"
    )
    assert entry_title == HOSTILE  # Atom says type="text": the exact title, escaped once


def test_search_feed_links_to_the_search_page(client: TestClient) -> None:
    from xml.etree import ElementTree

    atom = ElementTree.fromstring(
        client.get("/feeds/search.atom", params={"q": "graph nets"}).content
    )
    links = {
        link.get("rel"): link.get("href")
        for link in atom.findall("{http://www.w3.org/2005/Atom}link")
    }
    assert (links["alternate"] or "").endswith("/search?q=graph%20nets")
    rss = ElementTree.fromstring(
        client.get("/feeds/search.rss", params={"q": "graph nets"}).content
    )
    assert (rss.findtext("channel/link") or "").endswith("/search?q=graph%20nets")


# -- timing does not tell whether an address is registered -------------------------------------
def _auc(slow: list[float], fast: list[float]) -> float:
    """P(a time from ``slow`` > one from ``fast``): 0.5 when the two cannot be told apart."""
    pairs = [(a > b) + 0.5 * (a == b) for a in slow for b in fast]
    return sum(pairs) / len(pairs)


_VISITORS = itertools.count()
SETTLE_SECONDS = 0.25  # the previous request's after-the-answer work (argon2, mail) is done


def _timed_posts(live: object, path: str, forms: list[dict[str, str]]) -> list[float]:
    """POST each form to the real server as a new visitor (its own forwarded address: no
    rate limit interferes) and time the answer as a browser sees it."""
    import time

    import httpx

    times = []
    for form in forms:
        n = next(_VISITORS)
        forwarded = {"X-Forwarded-For": f"10.{n // 250}.{n % 250}.1"}
        with httpx.Client(base_url=live.url, headers=forwarded) as visitor:  # type: ignore[attr-defined]
            token = csrf_from(visitor.get(path).text)
            time.sleep(SETTLE_SECONDS)
            started = time.perf_counter()
            answer = visitor.post(path, data=form | {"csrf_token": token})
            times.append(time.perf_counter() - started)
        assert answer.status_code == 200, answer.text
    return times


@pytest.mark.slow  # a subprocess or a killed process: make test, not make check
def test_sign_up_and_reset_take_as_long_for_known_and_unknown_addresses(
    live: object, smtp: object
) -> None:
    """Indistinguishable timings give P(one slower) = 0.5 ± 0.10 for 16 × 16 samples; the
    bounds sit 3.4 sigma out. Before the fix it was 0.0 (8 ms vs 94 ms medians)."""
    import httpx

    password = "correct horse battery"
    first = {"email": "known@example.org", "username": "known", "password": password}
    _timed_posts(live, "/signup", [first])
    smtp.wait_for("known@example.org")  # type: ignore[attr-defined]
    rounds = 16
    known: list[float] = []
    unknown: list[float] = []
    for n in range(rounds):  # interleaved, so drift in machine load hits both alike
        known += _timed_posts(
            live,
            "/signup",
            [{"email": "known@example.org", "username": f"k{n}x", "password": password}],
        )
        unknown += _timed_posts(
            live,
            "/signup",
            [{"email": f"new{n}@example.org", "username": f"u{n}x", "password": password}],
        )
    assert 0.15 < _auc(unknown, known) < 0.85, (sorted(known), sorted(unknown))
    known, unknown = [], []
    for n in range(rounds):
        known += _timed_posts(live, "/password-reset", [{"email": "known@example.org"}])
        unknown += _timed_posts(live, "/password-reset", [{"email": f"nobody{n}@example.org"}])
    assert 0.15 < _auc(known, unknown) < 0.85, (sorted(known), sorted(unknown))
    assert httpx.get(f"{live.url}/healthz").status_code == 200  # type: ignore[attr-defined]
    assert len(smtp.wait_for("new15@example.org")) == 1  # type: ignore[attr-defined]  # the work was done


# -- CSRF ------------------------------------------------------------------------------------
def test_csrf_tokens_are_tied_to_the_session(client: TestClient, store: PaperStore) -> None:
    _, _, first = make_user(store, "ada")
    _, _, second = make_user(store, "bob")
    anonymous = csrf_from(client.get("/login").text)
    ada = TestClient(client.app, cookies={"dp_csrf": "shared-cookie", "dp_session": first})
    ada_token = csrf_from(ada.get("/settings").text)
    assert ada_token != anonymous
    bob = TestClient(client.app, cookies={"dp_csrf": "shared-cookie", "dp_session": second})
    for stale in (anonymous, ada_token):  # same CSRF cookie, another session: refused
        refused = bob.post("/settings/tokens", data={"name": "x", "csrf_token": stale})
        assert refused.status_code == 403
    own = csrf_from(bob.get("/settings").text)
    assert bob.post("/settings/tokens", data={"name": "x", "csrf_token": own}).status_code == 200


def test_csrf_cookie_is_secure_behind_a_tls_proxy(live: object) -> None:
    import httpx

    url = live.url  # type: ignore[attr-defined]
    plain = httpx.get(f"{url}/login").headers["set-cookie"]
    assert "dp_csrf=" in plain and "secure" not in plain.lower()
    proxied = httpx.get(f"{url}/login", headers={"X-Forwarded-Proto": "https"})
    assert "secure" in proxied.headers["set-cookie"].lower()


# -- moderation: reason, log, undo --------------------------------------------------------------
def test_moderation_has_reasons_a_log_and_undo(
    client: TestClient, store: PaperStore, paper: str
) -> None:
    troll, token, troll_session = make_user(store, "troll")
    _, _, mod_session = make_user(store, "moderator1", admin=True)
    auth = {"Authorization": f"Bearer {token}"}
    comment_id = client.post(
        f"/api/papers/{paper}/comments", json={"body": "buy pills"}, headers=auth
    ).json()["id"]
    mod = browser(client, mod_session)
    csrf = csrf_from(mod.get(f"/papers/{paper}").text)
    hidden = mod.post(f"/comments/{comment_id}/hide", data={"csrf_token": csrf, "reason": "spam"})
    assert "[hidden by a moderator]" in hidden.text and "Undo" in hidden.text
    mod.post(f"/moderation/remove/{paper}", data={"csrf_token": csrf, "reason": "off-topic"})
    mod.post("/moderation/users/troll/suspend", data={"csrf_token": csrf, "reason": "repeat spam"})
    log = mod.get("/moderation").text
    for reason in ("spam", "off-topic", "repeat spam"):
        assert f"<td>{reason}</td>" in log
    assert PAPER not in client.get("/papers/date/2026-02-03").text
    reader = browser(client, troll_session)
    assert (
        reader.get("/moderation").status_code in {403, 303, 200}
        and "Log out" not in reader.get("/").text
    )
    _, _, other = make_user(store, "reader2")
    assert browser(client, other).get("/moderation").status_code == 403
    action_ids = [int(i) for i in re.findall(r"/moderation/actions/(\d+)/undo", log)]
    assert len(action_ids) == 3
    for action_id in action_ids:
        undone = mod.post(f"/moderation/actions/{action_id}/undo", data={"csrf_token": csrf})
        assert undone.status_code == 200 and "Undone." in undone.text
    again = mod.post(f"/moderation/actions/{action_ids[0]}/undo", data={"csrf_token": csrf})
    assert again.status_code == 409 and "already undone" in again.text
    assert "buy pills" in client.get(f"/papers/{paper}").text
    assert store.get_paper(paper).num_comments == 1  # type: ignore[union-attr]
    assert PAPER in client.get("/papers/date/2026-02-03").text
    from dailypapers.accounts.repo import AccountRepo

    assert AccountRepo(store.db).get(troll.id).suspended_at is None  # type: ignore[union-attr]
    assert "undone" in mod.get("/moderation").text


def test_deleted_replies_do_not_name_their_author(
    client: TestClient, store: PaperStore, paper: str
) -> None:
    _, token, session = make_user(store, "ada")
    auth = {"Authorization": f"Bearer {token}"}
    top = client.post(f"/api/papers/{paper}/comments", json={"body": "top"}, headers=auth).json()
    reply = client.post(
        f"/api/papers/{paper}/comments",
        json={"body": "reply", "parent_id": top["id"]},
        headers=auth,
    ).json()
    ada = browser(client, session)
    ada.post(f"/comments/{reply['id']}/delete", data={"csrf_token": csrf_from(ada.get("/").text)})
    page = client.get(f"/papers/{paper}").text
    block = page[page.index(f'id="comment-{reply["id"]}"') :][:600]
    assert "/users/ada" not in block and "[deleted]" in block


# -- navigation ---------------------------------------------------------------------------------
def test_period_navigation_skips_empty_periods_and_stops_at_the_latest(
    client: TestClient, store: PaperStore
) -> None:
    days = [date(2026, 1, 5), date(2026, 2, 3)]  # nothing in the weeks between
    store.upsert_papers(
        [PaperRecord(arxiv_id=f"2601.0000{n}", title="t", daily_day=d) for n, d in enumerate(days)]
    )
    week = client.get("/papers/week/2026-W06").text
    assert 'rel="prev" href="/papers/week/2026-W02' in week and 'rel="next"' not in week
    month = client.get("/papers/month/2026-01").text
    assert 'rel="next" href="/papers/month/2026-02' in month and 'rel="prev"' not in month


@pytest.mark.parametrize(
    ("query", "target"),
    [
        ("day=2026-02-03&kind=date", "/papers/date/2026-02-03"),
        ("day=2026-02-03&kind=week", "/papers/week/2026-W06"),
        ("day=2026-02-03&kind=month", "/papers/month/2026-02"),
    ],
)
def test_the_date_picker_jumps(client: TestClient, paper: str, query: str, target: str) -> None:
    answer = client.get(f"/papers/jump?{query}", follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == target
    page = client.get(target).text
    assert 'action="/papers/jump"' in page and 'type="date"' in page


@pytest.mark.parametrize("day", ["", "tomorrow", "9999-12-31", "2026-02-30"])
def test_the_date_picker_refuses_what_is_no_day(client: TestClient, day: str) -> None:
    answer = client.get("/papers/jump", params={"day": day}, follow_redirects=False)
    assert answer.status_code in {400, 404}


# -- intent through log-in; confirming logs in ---------------------------------------------------
def test_an_upvote_clicked_while_logged_out_counts_after_log_in(
    client: TestClient, smtp: object, paper: str, store: PaperStore
) -> None:
    from helpers import log_in, sign_up_and_verify

    sign_up_and_verify(client, smtp, "ada@example.org", "ada")
    visitor = TestClient(client.app)
    token = csrf_from(visitor.get(f"/papers/{paper}").text)
    sent = visitor.post(
        f"/papers/{paper}/upvote", data={"csrf_token": token}, follow_redirects=False
    )
    assert sent.status_code == 303 and "intent=upvote" in sent.headers["location"]
    form = visitor.get(sent.headers["location"]).text
    assert "Log in to upvote" in form and 'name="intent"' in form
    intent = re.search(r'name="intent" value="([^"]+)"', form)
    assert intent
    page = visitor.get("/login")
    answer = visitor.post(
        "/login",
        data={
            "email": "ada@example.org",
            "password": "correct horse battery",
            "csrf_token": csrf_from(page.text),
            "next": f"/papers/{paper}",
            "intent": intent[1],
        },
        follow_redirects=False,
    )
    assert answer.status_code == 303 and answer.headers["location"] == f"/papers/{paper}"
    assert store.get_paper(paper).upvotes == 6  # type: ignore[union-attr]
    assert log_in(visitor, "ada@example.org").status_code == 303  # logging in again: no change
    assert store.get_paper(paper).upvotes == 6  # type: ignore[union-attr]


def test_confirming_logs_in_once_and_a_reused_link_says_so(
    client: TestClient, smtp: object
) -> None:
    from servers import link_in

    page = client.get("/signup")
    client.post(
        "/signup",
        data={
            "email": "grace@example.org",
            "username": "grace",
            "password": "correct horse battery",
            "csrf_token": csrf_from(page.text),
        },
    )
    link = link_in(smtp.wait_for("grace@example.org")[-1], "/verify")  # type: ignore[attr-defined]
    path = link.split("127.0.0.1:8000", 1)[-1]
    first = TestClient(client.app)
    confirmed = first.get(path)
    assert "Address confirmed" in confirmed.text and "Log out" in confirmed.text
    second = TestClient(client.app)
    reused = second.get(path)
    assert "Already confirmed" in reused.text and "has been used" in reused.text
    assert "Log out" not in reused.text  # a used link logs no one in


# -- comments: math and quotes -------------------------------------------------------------------
def test_math_in_comments_is_kept_out_of_markdown_and_marked_for_katex() -> None:
    from dailypapers.community.markdown import render_markdown

    html = render_markdown("Take $a_b$ and $c_d$.\n\n$$\\frac{1}{2}$$\n\n> a quote")
    assert '<span class="math inline">a_b</span>' in html and "<em>" not in html
    assert '<div class="math block">' in html and "\\frac{1}{2}" in html
    assert "<blockquote>" in html
    hostile = render_markdown('$x$ <span class="math inline" onclick="alert(1)">y</span>')
    assert (
        "onclick" not in hostile.replace("&quot;", "").split("&lt;")[0]
        and "<span onclick" not in hostile
    )


def test_search_api_says_when_a_paper_was_on_the_daily_feed(
    client: TestClient, store: PaperStore, paper: str
) -> None:
    store.upsert_papers([PaperRecord(arxiv_id="2602.00002", title="A paper on edges, not daily")])
    hits = {h["paper"]["id"]: h for h in client.get("/api/papers/search?q=edges").json()}
    assert hits[PAPER]["submittedOnDailyAt"] and hits[PAPER]["paper"]["submittedOnDailyAt"]
    assert hits["2602.00002"]["submittedOnDailyAt"] is None


def test_counts_agree_with_their_nouns() -> None:
    from dailypapers.text import counted

    assert [counted(n, "comment") for n in (0, 1, 2, 1500)] == [
        "0 comments",
        "1 comment",
        "2 comments",
        "1,500 comments",
    ]


# -- submitting while arXiv cannot be reached ----------------------------------------------------
def test_submitting_offline_says_what_is_true_and_calls_no_one(
    store: PaperStore, site_settings: object, httpserver: object
) -> None:
    from dailypapers.web.app import create_app

    offline = site_settings.model_copy(update={"offline": True})  # type: ignore[attr-defined]
    _, token, session = make_user(store, "ada")
    with TestClient(create_app(offline, store)) as app_client:
        ada = browser(app_client, session)
        form = {"paper": "2401.01234", "csrf_token": csrf_from(ada.get("/submit").text)}
        answer = ada.post("/submit", data=form)
        assert answer.status_code == 404
        assert "not to fetch from arXiv" in answer.text and "DAILYPAPERS_OFFLINE" in answer.text
        api = app_client.post(
            "/api/papers/submit",
            json={"paper": "2401.01234"},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert api.status_code == 404 and "DAILYPAPERS_OFFLINE" in api.json()["error"]
    assert httpserver.log == []  # type: ignore[attr-defined]


def test_submitting_while_arxiv_is_down_says_to_try_again(
    client: TestClient, store: PaperStore, httpserver: object
) -> None:
    httpserver.expect_request("/api/query").respond_with_data("down", status=503)  # type: ignore[attr-defined]
    _, _, session = make_user(store, "ada")
    ada = browser(client, session)
    form = {"paper": "2401.01234", "csrf_token": csrf_from(ada.get("/submit").text)}
    answer = ada.post("/submit", data=form)
    assert answer.status_code == 503
    assert "arXiv did not answer" in answer.text and "Nothing was added" in answer.text
    assert store.get_paper("2401.01234") is None


# -- one early submission does not take over the home page or trending --------------------------
def test_a_lone_paper_does_not_take_over_home_or_trending(
    client: TestClient, store: PaperStore
) -> None:
    from datetime import timedelta

    from dailypapers.models import utcnow

    today = utcnow().date()
    yesterday = today - timedelta(days=1)
    store.upsert_papers(
        [PaperRecord(arxiv_id="2602.09999", title="The lone early one", daily_day=today)]
        + [
            PaperRecord(
                arxiv_id=f"2602.0{n:04d}",
                title=f"Yesterday's paper {n}",
                daily_day=yesterday,
                upvotes=n,
            )
            for n in range(1, 13)
        ]
    )
    home = client.get("/").text
    assert "The lone early one" in home and "Yesterday&#39;s paper 12" in home
    assert f'href="/papers/date/{yesterday.isoformat()}"' in home
    trending = client.get("/papers/trending").text
    assert "The lone early one" not in trending  # no upvote, no comment: not trending
    assert "Yesterday&#39;s paper 12" in trending
    api = [i["paper"]["id"] for i in client.get("/api/daily_papers?sort=trending").json()]
    assert "2602.09999" not in api


def test_neighbouring_matches_are_one_highlight() -> None:
    from dailypapers.search.snippets import snippet

    segments = snippet("A fast video diffusion model for video.", "video diffusion")
    marked = [text for text, matched in segments if matched]
    assert marked == ["video diffusion", "video"]


# -- the demo corpus --------------------------------------------------------------------------
@pytest.mark.slow  # a subprocess or a killed process: make test, not make check
def test_demo_papers_show_their_summary_dates_and_cut_author_lists(
    client: TestClient, store: PaperStore
) -> None:
    import gzip

    from dailypapers.cli.import_cmd import demo_path
    from dailypapers.ingest.importer import import_file

    with gzip.open(demo_path(), "rt") as lines:
        rows = [json.loads(line) for line in lines]
    summarised = [r for r in rows if r.get("ai_summary")]
    assert len(summarised) == 395 and {r["ai_summary_source"] for r in summarised} == {
        "huggingface"
    }
    assert all(not r["abstract"].startswith(r["ai_summary"]) for r in summarised)
    import_file(store, demo_path(), batch_size=1000)
    paper = summarised[0]
    page = client.get(f"/papers/{paper['arxiv_id']}").text
    assert "AI summary by Hugging Face" in page and "not the authors" in page
    cut = next(r for r in rows if r.get("authors_truncated"))
    page = client.get(f"/papers/{cut['arxiv_id']}").text
    assert "and others" in page
    undated = next(r for r in rows if not r.get("published"))
    yymm = undated["arxiv_id"][:4]
    month = date(2000 + int(yymm[:2]), int(yymm[2:]), 1).strftime("%b %Y")
    assert f"Published {month}" in client.get(f"/papers/{undated['arxiv_id']}").text
    empty = next(r for r in rows if not r["abstract"] and r.get("ai_summary"))
    page = client.get(f"/papers/{empty['arxiv_id']}").text
    assert "No abstract" not in page and 'id="abstract-title"' not in page
    api = client.get(f"/api/papers/{paper['arxiv_id']}").json()
    assert api["ai_summary"] == paper["ai_summary"]
