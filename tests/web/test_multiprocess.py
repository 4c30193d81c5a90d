"""Scale-out: two app processes and a worker against one PostgreSQL, driven through both.

Nothing a request needs may live in one process: a session, a CSRF token, a rate-limit
count or a vector made on one side must work on the other.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from sqlalchemy import func, select

from dailypapers.models import PaperEmbedding
from dailypapers.records import PaperRecord
from dailypapers.store import PaperStore
from helpers import csrf_from, make_user, wait_until
from servers import SmtpSink, free_port, link_in, wait_ready

pytestmark = pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)


@pytest.fixture
def cluster(store: PaperStore, site_env: dict[str, str]) -> Iterator[tuple[str, str]]:
    ports = [free_port(), free_port()]
    env = site_env | {
        "DAILYPAPERS_BASE_URL": f"http://127.0.0.1:{ports[0]}",
        "DAILYPAPERS_EMBED_IN_BACKGROUND": "false",  # the worker embeds
        "DAILYPAPERS_SCHEDULE_EMBED": "* * * * *",
        "DAILYPAPERS_SCHEDULE_DAILY_DIGEST": "",
        "DAILYPAPERS_SCHEDULE_WEEKLY_DIGEST": "",
    }
    store.upsert_papers(
        [
            PaperRecord(
                arxiv_id=f"2601.{n:05d}",
                title=f"Graph networks, part {n}",
                abstract="Message passing on molecules.",
            )
            for n in range(1, 6)
        ]
    )
    python = [sys.executable, "-m", "dailypapers"]
    processes = [
        subprocess.Popen(
            [*python, "serve", "--port", str(port)],
            env=env,
            text=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        for port in ports
    ]
    processes.append(
        subprocess.Popen(
            [*python, "worker"],
            env=env,
            text=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
    )
    try:
        urls = [f"http://127.0.0.1:{port}" for port in ports]
        for url, process in zip(urls, processes, strict=False):
            wait_ready(url, process)
        yield urls[0], urls[1]
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=20)


def test_sessions_csrf_limits_votes_and_vectors_work_across_processes(
    cluster: tuple[str, str], store: PaperStore, smtp: SmtpSink
) -> None:
    a, b = cluster
    # Sign up on A, confirm through B, log in on A, carry on with the same cookies on B.
    browser = httpx.Client(follow_redirects=False)
    page = browser.get(f"{a}/signup")
    account = {"email": "ada@example.org", "password": "correct horse battery"}
    browser.post(
        f"{a}/signup", data=account | {"username": "ada", "csrf_token": csrf_from(page.text)}
    )
    confirm = link_in(smtp.wait_for("ada@example.org")[0], "/verify").replace(a, b)
    assert "Address confirmed" in browser.get(confirm, follow_redirects=True).text
    page = browser.get(f"{a}/login")
    login = browser.post(f"{a}/login", data=account | {"csrf_token": csrf_from(page.text)})
    assert login.status_code == 303
    settings = browser.get(f"{b}/settings")
    assert settings.status_code == 200 and "ada@example.org" in settings.text
    token_from_a = csrf_from(browser.get(f"{a}/papers/2601.00001").text)
    vote = browser.post(f"{b}/papers/2601.00001/upvote", data={"csrf_token": token_from_a})
    assert vote.status_code == 303

    # 30 voters, alternating between the two processes: the count is exact.
    voters = [make_user(store, f"voter{n}")[2] for n in range(30)]

    def cast(n: int) -> int:
        server = (a, b)[n % 2]
        with httpx.Client(cookies={"dp_session": voters[n]}) as http:
            token = csrf_from(http.get(f"{server}/papers/2601.00002").text)
            return http.post(
                f"{server}/papers/2601.00002/upvote", data={"csrf_token": token}
            ).status_code

    with ThreadPoolExecutor(8) as pool:
        assert set(pool.map(cast, range(30))) == {303}
    assert store.get_paper("2601.00002").upvotes == 30  # type: ignore[union-attr]

    # One log-in limit for the account and address, whichever process counts the attempts.
    statuses = []
    for n in range(12):
        server = (a, b)[n % 2]
        with httpx.Client() as http:
            token = csrf_from(http.get(f"{server}/login").text)
            wrong = account | {"password": "wrong password!", "csrf_token": token}
            statuses.append(http.post(f"{server}/login", data=wrong).status_code)
    # 10 failed attempts per account and address per 15 min (the successful log-in above
    # does not count), counted in the database that both processes share.
    assert statuses == [400] * 10 + [429] * 2

    # The worker embedded the papers; both processes search with them.
    def embedded() -> bool:
        with store.session() as s:
            return s.scalar(select(func.count()).select_from(PaperEmbedding)) == 5

    wait_until(embedded, timeout=60, what="the worker embeds the papers")
    for server in (a, b):
        similar = httpx.get(f"{server}/api/papers/2601.00001/similar?limit=3").json()
        assert len(similar) == 3
