"""Print the README's settings table from dailypapers.settings.Settings.

Usage: python scripts/settings_table.py  (paste the output under the settings-table marker)
"""

from __future__ import annotations

from dailypapers.settings import Settings

DEFAULT_TEXT = {
    "data_dir": "per-user data dir",
    "database_url": "SQLite in the data dir",
    "secret_key": "generated, in the data dir",
}


def main() -> None:
    print("| variable | default | meaning |")
    print("|---|---|---|")
    for name, field in Settings.model_fields.items():
        default = DEFAULT_TEXT.get(name)
        if default is None:
            default = "unset" if field.default is None else f"`{field.default}`"
        print(f"| `DAILYPAPERS_{name.upper()}` | {default} | {field.description or ''} |")


if __name__ == "__main__":
    main()
