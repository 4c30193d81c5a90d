"""Helpers shared by the tests (imported as `helpers`; pytest puts tests/ on sys.path)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = ROOT.parent / "shared" / "data"
FIXTURES = Path(__file__).parent / "fixtures"
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def skip_or_fail(reason: str) -> None:
    """Skip locally; in CI a missing service is a failure, never a silent skip."""
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: everything must run for real)")
    pytest.skip(reason)


def run_cli(*args: str, env: dict[str, str], input: str | None = None,
            timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run `dailypapers ARGS…` in a real subprocess, as cron would."""
    return subprocess.run(
        [sys.executable, "-m", "dailypapers", *args], env=env, input=input,
        capture_output=True, text=True, timeout=timeout, check=False,
    )
