"""E-mail digests: subscribing (double opt-in), the digest mail, one-click unsubscribe, and a
sender that never loses or doubles mail — against a real SMTP server, on both engines."""

from __future__ import annotations

import re
from datetime import date, datetime
from email.message import EmailMessage
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, insert, select, update

from dailypapers.digest.interests import SubscriptionError, parse_interests
from dailypapers.mail.outbox import MailQueue
from dailypapers.models import DigestOutbox, Follow, Subscription, utcnow
from dailypapers.people.author_names import author_key
from dailypapers.periods import last_complete, period_containing, zone
from dailypapers.search.embed import OnnxEmbedder
from dailypapers.store import PaperStore
from digest_corpus import WEEK_DAY, add_subscribers, load_corpus
from helpers import csrf_from, make_user, run_cli
from servers import LiveServer, SmtpSink, link_in, terminate_while_sending

SEND_THE_WEEK = ["digest", "send", "--period", "weekly", "--date", WEEK_DAY.isoformat()]


@pytest.fixture(scope="module")
def embedder() -> OnnxEmbedder:
    return OnnxEmbedder()


def test_periods_have_stable_keys_in_the_site_time_zone() -> None:
    utc, tokyo = zone("UTC"), zone("Asia/Tokyo")
    daily = period_containing("daily", date(2026, 3, 4), utc)
    assert daily.digest_key == "daily:2026-03-04"
    assert (daily.starts_at, daily.ends_at) == (datetime(2026, 3, 4), datetime(2026, 3, 5))
    weekly = period_containing("weekly", date(2026, 3, 8), utc)
    assert weekly.digest_key == "weekly:2026-W10" and weekly.start == date(2026, 3, 2)
    assert weekly.url == "/papers/week/2026-W10"  # the same period as the feed's week page
    tokyo_day = period_containing("daily", date(2026, 3, 4), tokyo)
    assert tokyo_day.starts_at == datetime(2026, 3, 3, 15)
    # At 23:30 UTC on the 4th it is already the 5th in Tokyo: the 4th is complete there.
    assert (
        last_complete("daily", datetime(2026, 3, 4, 23, 30), tokyo).digest_key == "daily:2026-03-04"
    )
    assert (
        last_complete("daily", datetime(2026, 3, 4, 23, 30), utc).digest_key == "daily:2026-03-03"
    )
    assert last_complete("weekly", datetime(2026, 3, 9, 1), utc).digest_key == "weekly:2026-W10"
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


@pytest.mark.slow  # a subprocess or a killed process: make test, not make check
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


@pytest.mark.slow  # a subprocess or a killed process: make test, not make check
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


@pytest.mark.slow  # a subprocess or a killed process: make test, not make check
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
    command = [sys.executable, "-m", "dailypapers", *SEND_THE_WEEK]
    runs = [subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True) for _ in range(3)]
    outputs = [run.communicate(timeout=120)[0] for run in runs]
    assert all(run.returncode == 0 for run in runs), outputs
    received = [str(m["To"]) for m in smtp.messages]
    assert sorted(received) == sorted(emails)
    sent_by_run = [int(re.search(r"sent (\d+) now", out).group(1)) for out in outputs]  # type: ignore[union-attr]
    assert sum(sent_by_run) == 60


