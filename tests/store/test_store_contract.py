"""The storage contract, run against SQLite and PostgreSQL alike."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from dailypapers.accounts.repo import AccountExists, AccountRepo
from dailypapers.db import include_object
from dailypapers.models import Base
from dailypapers.records import PaperRecord
from dailypapers.store import FeedQuery, FeedRepo, PaperStore


def record(arxiv_id: str = "2401.01234", **fields: object) -> PaperRecord:
    values: dict[str, object] = {
        "title": "Attention Is Still All You Need",
        "abstract": "We revisit $\\alpha$-attention.",
        "authors": ["Ada Lovelace", "Alan Turing"],
        "categories": ["cs.CL", "cs.LG"],
        "published": datetime(2024, 1, 2, 18, 0),
    }
    values.update(fields)
    return PaperRecord(arxiv_id=arxiv_id, **values)  # type: ignore[arg-type]


def test_migrations_match_the_models(store: PaperStore) -> None:
    with store.db.reader.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"include_object": include_object, "compare_type": True}
        )
        diff = compare_metadata(context, Base.metadata)
    assert diff == []


def test_insert_then_same_record_is_unchanged(store: PaperStore) -> None:
    first = store.upsert_papers([record()])
    assert (first.inserted, first.updated, first.unchanged) == (1, 0, 0)
    again = store.upsert_papers([record()])
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 1)
    paper = store.get_paper("2401.01234")
    assert paper is not None
    assert paper.authors == ["Ada Lovelace", "Alan Turing"]
    assert paper.categories == ["cs.CL", "cs.LG"]
    assert paper.primary_category == "cs.CL"
    assert paper.published == datetime(2024, 1, 2, 18, 0)
    assert paper.abs_url == "https://arxiv.org/abs/2401.01234"
    assert paper.pdf_url == "https://arxiv.org/pdf/2401.01234"
    assert first.paper_ids["2401.01234"] == paper.id == again.paper_ids["2401.01234"]


def test_newer_version_updates_and_keeps_community_data(store: PaperStore) -> None:
    store.upsert_papers(
        [
            record(
                version=1,
                github_url="https://github.com/a/b",
                upvotes=7,
                daily_day=date(2024, 1, 3),
            )
        ]
    )
    result = store.upsert_papers([record(version=2, title="Attention v2", comments="10 pages")])
    assert (result.updated, result.daily_added) == (1, 0)
    paper = store.get_paper("2401.01234")
    assert paper is not None
    assert (paper.version, paper.title, paper.comments) == (2, "Attention v2", "10 pages")
    assert paper.github_url == "https://github.com/a/b"  # not in the newer record: kept
    assert paper.upvotes == 7
    assert store.count_daily_entries() == 1


def test_older_version_changes_nothing(store: PaperStore) -> None:
    store.upsert_papers([record(version=3, title="Third")])
    result = store.upsert_papers([record(version=2, title="Second")])
    assert result.unchanged == 1
    paper = store.get_paper("2401.01234")
    assert paper is not None and (paper.version, paper.title) == (3, "Third")


def test_imported_upvotes_move_the_total_by_the_difference(store: PaperStore) -> None:
    store.upsert_papers([record(upvotes=10)])
    with store.write() as conn:  # community votes arrive on top of the imported count
        conn.exec_driver_sql("UPDATE papers SET upvotes = upvotes + 3")
    store.upsert_papers([record(upvotes=12)])
    paper = store.get_paper("2401.01234")
    assert paper is not None and (paper.imported_upvotes, paper.upvotes) == (12, 15)


def test_last_record_of_a_paper_in_one_batch_wins(store: PaperStore) -> None:
    result = store.upsert_papers([record(title="First"), record(title="Second")])
    assert result.inserted == 1
    paper = store.get_paper("2401.01234")
    assert paper is not None and paper.title == "Second"


def test_daily_entries_are_added_once(store: PaperStore) -> None:
    day = date(2026, 2, 3)
    result = store.upsert_papers(
        [record(daily_day=day), record("2401.01235", daily_day=day, upvotes=5)]
    )
    assert result.daily_added == 2
    again = store.upsert_papers([record(daily_day=date(2026, 2, 4))])
    assert again.daily_added == 0
    feeds = FeedRepo(store.db)
    assert feeds.latest_day() == day
    items = feeds.items(FeedQuery(day, day))
    assert [i.paper.arxiv_id for i in items] == ["2401.01235", "2401.01234"]  # by upvotes


def test_iter_papers_visits_every_paper_once(store: PaperStore) -> None:
    store.upsert_papers([record(f"2401.{n:05d}") for n in range(1, 2501)])
    seen = [p.arxiv_id for p in store.iter_papers(batch_size=1000)]
    assert len(seen) == len(set(seen)) == 2500 == store.count_papers()


def test_text_with_nul_and_hostile_markup_is_stored_verbatim(store: PaperStore) -> None:
    title = "<script>alert('x')</script> & <img src=x onerror=alert(1)>"
    store.upsert_papers([record(title=title, abstract="$\\frac{a}{b")])
    paper = store.get_paper("2401.01234")
    assert paper is not None and paper.title == title and paper.abstract == "$\\frac{a}{b"


def test_users_are_unique_by_email_and_case_insensitive_username(store: PaperStore) -> None:
    repo = AccountRepo(store.db)
    user = repo.create_user(
        email="ada@example.org", username="Ada", password_hash=None, is_admin=True, verified=True
    )
    assert user.is_admin and user.email_verified_at
    with pytest.raises(AccountExists):
        repo.create_user(email="ada@example.org", username="other", password_hash=None)
    found = store.get_user_by_email("ada@EXAMPLE.org")
    assert found is not None and found.id == user.id
    assert repo.username_taken("ADA") and not repo.username_taken("bob")


def test_harvest_pages_and_token_are_saved_together(store: PaperStore) -> None:
    store.save_harvest_page("k", [record()], resumption_token="tok1", complete_list_size=3)
    state = store.harvest_state("k")
    assert state is not None
    assert (state.resumption_token, state.pages, state.records) == ("tok1", 1, 1)
    assert state.completed_at is None
    store.save_harvest_page(
        "k", [record("2401.01235")], resumption_token=None, complete_list_size=None
    )
    state = store.harvest_state("k")
    assert state is not None and state.completed_at is not None
    assert (state.pages, state.records, state.complete_list_size) == (2, 2, 3)


def test_a_failed_harvest_page_writes_nothing(store: PaperStore) -> None:
    bad = record("2401.01235", title=None)  # violates NOT NULL in the middle of the page
    with pytest.raises(Exception):  # noqa: B017 - the engine's own integrity error
        store.save_harvest_page("k", [record(), bad], resumption_token="t", complete_list_size=None)
    assert store.count_papers() == 0
    assert store.harvest_state("k") is None


def test_integrity_check_is_clean(store: PaperStore) -> None:
    store.upsert_papers([record(daily_day=date(2026, 2, 3))])
    assert store.integrity_check() == []
