"""E-mail digests: subscribing (double opt-in), the digest mail, one-click unsubscribe, and a
sender that never loses or doubles mail — against a real SMTP server, on both engines."""

from __future__ import annotations

import re
from datetime import date, datetime
from email.message import EmailMessage

import httpx
import pytest
from sqlalchemy import func, select

from dailypapers.digest.interests import SubscriptionError, parse_interests
from dailypapers.digest.periods import last_complete, period_containing, zone
from dailypapers.models import DigestOutbox, Subscription
from dailypapers.search.embed import OnnxEmbedder
from dailypapers.store import PaperStore
from digest_corpus import WEEK_DAY, add_subscribers, load_corpus
from helpers import csrf_from, run_cli
from servers import LiveServer, SmtpSink, link_in


@pytest.fixture(scope="module")
def embedder() -> OnnxEmbedder:
    return OnnxEmbedder()


def test_periods_have_stable_keys_in_the_site_time_zone() -> None:
    utc, tokyo = zone("UTC"), zone("Asia/Tokyo")
    daily = period_containing("daily", date(2026, 3, 4), utc)
    assert daily.key == "daily:2026-03-04"
    assert (daily.start, daily.end) == (datetime(2026, 3, 4), datetime(2026, 3, 5))
    weekly = period_containing("weekly", date(2026, 3, 8), utc)
    assert weekly.key == "weekly:2026-W10" and weekly.first_day == date(2026, 3, 2)
    assert period_containing("daily", date(2026, 3, 4), tokyo).start == datetime(2026, 3, 3, 15)
    # At 23:30 UTC on the 4th it is already the 5th in Tokyo: the 4th is complete there.
    assert last_complete("daily", datetime(2026, 3, 4, 23, 30), tokyo).key == "daily:2026-03-04"
    assert last_complete("daily", datetime(2026, 3, 4, 23, 30), utc).key == "daily:2026-03-03"
    assert last_complete("weekly", datetime(2026, 3, 9, 1), utc).key == "weekly:2026-W10"
    with pytest.raises(ValueError, match="time zone"):
        zone("Mars/Olympus")


def test_interests_are_validated_and_cleaned() -> None:
    interests = parse_interests("  graph\x00 networks ", "cs.LG, q-bio.BM cs.LG", "Ada Lovelace;")
    assert interests.query == "graph networks"
    assert interests.categories == ("cs.LG", "q-bio.BM")
    assert interests.authors == ("Ada Lovelace",)
    for bad in [("x" * 501, "", ""), ("", "not a category!", ""), ("", "", "a" * 101)]:
        with pytest.raises(SubscriptionError):
            parse_interests(*bad)
    with pytest.raises(SubscriptionError, match="at most"):
        parse_interests("", ",".join(f"cs.A{chr(65 + i)}" for i in range(11)))


def _digest_env(site_env: dict[str, str], base_url: str, **extra: str) -> dict[str, str]:
    return site_env | {
        "DAILYPAPERS_BASE_URL": base_url,
        "DAILYPAPERS_DIGEST_RATE_PER_SECOND": "0",
        "DAILYPAPERS_DIGEST_RETRY_SECONDS": "0.05",
        "DAILYPAPERS_DIGEST_CLAIM_SECONDS": "2",
        **extra,
    }


def _send(env: dict[str, str], period: str = "weekly", day: date = WEEK_DAY) -> str:
    result = run_cli("digest", "send", "--period", period, "--date", day.isoformat(), env=env)
    assert result.returncode == 0, result.stderr + result.stdout
    return result.stdout


def _parts(message: EmailMessage) -> tuple[str, str]:
    plain, html = message.get_body(("plain",)), message.get_body(("html",))
    assert plain is not None and html is not None
    return plain.get_content(), html.get_content()


def _subscribe(http: httpx.Client, email: str, **fields: str) -> httpx.Response:
    token = csrf_from(http.get("/").text)  # the footer box of any page
    return http.post("/subscribe", data={"email": email, "csrf_token": token, **fields})