@pytest.mark.slow  # a subprocess or a killed process: make test, not make check
def test_killed_ten_times_then_finished_loses_nothing(
    store: PaperStore, embedder: OnnxEmbedder, smtp: SmtpSink, site_env: dict[str, str]
) -> None:
    """kill -9 the sender 10 times during a 500-recipient run, then let a run finish."""
    import random
    import subprocess
    import sys
    import time

    load_corpus(store, embedder)
    emails = add_subscribers(store, 500, query="retrieval augmented generation")
    env = _digest_env(
        site_env,
        "https://papers.example.org",
        DAILYPAPERS_DIGEST_RATE_PER_SECOND="150",
        DAILYPAPERS_DIGEST_CLAIM_SECONDS="1",
    )
    command = [sys.executable, "-m", "dailypapers", *SEND_THE_WEEK]
    rng = random.Random(7)
    before_each_kill = []
    for _ in range(10):
        sender = subprocess.Popen(
            command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        # Kill once sending is under way (or, sometimes, before it starts).
        start = len(smtp.messages)
        deadline = time.monotonic() + 20
        while len(smtp.messages) == start and time.monotonic() < deadline and sender.poll() is None:
            time.sleep(0.02)
        time.sleep(rng.uniform(0.0, 0.4))
        sender.kill()
        sender.wait()
        before_each_kill.append(len(smtp.messages))
    assert before_each_kill[-1] < 500, "the kills should interrupt the run"
    _send(env)
    received = [str(m["To"]) for m in smtp.messages]
    assert set(received) == set(emails), "every recipient gets the digest"
    duplicates = len(received) - len(set(received))
    print(
        f"messages seen at each kill: {before_each_kill}; duplicates after finishing: {duplicates}"
    )
    assert duplicates <= 10, f"{duplicates} duplicates: more than one in flight per kill"
    with store.session() as s:
        statuses = s.execute(
            select(DigestOutbox.status, func.count()).group_by(DigestOutbox.status)
        ).all()
    assert dict(statuses) == {"sent": 500}


def _rsa_key() -> tuple[bytes, bytes]:
    """A fresh RSA key: (private PEM, public key as the base64 a DKIM TXT record holds)."""
    import base64

    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    )
    public = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return private, base64.b64encode(public)


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_dkim_signature_covers_the_unsubscribe_headers_and_verifies(
    store: PaperStore,
    embedder: OnnxEmbedder,
    smtp: SmtpSink,
    site_env: dict[str, str],
    tmp_path: Path,
) -> None:
    import dkim

    load_corpus(store, embedder)
    add_subscribers(store, 1)
    private, public = _rsa_key()
    key_file = tmp_path / "dkim.pem"
    key_file.write_bytes(private)
    env = _digest_env(
        site_env,
        "https://papers.example.org",
        DAILYPAPERS_DKIM_PRIVATE_KEY=str(key_file),
        DAILYPAPERS_DKIM_SELECTOR="mail2026",
    )
    _send(env)
    raw = smtp.raw[-1]
    signature = smtp.messages[-1]["DKIM-Signature"]
    assert "d=example.org" in signature and "s=mail2026" in signature
    signed = re.search(r"h=([^;]+)", signature.replace(" ", "")).group(1).lower().split(":")  # type: ignore[union-attr]
    assert {"list-unsubscribe", "list-unsubscribe-post", "from", "subject"} <= set(signed)

    def dns(name: bytes, timeout: int = 5) -> bytes:
        assert name == b"mail2026._domainkey.example.org."
        return b"v=DKIM1; k=rsa; p=" + public

    assert dkim.verify(raw, dnsfunc=dns)
    headers, body = raw.split(b"\r\n\r\n", 1)
    assert b"https://papers.example.org/unsubscribe/" in headers
    forged = headers.replace(b"https://papers.example.org/unsubscribe/", b"https://evil.example/u/")
    assert not dkim.verify(forged + b"\r\n\r\n" + body, dnsfunc=dns)


def test_personal_sections_follow_authors_categories_topics_and_upvotes(
    store: PaperStore, embedder: OnnxEmbedder
) -> None:
    from dailypapers.digest.content import load_period
    from dailypapers.digest.interests import Interests
    from dailypapers.digest.matching import PersonalMatcher, Reader
    from dailypapers.search.embeddings import EmbeddingRepo

    load_corpus(store, embedder)
    period = period_containing("weekly", WEEK_DAY, zone("UTC"))
    papers = load_period(store.db, period, base_url="https://x.org", trending=2)
    assert [p.arxiv_id for p in papers.trending] == ["2603.00001", "2603.00002"]
    assert "2602.00007" not in {p.arxiv_id for p in papers.candidates}  # last month's
    lexical = store.db.backend.keyword_index(store.db, None)  # the site's, for either engine
    repo = EmbeddingRepo(store.db, embedder.name)
    matcher = PersonalMatcher(papers, repo, embedder, lexical, base_url="https://x.org")

    def ids(interests: Interests, **reader: object) -> list[str]:
        found = matcher.match(Reader(1, interests, **reader), 8)  # type: ignore[arg-type]
        return [p.arxiv_id for p in found]

    by_author = matcher.match(Reader(1, Interests(authors=("jurgen SCHMIDHUBER",))), 8)
    assert [p.arxiv_id for p in by_author] == ["2603.00005"]
    assert by_author[0].reason == "by jurgen SCHMIDHUBER"
    assert ids(Interests(categories=("cs.RO",))) == ["2603.00006"]
    assert ids(Interests(query="molecule property prediction"))[0] == "2603.00004"
    assert ids(Interests(query="retrieval augmented generation"))[0] == "2603.00005"
    # Topic within a category: the category is a filter.
    assert ids(Interests(query="retrieval augmented generation", categories=("cs.RO",))) == []
    # Nothing unrelated fills the section.
    assert ids(Interests(query="volcanic eruptions on Io")) == []
    # Trending papers are already at the top of the mail; papers already sent are skipped.
    assert "2603.00001" not in ids(Interests(query="mixture of experts"))
    seen = {store.get_paper("2603.00005").id}  # type: ignore[union-attr]
    assert "2603.00005" not in ids(Interests(query="retrieval augmented generation"), seen=seen)
    # Like my upvotes: the centroid of the upvoted papers' vectors, upvoted ones left out.
    grasp = store.get_paper("2603.00006").id  # type: ignore[union-attr]
    liked = ids(Interests(like_upvoted=True), upvoted=[grasp])
    assert grasp not in liked and "2603.00004" not in liked


