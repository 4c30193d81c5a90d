"""Settings: docs/configuration.md is generated from them and kept in step, and parsing is
strict."""

from __future__ import annotations

from pathlib import Path

import pytest

from dailypapers.settings import Settings
from helpers import ROOT, load_script


def test_the_configuration_page_is_the_generated_table() -> None:
    """Run `python scripts/settings_table.py --write` after changing a setting."""
    table = load_script("settings_table")
    assert table.documented(table.DOC.read_text()) == table.table()
    for name in Settings.model_fields:
        assert f"`DAILYPAPERS_{name.upper()}`" in table.table()


def test_defaults_put_sqlite_in_the_data_dir(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("DAILYPAPERS_DATABASE_URL", raising=False)
    monkeypatch.setenv("DAILYPAPERS_DATA_DIR", str(tmp_path))
    settings = Settings()
    assert settings.resolved_database_url == f"sqlite:///{tmp_path / 'dailypapers.db'}"
    assert settings.arxiv_delay_seconds == 3.0


def test_invalid_values_are_rejected(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DAILYPAPERS_ARXIV_MAX_ATTEMPTS", "0")
    with pytest.raises(ValueError, match="arxiv_max_attempts"):
        Settings()


def test_the_deployment_example_only_uses_real_settings() -> None:
    """A typo in the example env file would silently do nothing in production."""
    import re

    from dailypapers.settings import Settings

    known = {f"DAILYPAPERS_{name.upper()}" for name in Settings.model_fields}
    text = (ROOT / "deploy" / "dailypapers.env").read_text()
    used = set(re.findall(r"^#?\s*(DAILYPAPERS_[A-Z_]+)=", text, flags=re.MULTILINE))
    assert used and used <= known, used - known
    for unit in ("dailypapers-web.service", "dailypapers-worker.service"):
        assert "EnvironmentFile=/etc/dailypapers/env" in (ROOT / "deploy" / unit).read_text()


def test_an_optional_config_file_under_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    config = tmp_path / "env"
    config.write_text("DAILYPAPERS_SITE_NAME=From the file\nDAILYPAPERS_SESSION_DAYS=7\n")
    monkeypatch.setenv("DAILYPAPERS_CONFIG", str(config))
    monkeypatch.setenv("DAILYPAPERS_SESSION_DAYS", "9")  # the environment wins
    settings = Settings.load()
    assert (settings.site_name, settings.session_days) == ("From the file", 9)
    monkeypatch.setenv("DAILYPAPERS_CONFIG", str(tmp_path / "missing"))
    with pytest.raises(ValueError, match="no such file"):
        Settings.load()
