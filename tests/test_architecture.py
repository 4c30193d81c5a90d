"""The map matches the territory: docs/architecture.md names every package and top-level
module (and only those), and what issue 17 made one-of-a-kind stays so."""

from __future__ import annotations

import re
from pathlib import Path

from helpers import ROOT, load_script

PACKAGE = ROOT / "src" / "dailypapers"
EXEMPT = {"__init__.py", "__main__.py"}


def documented_tree() -> set[str]:
    text = (ROOT / "docs" / "architecture.md").read_text()
    block = text.split("```text\nsrc/dailypapers/\n", 1)[1].split("```", 1)[0]
    return {m.group(1) for m in re.finditer(r"^  (\S+)", block, re.MULTILINE)}


def actual_tree() -> set[str]:
    packages = {f"{p.parent.name}/" for p in PACKAGE.glob("*/__init__.py")}
    modules = {p.name for p in PACKAGE.glob("*.py") if p.name not in EXEMPT}
    return packages | modules


def test_the_architecture_page_names_every_package_and_module() -> None:
    documented, actual = documented_tree(), actual_tree()
    assert sorted(documented - actual) == [], "documented but not in the tree"
    assert sorted(actual - documented) == [], "in the tree but not documented"


def test_nothing_outside_the_backends_knows_the_engine() -> None:
    report = load_script("architecture_report").report()
    assert report["dialect checks outside backend modules"] == []
    engines = sorted(line.split(":")[0] for line in report["keyword engines"])
    assert engines == ["PostgreSQL tsvector", "tantivy"]  # one per backend
    assert report[".repo. calls in web"] == []
    assert len(report["Period classes"]) == 1
    assert len(report["places that create users"]) == 1
    assert report["places that run the indexing steps"] == ["search/pipeline.py"]
    assert report["modules that rank trending papers"] == ["trending.py"]


def test_views_never_choose_a_status_from_an_exception_message() -> None:
    for path in (PACKAGE / "web").rglob("*.py"):
        assert not re.search(r"in str\(exc\)", path.read_text()), path


def test_test_folders_mirror_the_package() -> None:
    folders = {p.name for p in (ROOT / "tests").iterdir() if p.is_dir()} - {
        "fixtures",
        "__pycache__",
    }
    packages = {p.parent.name for p in PACKAGE.glob("*/__init__.py")}
    assert sorted(folders - packages) == []
    assert Path(ROOT / "tests" / "conftest.py").is_file()


def test_pages_and_services_queue_mail_and_never_send_it() -> None:
    """Only the couriers talk to the mail server (mail/courier.py, digest/sender.py)."""
    queueing = [*(PACKAGE / "web").rglob("*.py"), *(PACKAGE / "accounts").rglob("*.py")]
    queueing += [*(PACKAGE / "community").rglob("*.py"), PACKAGE / "digest" / "subscriptions.py"]
    for path in queueing:
        text = path.read_text()
        assert "send_notice" not in text and "mail.transport" not in text, path
    senders = {
        p.relative_to(PACKAGE).as_posix()
        for p in PACKAGE.rglob("*.py")
        if "judge(attempt(" in p.read_text()
    }
    assert senders == {"mail/courier.py", "digest/sender.py"}
