"""Operations: online verified backups of the SQLite database and their restore; readiness."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from dailypapers.records import PaperRecord
from dailypapers.store import PaperStore
from helpers import content_digest, run_cli, wait_until

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


def _papers(n: int, start: int = 0) -> list[PaperRecord]:
    return [
        PaperRecord(arxiv_id=f"2601.{i:05d}", title=f"Paper {i}", abstract="An abstract.")
        for i in range(start, start + n)
    ]


@pytest.mark.slow  # a subprocess or a killed process: make test, not make check
def test_backup_while_serving_then_restore(
    store: PaperStore, env: dict[str, str], tmp_path: Path
) -> None:
    store.upsert_papers(_papers(300))
    before = content_digest(store.db.url)
    folder = tmp_path / "backups"
    folder.mkdir()
    made = run_cli("backup", str(folder), env=env)
    assert made.returncode == 0, made.stderr
    assert "backed up 300 papers" in made.stderr and "integrity check ok" in made.stderr
    (copy,) = folder.glob("dailypapers-*.db")
    assert not list(folder.glob("*.partial"))

    store.upsert_papers(_papers(50, start=1000))  # changes after the backup
    assert content_digest(store.db.url) != before
    refused = run_cli("restore", str(copy), env=env)
    assert refused.returncode == 2 and "--yes" in refused.stderr
    restored = run_cli("restore", str(copy), "--yes", env=env)
    assert restored.returncode == 0, restored.stderr
    assert content_digest(store.db.url) == before
    assert run_cli("db", "check", env=env).returncode == 0


@pytest.mark.slow  # a subprocess or a killed process: make test, not make check
def test_bad_backups_are_refused(store: PaperStore, env: dict[str, str], tmp_path: Path) -> None:
    store.upsert_papers(_papers(3))
    target = tmp_path / "copy.db"
    assert run_cli("backup", str(target), env=env).returncode == 0
    again = run_cli("backup", str(target), env=env)
    assert again.returncode == 2 and "already exists" in again.stderr
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all" * 100)
    bad = run_cli("restore", str(junk), "--yes", env=env)
    assert bad.returncode == 2 and "not a dailypapers database" in bad.stderr
    assert content_digest(store.db.url)[0] == 3  # the live database is untouched
    postgres = run_cli(
        "backup",
        str(tmp_path / "x.db"),
        env=env | {"DAILYPAPERS_DATABASE_URL": "postgresql+psycopg://u@127.0.0.1:1/db"},
    )
    assert postgres.returncode == 2 and "pg_dump" in postgres.stderr


def test_ready_only_when_the_schema_is_current(
    store: PaperStore, site_settings: Any, tmp_path: Path
) -> None:
    from fastapi.testclient import TestClient

    from dailypapers.db import upgrade
    from dailypapers.store import open_store
    from dailypapers.web.app import create_app

    with TestClient(create_app(site_settings, store)) as client:
        assert client.get("/healthz").text == "ok"
        assert client.get("/readyz").json()["ready"] is True
    old = open_store(f"sqlite:///{tmp_path / 'old.db'}")
    upgrade(old.db, "0003")
    with TestClient(create_app(site_settings, old)) as client:
        answer = client.get("/readyz")
        assert answer.status_code == 503 and answer.json() == {
            "ready": False,
            "error": "schema at 0003",
        }
        old.db.dispose()
        (tmp_path / "old.db").unlink()
        (tmp_path / "old.db").mkdir()  # the file is gone and cannot come back
        assert client.get("/readyz").status_code == 503
        assert client.get("/healthz").status_code == 200  # alive, just not ready


@pytest.mark.slow  # a subprocess or a killed process: make test, not make check
def test_sigterm_lets_in_flight_requests_finish(
    store: PaperStore, site_env: dict[str, str], tmp_path: Path
) -> None:
    import signal
    import subprocess
    import sys
    import time
    from concurrent.futures import ThreadPoolExecutor

    import httpx

    from servers import free_port, wait_ready

    store.upsert_papers(_papers(30))
    port = free_port()
    env = site_env | {"DAILYPAPERS_EMBED_IN_BACKGROUND": "false"}
    app = subprocess.Popen(
        [sys.executable, "-m", "dailypapers", "serve", "--port", str(port)],
        env=env,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_ready(base, app)

        def fetch(n: int) -> int:
            # Uncached similar papers make each of these take a while.
            return httpx.get(f"{base}/papers/2601.{n:05d}", timeout=30).status_code

        with ThreadPoolExecutor(8) as pool:
            pending = [pool.submit(fetch, n) for n in range(30)]
            # The first answers are out: the server is busy with the rest.
            wait_until(lambda: any(f.done() for f in pending), timeout=30, what="answers")
            stopped = time.monotonic()
            app.send_signal(signal.SIGTERM)
            answers = [f.result() for f in pending if not f.exception()]
        exit_code = app.wait(timeout=20)
        print(f"exited {time.monotonic() - stopped:.2f} s after SIGTERM; {len(answers)} answered")
    finally:
        if app.poll() is None:
            app.kill()
    # uvicorn re-raises SIGTERM once it is done, so managers see a clean signal exit.
    assert exit_code in (0, -signal.SIGTERM)
    # Every request that reached the server before SIGTERM was answered in full; later ones
    # were refused at the door (connection error), never cut off half-way.
    assert answers and set(answers) == {200}
