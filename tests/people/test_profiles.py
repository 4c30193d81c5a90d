"""Profiles: checked fields, privacy per section, hostile text shown as text, avatars."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from dailypapers.community.repo import CommunityRepo
from dailypapers.people.avatars import initials
from dailypapers.people.profiles import ProfileError, check_profile
from dailypapers.records import PaperRecord
from dailypapers.store import PaperStore
from helpers import browser, csrf_from, make_user

HOSTILE_NAME = '<img src=x onerror="alert(1)">Ada'
HOSTILE_BIO = "I study <script>alert('bio')</script> graphs.\nSecond line."


def test_profile_fields_are_checked_and_normalised() -> None:
    profile = check_profile(
        display_name="  Ada   Lovelace ",
        bio="  Analytical\n\n engines.  ",
        website="https://ada.example.org/about",
        github="https://github.com/ada-l/",
        orcid="https://orcid.org/0000-0002-1825-0097",
        scholar="https://scholar.google.com/citations?user=qc6CJjYAAAAJ&hl=en",
    )
    assert (profile.display_name, profile.bio) == ("Ada Lovelace", "Analytical\nengines.")
    assert (profile.github_username, profile.orcid) == ("ada-l", "0000-0002-1825-0097")
    assert profile.scholar_id == "qc6CJjYAAAAJ" and profile.show_upvotes is False
    assert check_profile(orcid="000000021694233X").orcid == "0000-0002-1694-233X"
    assert check_profile().display_name is None


@pytest.mark.parametrize(
    ("field", "value", "named"),
    [
        ("website", "javascript:alert(1)//x.org", "Website"),
        ("website", "https://user:pw@example.org", "Website"),
        ("website", "https://example.org/a b", "Website"),
        ("github", "-starts-with-hyphen", "GitHub"),
        ("github", "two--hyphens", "GitHub"),
        ("orcid", "0000-0002-1825-0098", "ORCID"),  # a wrong check digit
        ("scholar", "not an id", "Google Scholar"),
        ("display_name", "x" * 101, "Display name"),
        ("bio", "x" * 501, "Bio"),
    ],
)
def test_bad_profile_fields_are_refused_by_name(field: str, value: str, named: str) -> None:
    with pytest.raises(ProfileError, match=named):
        check_profile(**{field: value})  # type: ignore[arg-type]


def test_initials_keep_letters_and_digits_only() -> None:
    assert initials("Ada Lovelace") == "AL"
    assert initials("grace") == "G"
    assert initials(HOSTILE_NAME) == "IO"  # "<img" → I, "onerror=…>Ada" → O: no markup
    assert initials("<> !!") == "?"


def save_profile(client: TestClient, **fields: str) -> int:
    page = client.get("/settings")
    form = {"csrf_token": csrf_from(page.text), **fields}
    return client.post("/settings/profile", data=form, follow_redirects=False).status_code


def test_sections_follow_each_users_choice_and_text_stays_text(
    client: TestClient, store: PaperStore
) -> None:
    ada, _, session = make_user(store, "ada")
    store.upsert_papers([PaperRecord(arxiv_id="2601.00001", title="Graph engines")])
    paper = store.get_paper("2601.00001")
    assert paper is not None
    community = CommunityRepo(store.db)
    community.upvote(ada.id, paper.id)
    community.add_comment(
        paper_id=paper.id, user_id=ada.id, body="Nice <b>work</b>", body_html="", parent_id=None
    )
    mine = browser(client, session)
    status = save_profile(
        mine,
        display_name=HOSTILE_NAME,
        bio=HOSTILE_BIO,
        github="ada-l",
        show_submissions="true",
        show_comments="true",
    )
    assert status == 303
    anonymous = TestClient(client.app)
    public = anonymous.get("/users/ada").text
    assert "<script>alert" not in public and "&lt;script&gt;" in public
    assert "<img src=x onerror" not in public and "&lt;img src=x" in public
    assert 'href="https://github.com/ada-l"' in public
    assert "Nice &lt;b&gt;work&lt;/b&gt;" in public and "Upvoted papers" not in public
    thread = anonymous.get("/papers/2601.00001").text  # comments show the avatar and name
    assert 'src="/avatars/ada.svg"' in thread and "&lt;img src=x" in thread
    assert "<img src=x" not in thread
    own = mine.get("/users/ada").text
    assert "Upvoted papers" in own and "only you see this" in own and "Graph engines" in own

    assert save_profile(mine, show_upvotes="true") == 303  # unticked boxes: private
    public = anonymous.get("/users/ada").text
    assert "Upvoted papers" in public and "Comments" not in public
    assert "Submitted papers" not in public
    assert save_profile(mine, orcid="0000-0002-1825-0098") == 400
    assert "ORCID" in mine.get("/settings").text


def test_the_avatar_is_a_cached_svg_of_initials(client: TestClient, store: PaperStore) -> None:
    _, _, session = make_user(store, "grace")
    assert save_profile(browser(client, session), display_name="Grace Hopper") == 303
    answer = TestClient(client.app).get("/avatars/grace.svg")  # a first visit: no cookie yet
    assert answer.status_code == 200 and answer.headers["content-type"] == "image/svg+xml"
    assert ">GH</text>" in answer.text and "max-age=" in answer.headers["cache-control"]
    assert "set-cookie" not in answer.headers  # shared caches may keep it: no visitor's cookie
    assert "sandbox" in answer.headers["content-security-policy"]
    again = client.get("/avatars/grace.svg", headers={"If-None-Match": answer.headers["etag"]})
    assert again.status_code == 304
    assert client.get("/avatars/nobody.svg").status_code == 404
    assert client.get("/users/nobody").status_code == 404
