"""Accounts through the real pages: sign up, confirm by mail, log in, reset, abuse limits."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from dailypapers.mail.outbox import MailQueue
from dailypapers.settings import Settings
from dailypapers.store import PaperStore
from dailypapers.web.app import create_app
from dailypapers.web.security import safe_next
from helpers import csrf_from, log_in, sign_up_and_verify
from servers import SmtpSink, link_in

EMAIL = "ada@example.org"


def test_sign_up_verify_log_in_and_out(client: TestClient, smtp: SmtpSink) -> None:
    sign_up_and_verify(client, smtp, EMAIL, "ada")
    mail = smtp.wait_for(EMAIL)[0]
    assert mail["Subject"] == "Confirm your e-mail address for dailypapers"
    assert mail.get_body(("plain",)) and mail.get_body(("html",))
    response = log_in(client, EMAIL)
    assert response.status_code == 303
    cookie = response.headers["set-cookie"]
    assert "dp_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert "Secure" not in cookie  # http://; https base URLs make it Secure
    home = client.get("/")
    assert "Log out" in home.text and ">ada<" in home.text
    out = client.post("/logout", data={"csrf_token": csrf_from(home.text)}, follow_redirects=False)
    assert out.status_code == 303
    assert "Log in" in client.get("/").text


def test_unverified_accounts_cannot_log_in(client: TestClient, smtp: SmtpSink) -> None:
    page = client.get("/signup")
    client.post(
        "/signup",
        data={
            "email": EMAIL,
            "username": "ada",
            "password": "long enough pw",
            "csrf_token": csrf_from(page.text),
        },
    )
    smtp.wait_for(EMAIL)  # the account is made after the answer, with the first mail
    response = log_in(client, EMAIL, "long enough pw")
    assert response.status_code == 400 and "confirm your e-mail" in response.text
    assert len(smtp.wait_for(EMAIL, count=2)) == 2  # a fresh link was sent


def test_same_answer_whether_or_not_registered(client: TestClient, smtp: SmtpSink) -> None:
    sign_up_and_verify(client, smtp, EMAIL, "ada")
    client = TestClient(client.app)  # a visitor who is not logged in
    page = client.get("/signup")
    again = client.post(
        "/signup",
        data={
            "email": EMAIL,
            "username": "someone",
            "password": "another password",
            "csrf_token": csrf_from(page.text),
        },
    )
    fresh = client.post(
        "/signup",
        data={
            "email": "new@example.org",
            "username": "newbie",
            "password": "another password",
            "csrf_token": csrf_from(page.text),
        },
    )
    assert again.status_code == fresh.status_code == 200
    assert again.text.replace(EMAIL, "X") == fresh.text.replace("new@example.org", "X")
    notice = smtp.wait_for(EMAIL, count=2)[-1]
    body = notice.get_body(("plain",))
    assert body is not None and "already has an account" in body.get_content()
    wrong_user = log_in(client, "nobody@example.org", "whatever pw")
    wrong_password = log_in(client, EMAIL, "not the password")
    assert wrong_user.status_code == wrong_password.status_code == 400
    assert "Wrong e-mail address or password." in wrong_user.text
    assert "Wrong e-mail address or password." in wrong_password.text


def test_password_reset_is_single_use_and_ends_sessions(
    client: TestClient, smtp: SmtpSink, store: PaperStore
) -> None:
    sign_up_and_verify(client, smtp, EMAIL, "ada")
    assert log_in(client, EMAIL).status_code == 303
    page = client.get("/password-reset")
    for address in (EMAIL, "unknown@example.org"):
        answer = client.post(
            "/password-reset", data={"email": address, "csrf_token": csrf_from(page.text)}
        )
        assert answer.status_code == 200 and "If that address has an account" in answer.text
    link = link_in(smtp.wait_for(EMAIL, count=2)[-1], "/password-reset/confirm")
    path = link.split("127.0.0.1:8000", 1)[1]
    form = client.get(path)
    token = path.split("token=", 1)[1]
    done = client.post(
        "/password-reset/confirm",
        data={
            "token": token,
            "password": "a brand new password",
            "csrf_token": csrf_from(form.text),
        },
    )
    assert done.status_code == 200 and "Password changed" in done.text
    assert "Log in" in client.get("/").text  # the old session ended
    reused = client.post(
        "/password-reset/confirm",
        data={
            "token": token,
            "password": "yet another password",
            "csrf_token": csrf_from(form.text),
        },
    )
    assert reused.status_code == 400 and "invalid, used or expired" in reused.text
    assert log_in(client, EMAIL, "a brand new password").status_code == 303
    assert "unknown@example.org" not in {row.recipient for row in MailQueue(store.db).recent()}


def test_forms_without_a_valid_csrf_token_are_refused(
    client: TestClient, store: PaperStore
) -> None:
    client.get("/")
    for token in (None, "", "0" * 64):
        data = {"email": EMAIL, "username": "ada", "password": "long enough pw"}
        if token is not None:
            data["csrf_token"] = token
        response = client.post("/signup", data=data)
        assert response.status_code == 403
    foreign = TestClient(client.app)  # another browser: its own cookie, not our token
    token = csrf_from(client.get("/signup").text)
    response = foreign.post(
        "/signup",
        data={"email": EMAIL, "username": "ada", "password": "long enough pw", "csrf_token": token},
    )
    assert response.status_code == 403
    assert MailQueue(store.db).counts() == {}


def test_login_rotates_the_session(client: TestClient, smtp: SmtpSink) -> None:
    sign_up_and_verify(client, smtp, EMAIL, "ada")
    first = log_in(client, EMAIL).cookies["dp_session"]
    second = log_in(client, EMAIL).cookies["dp_session"]
    assert first != second
    planted = TestClient(client.app, cookies={"dp_session": first})
    assert "Log out" not in planted.get("/").text  # the old id died at the new log-in


def test_login_rate_limit(client: TestClient, store: PaperStore) -> None:
    statuses = [log_in(client, EMAIL, f"guess {n}").status_code for n in range(12)]
    assert statuses[:10] == [400] * 10
    assert statuses[10:] == [429, 429]
    assert "Too many failed log-ins to this account" in log_in(client, EMAIL, "again").text


def test_failed_log_ins_elsewhere_never_lock_the_owner_out(
    client: TestClient, smtp: SmtpSink
) -> None:
    sign_up_and_verify(client, smtp, EMAIL, "ada")
    attacker = TestClient(client.app, client=("203.0.113.9", 4000))
    for n in range(12):
        log_in(attacker, EMAIL, f"guess {n}")
    assert log_in(attacker, EMAIL).status_code == 429  # even the right password, from there
    owner = TestClient(client.app, client=("198.51.100.7", 4000))
    assert log_in(owner, EMAIL).status_code == 303


def test_successful_log_ins_do_not_count(client: TestClient, smtp: SmtpSink) -> None:
    sign_up_and_verify(client, smtp, EMAIL, "ada")
    assert [log_in(client, EMAIL).status_code for _ in range(15)] == [303] * 15


@pytest.mark.slow  # a subprocess or a killed process: make test, not make check
def test_one_address_trying_many_accounts_is_stopped(client: TestClient) -> None:
    statuses = [log_in(client, f"user{n}@example.org", "guess").status_code for n in range(52)]
    assert statuses[:50] == [400] * 50 and statuses[50:] == [429, 429]
    assert "from your network" in log_in(client, "other@example.org", "x").text


def test_signup_rate_limit(client: TestClient, smtp: SmtpSink) -> None:
    page = client.get("/signup")
    statuses = [
        client.post(
            "/signup",
            data={
                "email": f"u{n}@example.org",
                "username": f"user{n}",
                "password": "long enough pw",
                "csrf_token": csrf_from(page.text),
            },
        ).status_code
        for n in range(7)
    ]
    assert statuses == [200] * 5 + [429, 429]


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example",
        "//evil.example",
        "/\\evil.example",
        "\\\\evil.example",
        "http:/evil.example",
        "javascript:alert(1)",
        "/%0d%0aSet-Cookie:x",
        " //evil.example",
        "\t//evil.example",
        "evil.example",
        "",
        "https:evil.example",
        "///evil.example",
        "/papers\r\nLocation: //evil",
    ],
)
def test_next_accepts_only_local_paths(target: str) -> None:
    assert safe_next(target) in ("/", "/%0d%0aSet-Cookie:x")


@pytest.mark.parametrize("target", ["/papers/2401.01234", "/settings?tab=x", "/papers/trending#a"])
def test_next_keeps_local_paths(target: str) -> None:
    assert safe_next(target) == target


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_login_redirects_only_to_local_next(client: TestClient, smtp: SmtpSink) -> None:
    sign_up_and_verify(client, smtp, EMAIL, "ada")
    page = client.get("/login?next=//evil.example")
    assert 'name="next" value="/"' in page.text
    response = client.post(
        "/login",
        data={
            "email": EMAIL,
            "password": "correct horse battery",
            "next": "https://evil.example/x",
            "csrf_token": csrf_from(page.text),
        },
        follow_redirects=False,
    )
    assert response.headers["location"] == "/"


def test_session_cookie_is_secure_over_https(client: TestClient, smtp: SmtpSink) -> None:
    sign_up_and_verify(client, smtp, EMAIL, "ada")
    secure = TestClient(client.app, base_url="https://testserver")
    response = log_in(secure, EMAIL)
    assert response.status_code == 303
    assert "Secure" in response.headers["set-cookie"]


def test_a_mail_server_that_is_down_loses_no_confirmation(
    store: PaperStore, site_settings: Settings
) -> None:
    """The page answers at once; the link waits in the outbox and arrives once the server
    is back (serve's mail thread retries it), exactly once."""
    sink = SmtpSink()  # its port is chosen; nothing listens yet
    site_settings.smtp_url = sink.url
    site_settings.digest_retry_seconds = 0.2
    with TestClient(create_app(site_settings, store)) as client:
        page = client.get("/signup")
        form = {"email": EMAIL, "username": "ada", "password": "long enough pw"}
        answer = client.post("/signup", data=form | {"csrf_token": csrf_from(page.text)})
        assert answer.status_code == 200 and "Check your mail" in answer.text
        queue = MailQueue(store.db)
        (row,) = queue.recent()
        assert (row.kind, row.recipient, row.status) == ("verify", EMAIL, "pending")
        sink.start()
        try:
            mail = sink.wait_for(EMAIL, timeout=30)
            link = link_in(mail[0], "/verify").split("127.0.0.1:8000", 1)[1]
            assert "Address confirmed" in client.get(link).text
            assert [r.status for r in queue.recent()] == ["sent"]
            assert len(sink.messages) == 1
        finally:
            sink.stop()
