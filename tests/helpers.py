"""Helpers shared by the tests (imported as `helpers`; pytest puts tests/ on sys.path)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import pytest
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = ROOT.parent / "shared" / "data"
FIXTURES = Path(__file__).parent / "fixtures"
T = TypeVar("T")
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def skip_or_fail(reason: str) -> None:
    """Skip locally; in CI a missing service is a failure, never a silent skip."""
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: everything must run for real)")
    pytest.skip(reason)


def pg_url(server: Any, database: str) -> str:
    uri = str(server.get_uri(database))  # postgresql://postgres:@/db?host=/tmp/…
    return uri.replace("postgresql://", "postgresql+psycopg://", 1)


def new_database_url(kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    """A fresh, empty database of ``kind`` ('sqlite' or 'postgresql')."""
    if kind == "sqlite":
        return f"sqlite:///{tmp_path / 'test.db'}"
    server = request.getfixturevalue("pg_server")
    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(pg_url(server, "postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return pg_url(server, name)


def run_cli(
    *args: str, env: dict[str, str], input: str | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """Run `dailypapers ARGS…` in a real subprocess, as cron would."""
    return subprocess.run(
        [sys.executable, "-m", "dailypapers", *args],
        env=env,
        input=input,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def oai_page(page: int, *, pages: int, per_page: int) -> bytes:
    """A generated OAI-PMH ListRecords page (arXiv format) for long harvest tests."""
    records = []
    for n in range(page * per_page, (page + 1) * per_page):
        records.append(
            f"<record><header><identifier>oai:arXiv.org:2611.{n + 1:05d}</identifier>"
            f"<datestamp>2026-11-03</datestamp><setSpec>cs</setSpec></header><metadata>"
            f'<arXiv xmlns="http://arxiv.org/OAI/arXiv/"><id>2611.{n + 1:05d}</id>'
            f"<created>2026-11-01</created><authors><author><keyname>Author{n}</keyname>"
            f"<forenames>Some</forenames></author></authors><title>Generated paper {n}"
            f"</title><categories>cs.LG</categories><abstract>  Abstract number {n}.\n"
            f"</abstract></arXiv></metadata></record>"
        )
    token = f"tok|{page + 1}" if page + 1 < pages else ""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/">'
        "<responseDate>2026-11-25T12:00:00Z</responseDate><request>x</request><ListRecords>"
        + "".join(records)
        + f'<resumptionToken cursor="{page * per_page}" completeListSize="{pages * per_page}">'
        f"{token}</resumptionToken></ListRecords></OAI-PMH>"
    ).encode()


def engine_of(url: str) -> str:
    """'sqlite' or 'postgresql' for a database URL."""
    return "postgresql" if url.startswith("postgresql") else "sqlite"


CONTENT_COLUMNS = (
    "arxiv_id, version, title, abstract, authors, categories, primary_category, "
    "published, updated, comments, journal_ref, doi, license, withdrawn, "
    "github_url, project_url, imported_upvotes, upvotes"
)


def content_digest(url: str) -> tuple[int, str]:
    """(row count, SHA-256 of every paper's content in id order), timestamps left out."""
    import hashlib

    from dailypapers.store import open_store

    store = open_store(url)
    digest = hashlib.sha256()
    count = 0
    with store.db.reader.connect() as conn:
        result = conn.execution_options(yield_per=5000).execute(
            text(f"SELECT {CONTENT_COLUMNS} FROM papers ORDER BY arxiv_id")
        )
        for row in result:
            digest.update(repr(tuple(row)).encode())
            count += 1
        daily = conn.execute(
            text(
                "SELECT p.arxiv_id, d.day FROM daily_entries d JOIN papers p ON p.id = d.paper_id "
                "ORDER BY p.arxiv_id"
            )
        ).all()
    digest.update(repr(daily).encode())
    store.close()
    return count, digest.hexdigest()


def csrf_from(html: str) -> str:
    """The CSRF token of the first form in a page."""
    import re

    match = re.search(r'name="csrf_token" value="([0-9a-f]+)"', html)
    assert match, "no CSRF token in the page"
    return match.group(1)


def sign_up_and_verify(
    client: Any, smtp: Any, email: str, username: str, password: str = "correct horse battery"
) -> None:
    """Sign up through the form and follow the confirmation link from the real mail."""
    from servers import link_in

    page = client.get("/signup")
    response = client.post(
        "/signup",
        data={
            "email": email,
            "username": username,
            "password": password,
            "csrf_token": csrf_from(page.text),
        },
    )
    assert response.status_code == 200, response.text
    link = link_in(smtp.wait_for(email)[-1], "/verify")
    confirmed = client.get(
        link.split("127.0.0.1:8000", 1)[-1] if "127.0.0.1:8000" in link else link
    )
    assert confirmed.status_code == 200 and "Address confirmed" in confirmed.text


def log_in(client: Any, email: str, password: str = "correct horse battery") -> Any:
    page = client.get("/login")
    return client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": csrf_from(page.text)},
        follow_redirects=False,
    )


def make_user(store: Any, username: str, *, admin: bool = False) -> tuple[Any, str, str]:
    """A verified user straight in the database: (user, API token, session cookie value)."""
    from datetime import timedelta

    from dailypapers.accounts.repo import AccountRepo
    from dailypapers.models import utcnow

    repo = AccountRepo(store.db)
    user = repo.create_user(
        email=f"{username}@example.org", username=username, password_hash="not-a-real-hash"
    )
    repo.update_user(user.id, email_verified_at=utcnow(), is_admin=admin)
    user.is_admin = admin
    return (
        user,
        repo.create_api_token(user.id, "tests"),
        repo.create_session(user.id, timedelta(days=1)),
    )


def browser(client: Any, session: str) -> Any:
    """A second client on the same app, signed in with ``session``, holding a CSRF cookie."""
    from fastapi.testclient import TestClient

    signed_in = TestClient(client.app, cookies={"dp_session": session})
    signed_in.get("/")  # picks up a CSRF cookie
    return signed_in


def load_script(name: str) -> Any:
    """A module of scripts/ (they are not a package), e.g. ``load_script("settings_table")``."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def wait_until(
    condition: Callable[[], T | None], *, timeout: float, what: str, interval: float = 0.05
) -> T:
    """Poll ``condition`` until it is truthy (and return it); fail after ``timeout`` s.
    Tests wait on what they need, never for a fixed time."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout} s: {what}")
        time.sleep(interval)