def test_subscribe_confirm_receive_and_unsubscribe(
    store: PaperStore,
    embedder: OnnxEmbedder,
    live: LiveServer,
    smtp: SmtpSink,
    site_env: dict[str, str],
) -> None:
    load_corpus(store, embedder)
    env = _digest_env(site_env, live.url)
    reader = "Reader@Example.org"
    with httpx.Client(base_url=live.url) as http:
        fields = {"frequency": "weekly", "query": "retrieval augmented generation"}
        first = _subscribe(http, reader, **fields)
        assert first.status_code == 200 and "Check your inbox" in first.text
        again = _subscribe(http, reader, **fields)  # twice: same answer, one subscription
        assert again.text.replace(first.text, "") == ""
        unknown = _subscribe(http, "nobody@example.org", **fields)
        assert unknown.text.replace("nobody@example.org", "reader@example.org") == first.text
    with store.session() as s:
        assert s.scalar(select(func.count()).select_from(Subscription)) == 2
    mails = smtp.wait_for("reader@example.org", count=2)
    plain, html = _parts(mails[0])
    assert "Confirm your weekly digest" in str(mails[0]["Subject"])
    assert "retrieval augmented generation" in plain and "48 hours" in plain
    assert 'href="http' in html

    # Unconfirmed addresses never get a digest.
    assert "sent 0 now" in _send(env)
    assert len(smtp.messages) == 3

    link = link_in(mails[-1], "/subscribe/confirm")
    with httpx.Client() as http:
        assert "You are subscribed" in http.get(link).text
        used = http.get(link)
        assert used.status_code == 400 and "already used" in used.text
        assert http.get(link_in(mails[0], "/subscribe/confirm")).status_code == 400

    assert "sent 1 now" in _send(env)
    digest = smtp.wait_for("reader@example.org", count=3)[-1]
    plain, html = _parts(digest)
    assert "weekly digest" in str(digest["Subject"])
    assert re.fullmatch(r"<digest\.weekly\.2026-W10\.\d+\.\d+@example\.org>", digest["Message-ID"])
    assert digest["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe = str(digest["List-Unsubscribe"]).strip().strip("<>")
    assert unsubscribe.startswith(live.url + "/unsubscribe/")
    # Trending (the week's feed, most upvoted first), then the personal match from this week.
    assert plain.index("Sparse Mixture of Experts") < plain.index("Diffusion Transformers")
    assert "Retrieval-Augmented Generation with Long Contexts" in plain.split("FOR YOU")[1]
    assert "A Survey of Retrieval" not in plain  # last month's paper
    assert "epsilon-bounded adversarial" in plain  # LaTeX simplified in the summary
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert f"{live.url}/papers/2603.00005" in html

    # A rerun of the same period sends nothing more.
    assert "sent 0 now" in _send(env)
    assert len(smtp.wait_for("reader@example.org", count=3)) == 3

    with httpx.Client() as http:
        page = http.get(unsubscribe)  # a GET (link preview, scanner) changes nothing
        assert page.status_code == 200 and "<form" in page.text
        with store.session() as s:
            row = s.scalars(
                select(Subscription).where(Subscription.email == "reader@example.org")
            ).one()
            assert row.unsubscribed_at is None
        done = http.post(unsubscribe, data={"List-Unsubscribe": "One-Click"})  # no cookie, no CSRF
        assert done.status_code == 200 and "unsubscribed" in done.text
    with store.session() as s:
        row = s.scalars(
            select(Subscription).where(Subscription.email == "reader@example.org")
        ).one()
        assert row.unsubscribed_at is not None
    assert "sent 0 now" in _send(env, day=date(2026, 3, 11))


def test_failing_recipients_are_retried_or_suppressed_and_never_stop_the_run(
    store: PaperStore, embedder: OnnxEmbedder, site_env: dict[str, str]
) -> None:
    load_corpus(store, embedder)
    answers = {"reader0001@example.org": ["451 4.3.0 Try again later"] * 2}

    def rule(address: str) -> str | None:
        if address == "reader0003@example.org":
            return "550 5.1.1 No such user"
        pending = answers.get(address)
        return pending.pop() if pending else None

    sink = SmtpSink(rule).start()
    try:
        emails = add_subscribers(store, 6)
        env = _digest_env(site_env, "https://papers.example.org", DAILYPAPERS_SMTP_URL=sink.url)
        out = _send(env)
        got = sorted(str(m["To"]) for m in sink.messages)
        assert got == sorted(e for e in emails if e != "reader0003@example.org")
        assert "1 suppressed" in out
        with store.session() as s:
            row = s.scalars(select(Subscription).where(Subscription.email == emails[3])).one()
            assert row.suppressed_at is not None and "550" in (row.suppressed_reason or "")
            statuses = dict(
                s.execute(select(DigestOutbox.subscription_id, DigestOutbox.status)).all()
            )
        assert sorted(statuses.values()) == ["sent"] * 5 + ["suppressed"]
        # A suppressed address is not planned for the next period.
        _send(env, day=date(2026, 3, 11))
        assert emails[3] not in {str(m["To"]) for m in sink.messages}
    finally:
        sink.stop()


def test_concurrent_runs_send_each_digest_once(
    store: PaperStore, embedder: OnnxEmbedder, smtp: SmtpSink, site_env: dict[str, str]
) -> None:
    import subprocess
    import sys

    load_corpus(store, embedder)
    emails = add_subscribers(store, 60, query="diffusion video")
    env = _digest_env(
        site_env, "https://papers.example.org", DAILYPAPERS_DIGEST_RATE_PER_SECOND="200"
    )
    command = [sys.executable, "-m", "dailypapers", "digest", "send", "--period", "weekly",
               "--date", WEEK_DAY.isoformat()]  # fmt: skip
    runs = [subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True) for _ in range(3)]
    outputs = [run.communicate(timeout=120)[0] for run in runs]
    assert all(run.returncode == 0 for run in runs), outputs
    received = [str(m["To"]) for m in smtp.messages]
    assert sorted(received) == sorted(emails)
    sent_by_run = [int(re.search(r"sent (\d+) now", out).group(1)) for out in outputs]  # type: ignore[union-attr]
    assert sum(sent_by_run) == 60
