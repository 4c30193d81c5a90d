"""The command line as cron and scripts see it: help everywhere and honest exit codes."""

from __future__ import annotations

import pytest

from dailypapers.store import open_store
from helpers import run_cli

COMMANDS = [
    [],
    ["serve"],
    ["db"],
    ["db", "upgrade"],
    ["db", "check"],
    ["import"],
    ["ingest"],
    ["ingest", "arxiv"],
    ["user"],
    ["user", "create"],
    ["demo"],
    ["demo", "load"],
]


@pytest.mark.slow  # a subprocess or a killed process: make test, not make check
@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "root")
@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_help_everywhere(command: list[str], env: dict[str, str]) -> None:
    result = run_cli(*command, "--help", env=env)
    assert result.returncode == 0, result.stderr
    assert "Usage" in result.stdout


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize(
    "args",
    [
        ["no-such-command"],
        ["serve", "--port", "not-a-port"],
        ["ingest", "arxiv"],  # no mode chosen
        ["ingest", "arxiv", "--id", "1", "--set", "cs"],  # two modes
        ["ingest", "arxiv", "--set", "cs"],  # no --from
        ["ingest", "arxiv", "--set", "cs", "--from", "yesterday"],
        ["ingest", "arxiv", "--set", "cs", "--from", "2026-11-01", "--prefix", "oai_dc"],
        ["user", "create", "not-an-email"],
    ],
)
@pytest.mark.slow  # a subprocess or a killed process: make test, not make check
def test_bad_usage_exits_2(args: list[str], env: dict[str, str]) -> None:
    result = run_cli(*args, env=env)
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr


def test_bad_configuration_exits_2(env: dict[str, str]) -> None:
    result = run_cli("db", "upgrade", env=env | {"DAILYPAPERS_ARXIV_DELAY_SECONDS": "-1"})
    assert result.returncode == 2
    assert "invalid configuration" in result.stderr


@pytest.mark.slow  # a subprocess or a killed process: make test, not make check
def test_user_create_admin_with_password(env: dict[str, str], db_url: str) -> None:
    result = run_cli(
        "user",
        "create",
        "Mod@Example.org",
        "--admin",
        "--password-stdin",
        env=env,
        input="correct horse battery\n",
    )
    assert result.returncode == 0, result.stderr
    assert "created admin user-mod <mod@example.org>" in result.stderr  # 'mod' is reserved
    duplicate = run_cli("user", "create", "mod@example.org", env=env)
    assert duplicate.returncode == 2 and "already exists" in duplicate.stderr
    short = run_cli("user", "create", "x@example.org", "--password-stdin", env=env, input="short\n")
    assert short.returncode == 2
    store = open_store(db_url)
    user = store.get_user_by_email("mod@example.org")
    assert user is not None and user.is_admin and user.password_hash
    assert user.password_hash.startswith("$argon2id$")
    store.close()


@pytest.mark.slow  # a subprocess or a killed process: make test, not make check
def test_demo_load_only_when_empty(env: dict[str, str], db_url: str) -> None:
    result = run_cli("demo", "load", "--if-empty", "-q", env=env)
    assert result.returncode == 0, result.stderr
    store = open_store(db_url)
    papers, daily = store.count_papers(), store.count_daily_entries()
    store.close()
    assert papers > 3000 and daily == 783
    again = run_cli("demo", "load", "--if-empty", env=env)
    assert again.returncode == 0 and "already has papers" in again.stderr
    check = run_cli("db", "check", env=env)
    assert check.returncode == 0 and "integrity check: ok" in check.stderr