def test_the_following_section_names_what_brought_each_paper(
    store: PaperStore, embedder: OnnxEmbedder
) -> None:
    from dailypapers.digest.content import load_period
    from dailypapers.digest.following import Followed, FollowingMatcher

    load_corpus(store, embedder)
    period = period_containing("weekly", WEEK_DAY, zone("UTC"))
    papers = load_period(store.db, period, base_url="https://x.org", trending=2)
    matcher = FollowingMatcher(store.db, papers, "https://x.org")
    followed = Followed(
        {"author": frozenset({"jurgen-schmidhuber"}), "category": frozenset({"cs.RO"})}
    )
    found = matcher.match(followed, set(), 8)
    assert {p.arxiv_id for p in found} == {"2603.00005", "2603.00006"}
    reasons = {p.arxiv_id: p.reason for p in found}
    assert reasons["2603.00006"] == "in cs.RO, which you follow"
    assert reasons["2603.00005"].endswith("(you follow them)")
    skip = {store.get_paper("2603.00005").id}  # type: ignore[union-attr]
    assert [p.arxiv_id for p in matcher.match(followed, skip, 8)] == ["2603.00006"]
    trending = Followed({"author": frozenset({author_key(papers.trending[0].authors[0])})})
    assert matcher.match(trending, set(), 8) == []  # already at the top of the mail


@pytest.mark.slow  # a subprocess: make test, not make check
def test_a_signed_in_readers_digest_brings_what_they_follow(
    store: PaperStore, embedder: OnnxEmbedder, smtp: SmtpSink, site_env: dict[str, str]
) -> None:
    from helpers import make_user

    load_corpus(store, embedder)
    user, _, _ = make_user(store, "fan")
    (email,) = add_subscribers(store, 1)  # no interests of their own
    with store.db.writer.begin() as conn:
        conn.execute(
            update(Subscription).where(Subscription.email == email).values(user_id=user.id)
        )
        conn.execute(
            insert(Follow).values(
                user_id=user.id, kind="category", target="cs.RO", created_at=utcnow()
            )
        )
    env = _digest_env(
        site_env, "https://papers.example.org", DAILYPAPERS_DIGEST_TRENDING_COUNT="2"
    )  # the week's other papers are left for the section
    assert "sent 1 now" in _send(env)
    plain, html = _parts(smtp.wait_for(email)[0])
    assert "FROM WHAT YOU FOLLOW" in plain and "in cs.RO, which you follow" in plain
    assert "From what you follow" in html


