"""The 74k-paper corpus on both engines: full import, idempotent re-import, kill -9 resume.

Marked slow (about a minute per engine); CI runs it. Skipped when ../shared/data is absent
locally; with CI=true its absence is a failure.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dailypapers.store import open_store
from helpers import SHARED_DATA, content_digest, engine_of, new_database_url, run_cli, skip_or_fail

CORPUS = SHARED_DATA / "arxiv-74k" / "papers.jsonl.gz"
CORPUS_SIZE = 74_728

pytestmark = pytest.mark.slow


@pytest.fixture
def corpus() -> Path:
    if not CORPUS.exists():
        skip_or_fail(f"{CORPUS} is not here")
    return CORPUS


def test_full_import_reimport_and_kill_9(
    corpus: Path, env: dict[str, str], db_url: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    first = run_cli("import", str(corpus), "--quiet", env=env, timeout=600)
    assert first.returncode == 0, first.stderr
    assert f"│ inserted            │ {CORPUS_SIZE:,}" in first.stderr
    second = run_cli("import", str(corpus), "--quiet", env=env, timeout=600)
    assert second.returncode == 0, second.stderr
    assert "│ inserted            │ 0 " in second.stderr
    assert "│ updated             │ 0 " in second.stderr
    assert f"│ unchanged           │ {CORPUS_SIZE:,}" in second.stderr
    clean = content_digest(db_url)
    assert clean[0] == CORPUS_SIZE

    crash_dir = tmp_path / "crash"
    crash_dir.mkdir()
    crash_url = new_database_url(engine_of(db_url), crash_dir, request)
    crash_env = env | {"DAILYPAPERS_DATABASE_URL": crash_url}
    kill_mid_import(corpus, crash_env, crash_url)
    rerun = run_cli("import", str(corpus), "--quiet", env=crash_env, timeout=600)
    assert rerun.returncode == 0, rerun.stderr
    assert content_digest(crash_url) == clean
    store = open_store(crash_url)
    assert store.integrity_check() == []
    store.close()


def kill_mid_import(corpus: Path, env: dict[str, str], url: str) -> None:
    assert run_cli("db", "upgrade", env=env).returncode == 0
    store = open_store(url)
    proc = subprocess.Popen(
        [sys.executable, "-m", "dailypapers", "import", str(corpus), "-q"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 300
        while store.count_papers() < CORPUS_SIZE // 3:
            assert proc.poll() is None, "the import finished before it could be killed"
            assert time.monotonic() < deadline
            time.sleep(0.05)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        assert 0 < store.count_papers() < CORPUS_SIZE
    finally:
        if proc.poll() is None:
            proc.kill()
        store.close()