def test_signed_in_readers_manage_the_digest_in_settings(
    store: PaperStore, client: TestClient, smtp: SmtpSink
) -> None:
    user, _, session = make_user(store, "ada")
    client.cookies.set("dp_session", session)
    page = client.get("/settings")
    assert "E-mail digest" in page.text and "Papers like the ones I upvoted" in page.text
    saved = client.post(
        "/settings/digest",
        data={
            "frequency": "weekly",
            "query": "graph networks",
            "categories": "cs.LG",
            "like_upvoted": "true",
            "csrf_token": csrf_from(page.text),
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303
    with store.session() as s:
        row = s.scalars(select(Subscription)).one()
    assert (row.email, row.user_id, row.frequency) == ("ada@example.org", user.id, "weekly")
    assert row.confirmed_at is not None and row.like_upvoted and row.categories == ["cs.LG"]
    assert MailQueue(store.db).counts() == {}  # the account's address is already confirmed
    bad = client.post(
        "/settings/digest",
        data={"categories": "<script>", "csrf_token": csrf_from(page.text)},
    )
    assert bad.status_code == 400 and "not an arXiv category" in bad.text
    assert "<script>" not in bad.text

    # The manage link from a digest works without a session.
    services = client.app.state.services  # type: ignore[attr-defined]
    manage = services.subscriptions.manage_url(row.id).split("/subscription/")[1]
    client.cookies.clear()
    form = client.get(f"/subscription/{manage}")
    assert form.status_code == 200 and 'value="graph networks"' in form.text
    client.post(
        f"/subscription/{manage}",
        data={
            "frequency": "daily",
            "query": "",
            "authors": "Grace Hopper",
            "csrf_token": csrf_from(form.text),
        },
    )
    with store.session() as s:
        row = s.scalars(select(Subscription)).one()
    assert (row.frequency, row.query, row.authors) == ("daily", "", ["Grace Hopper"])
    assert client.get("/subscription/forged-token").status_code == 400
    assert client.post("/unsubscribe/forged-token").status_code == 400
    assert client.post("/subscribe/confirm?token=x").status_code == 405
    assert client.get("/subscribe/confirm?token=forged").status_code == 400


@pytest.mark.slow  # a subprocess or a killed process: make test, not make check
@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_dry_run_and_bad_arguments(
    store: PaperStore, embedder: OnnxEmbedder, smtp: SmtpSink, site_env: dict[str, str]
) -> None:
    load_corpus(store, embedder)
    add_subscribers(store, 3, query="tactile robot grasping")
    env = _digest_env(site_env, "https://papers.example.org")
    result = run_cli(
        "digest", "send", "--period", "weekly", "--date", "2026-03-04", "--dry-run", env=env
    )
    assert result.returncode == 0, result.stderr
    assert "3 digests to send" in result.stdout and "reader0000@example.org" in result.stdout
    assert smtp.messages == []
    with store.session() as s:
        assert s.scalar(select(func.count()).select_from(DigestOutbox)) == 0
    for args in (["--period", "monthly"], ["--period", "daily", "--date", "2026-13-01"]):
        bad = run_cli("digest", "send", *args, env=env)
        assert bad.returncode == 2 and "error" in bad.stderr
    wrong_zone = env | {"DAILYPAPERS_TIMEZONE": "Mars/Olympus"}
    bad = run_cli("digest", "send", "--period", "daily", env=wrong_zone)
    assert bad.returncode == 2 and "time zone" in bad.stderr


@pytest.mark.slow  # a subprocess or a killed process: make test, not make check
@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_sigterm_ends_a_send_after_the_current_mail(
    store: PaperStore, embedder: OnnxEmbedder, smtp: SmtpSink, site_env: dict[str, str]
) -> None:
    import subprocess
    import sys

    load_corpus(store, embedder)
    emails = add_subscribers(store, 100)
    env = _digest_env(
        site_env, "https://papers.example.org", DAILYPAPERS_DIGEST_RATE_PER_SECOND="20"
    )
    command = [sys.executable, "-m", "dailypapers", *SEND_THE_WEEK]
    sender = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True)
    out, _, seconds = terminate_while_sending(sender, smtp)
    assert sender.returncode == 0  # on its own, well inside communicate()'s guard
    print(f"digest send exited {seconds:.2f} s after SIGTERM")
    assert 5 <= len(smtp.messages) < 100 and "pending" in out
    with store.session() as s:
        held = s.scalars(select(DigestOutbox).where(DigestOutbox.claimed_until.is_not(None)))
        assert list(held) == []  # nothing left claimed: the next run needs no lease to lapse
    _send(env | {"DAILYPAPERS_DIGEST_RATE_PER_SECOND": "0"})
    received = [str(m["To"]) for m in smtp.messages]
    assert sorted(received) == sorted(emails)
