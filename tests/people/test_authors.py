"""Authors as entities: pages, name keys, claims (by address and by admins), merges, badges,
and the HF author fields that huggingface_hub parses."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from dailypapers.mail.factory import courier_for, postman_for
from dailypapers.people.author_names import author_key, listed_addresses, vouches_for
from dailypapers.people.notification_mail import NotificationMail
from dailypapers.people.notifications import NotificationRepo
from dailypapers.records import PaperRecord
from dailypapers.settings import Settings
from dailypapers.store import PaperStore
from helpers import browser, csrf_from, make_user
from servers import SmtpSink

HOSTILE = '<script>alert("name")</script> Smith'


def paper(arxiv_id: str, title: str, authors: list[str], **fields: object) -> PaperRecord:
    return PaperRecord(arxiv_id=arxiv_id, title=title, authors=authors, **fields)  # type: ignore[arg-type]


@pytest.fixture
def papers(store: PaperStore) -> PaperStore:
    from datetime import date, datetime

    store.upsert_papers(
        [
            paper(
                "2601.00001",
                "Sparse experts",
                ["Ada Lovelace", "Charles Babbage"],
                published=datetime(2026, 1, 5),
                comments="Contact: ada@cs.analytical.ac.uk",
                categories=["cs.LG"],
                daily_day=date(2026, 1, 5),
            ),
            paper(
                "2601.00002",
                "Dense experts",
                ["A. Lovelace", "Mary Somerville"],
                published=datetime(2026, 1, 9),
                categories=["cs.CL"],
            ),
            paper(
                "2601.00003",
                "Engines of difference",
                ["ada lovelace", HOSTILE],
                published=datetime(2026, 1, 7),
                categories=["cs.LG"],
            ),
        ]
    )
    return store


def mail_pass(store: PaperStore, settings: Settings) -> None:
    """What serve's mail thread does: queue the notification mail, then send it."""
    postman = postman_for(store.db, settings)
    secret = settings.resolved_secret_key()
    NotificationMail(store.db, postman, secret, settings.base_url).queue_new()
    courier_for(store.db, settings).deliver_ready()


def post(client: TestClient, path: str, **form: str) -> int:
    token = csrf_from(client.get("/").text)
    return client.post(path, data={"csrf_token": token, **form}, follow_redirects=False).status_code


def test_name_keys_fold_case_accents_and_punctuation_but_keep_variants_apart() -> None:
    assert author_key("Ada  LOVELACE") == author_key("ada lovelace") == "ada-lovelace"
    assert author_key("A. Lovelace") == "a-lovelace" != author_key("Ada Lovelace")
    assert author_key("José García-Márquez") == "jose-garcia-marquez"
    assert author_key("王伟") == "王伟" and author_key("…") == ""
    listed = listed_addresses("Mail ada@CS.Analytical.ac.uk.", None)
    assert listed == {"ada@cs.analytical.ac.uk"}
    assert vouches_for("ada@cs.analytical.ac.uk", "lovelace@analytical.ac.uk")
    assert not vouches_for("someone@gmail.com", "ada@gmail.com")  # a shared provider
    assert vouches_for("ada@gmail.com", "Ada@gmail.com")  # the very address
    assert not vouches_for("ada@analytical.ac.uk", "ada@analytical.ac.uk.evil.org")


def test_the_author_page_lists_papers_co_authors_and_categories(
    client: TestClient, papers: PaperStore
) -> None:
    page = client.get("/authors/ada-lovelace")
    assert page.status_code == 200
    html = page.text
    assert html.index("Engines of difference") < html.index("Sparse experts")  # newest first
    assert "Dense experts" not in html  # "A. Lovelace" is another author until merged
    assert "Charles Babbage" in html and 'href="/authors/charles-babbage"' in html
    assert "cs.LG" in html and "listed as “ada lovelace”" in html
    assert "<script>alert" not in html and "&lt;script&gt;" in html
    feed = client.get("/feeds/authors/ada-lovelace.atom")
    assert feed.status_code == 200 and feed.text.count("<entry>") == 2
    assert client.get("/authors/nobody-at-all").status_code == 404
    on_paper = client.get("/papers/2601.00001").text
    assert '<a href="/authors/ada-lovelace">Ada Lovelace</a>' in on_paper


def test_a_listed_address_at_the_claimants_institution_verifies_at_once(
    client: TestClient, papers: PaperStore
) -> None:
    from dailypapers.accounts.repo import AccountRepo

    user, _, session = make_user(papers, "ada")  # verified at the institution the paper lists
    AccountRepo(papers.db).update_user(user.id, email="lovelace@analytical.ac.uk")
    ada = browser(client, session)
    assert post(ada, "/claims", author="ada-lovelace", paper="2601.00001") == 303
    page = client.get("/papers/2601.00001").text
    assert 'title="Verified author: @ada"' in page
    assert "verified" in client.get("/authors/ada-lovelace").text
    assert post(ada, "/claims", author="ada-lovelace") == 409  # claimed once
    shown = ada.get("/authors/ada-lovelace?claim=verified").text
    assert "You are verified as Ada Lovelace" in shown
    assert NotificationRepo(papers.db).unread(user.id) == 0  # their own doing: no notice
    listed = client.get("/api/papers/2601.00001").json()["authors"]
    assert listed[0]["status"] == "claimed_verified" and listed[0]["user"]["user"] == "ada"
    assert "user" not in listed[1] or listed[1]["user"] is None


def test_an_admin_approves_or_rejects_a_claim_and_both_are_logged_mailed_and_undoable(
    client: TestClient, papers: PaperStore, site_settings: Settings, smtp: SmtpSink
) -> None:
    _, _, claimant_session = make_user(papers, "mary")
    _, _, other_session = make_user(papers, "imposter")
    _, _, admin_session = make_user(papers, "chief", admin=True)
    mary, imposter, chief = (
        browser(client, s) for s in (claimant_session, other_session, admin_session)
    )
    assert post(mary, "/claims", author="mary-somerville", paper="2601.00002") == 303
    assert post(imposter, "/claims", author="charles-babbage") == 303
    assert post(mary, "/claims", author="mary-somerville", paper="2601.00001") == 400  # not hers
    assert mary.get("/admin/claims").status_code == 403
    queue = chief.get("/admin/claims").text
    assert "@mary" in queue and "@imposter" in queue and "Dense experts" in queue
    ids = [int(part.split('"')[0]) for part in queue.split('id="claim-')[1:]]
    assert post(chief, f"/admin/claims/{ids[1]}", decision="reject") == 400  # needs a reason
    reason = "No <b>proof</b>"
    assert post(chief, f"/admin/claims/{ids[1]}", decision="reject", reason=reason) == 303
    assert post(chief, f"/admin/claims/{ids[0]}", decision="approve") == 303
    assert post(chief, f"/admin/claims/{ids[0]}", decision="approve") == 409  # decided
    assert "No claims are waiting" in chief.get("/admin/claims").text
    mail_pass(papers, site_settings)
    (rejected,) = smtp.wait_for("imposter@example.org", timeout=10)
    assert "not approved for Charles Babbage" in str(rejected["Subject"])
    body = rejected.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert "No &lt;b&gt;proof&lt;/b&gt;" in body and "<b>proof" not in body
    assert len(smtp.wait_for("mary@example.org", timeout=10)) == 1
    assert 'title="Verified author: @mary"' in client.get("/papers/2601.00002").text
    assert "An admin rejected your claim" in imposter.get("/authors/charles-babbage").text

    log = chief.get("/moderation").text
    assert "approved an authorship claim" in log and "rejected an authorship claim" in log
    action = int(log.split("/moderation/actions/")[1].split("/")[0])  # the newest: approval
    assert post(chief, f"/moderation/actions/{action}/undo") == 303
    assert 'title="Verified author: @mary"' not in client.get("/papers/2601.00002").text
    assert "@mary" in chief.get("/admin/claims").text  # back in the queue


def test_merged_names_share_a_page_and_the_old_page_redirects(
    client: TestClient, papers: PaperStore
) -> None:
    _, _, admin_session = make_user(papers, "chief", admin=True)
    chief = browser(client, admin_session)
    assert post(client, "/authors/a-lovelace/merge", into="ada-lovelace") == 403
    assert post(chief, "/authors/a-lovelace/merge", into="ada-lovelace", reason="same") == 303
    page = client.get("/authors/ada-lovelace").text
    assert "Dense experts" in page and "merged by an admin" in page
    moved = client.get("/authors/a-lovelace", follow_redirects=False)
    assert moved.status_code == 301 and moved.headers["location"] == "/authors/ada-lovelace"
    assert "merged an author name" in chief.get("/moderation").text


def test_a_verified_author_hides_a_paper_and_the_api_says_so(
    client: TestClient, papers: PaperStore
) -> None:
    _, _, admin_session = make_user(papers, "chief", admin=True)
    _, _, session = make_user(papers, "ada")
    ada, chief = browser(client, session), browser(client, admin_session)
    assert post(ada, "/claims", author="ada-lovelace", paper="2601.00003") == 303
    claim = chief.get("/admin/claims").text.split('id="claim-')[1].split('"')[0]
    assert post(chief, f"/admin/claims/{claim}", decision="approve") == 303
    assert post(client, "/authors/ada-lovelace/hide", paper="2601.00003") == 303  # → login
    assert post(chief, "/authors/ada-lovelace/hide", paper="2601.00003") == 403
    assert post(ada, "/authors/ada-lovelace/hide", paper="2601.00003", hidden="1") == 303
    author = client.get("/api/papers/2601.00003").json()["authors"][0]
    assert author["hidden"] is True and author["status"] == "claimed_verified"
    assert post(ada, "/authors/ada-lovelace/release") == 303
    assert "status" not in client.get("/api/papers/2601.00003").json()["authors"][0] or (
        client.get("/api/papers/2601.00003").json()["authors"][0]["status"] is None
    )


def test_a_verified_author_commenting_makes_the_paper_author_participating(
    client: TestClient, papers: PaperStore, live: object
) -> None:
    from huggingface_hub import HfApi

    from dailypapers.community.repo import CommunityRepo

    user, _, session = make_user(papers, "ada")
    _, _, admin_session = make_user(papers, "chief", admin=True)
    ada, chief = browser(client, session), browser(client, admin_session)
    assert post(ada, "/claims", author="ada-lovelace", paper="2601.00001") == 303
    claim = chief.get("/admin/claims").text.split('id="claim-')[1].split('"')[0]
    assert post(chief, f"/admin/claims/{claim}", decision="approve") == 303
    found = papers.get_paper("2601.00001")
    assert found is not None
    CommunityRepo(papers.db).add_comment(
        paper_id=found.id, user_id=user.id, body="Author here.", body_html="", parent_id=None
    )
    assert '<span class="badge" title="A verified author of this paper">Author</span>' in (
        client.get("/papers/2601.00001").text
    )
    (said,) = client.get("/api/papers/2601.00001/comments").json()
    assert said["author"]["user"] == "ada" and said["isAuthor"] is True
    assert said["author"]["avatarUrl"] == "/avatars/ada.svg" and said["html"] == ""
    api = HfApi(endpoint=live.url, token=False)  # type: ignore[attr-defined]
    (daily,) = api.list_daily_papers(date="2026-01-05")
    assert daily.__dict__.get("isAuthorParticipating") is True
    info = api.paper_info("2601.00001")
    assert info.authors is not None and info.authors[0].status == "claimed_verified"
    assert info.authors[0].user is not None and info.authors[0].user.username == "ada"
    assert info.authors[1].user is None


def test_the_migration_fills_the_authors_of_papers_already_stored(db_url: str) -> None:
    from sqlalchemy import text

    from dailypapers.db import upgrade
    from dailypapers.store import open_store

    store = open_store(db_url)
    upgrade(store.db, "0017")
    with store.db.writer.begin() as conn:
        for n, authors in enumerate(['["Ada Lovelace", "…", "A. Lovelace"]', "[]"]):
            conn.execute(
                text(
                    "INSERT INTO papers (id, arxiv_id, title, abstract, authors, categories, "
                    "withdrawn, imported_upvotes, upvotes, created_at, modified_at) VALUES "
                    "(:id, :arxiv, 't', '', :authors, '[]', false, 0, 0, "
                    "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
                ),
                {"id": n + 1, "arxiv": f"2601.0000{n + 1}", "authors": authors},
            )
    store.upgrade()
    with store.db.reader.connect() as conn:
        rows = conn.execute(
            text("SELECT paper_id, position, author_key, name FROM paper_authors ORDER BY 1, 2")
        ).all()
    store.close()
    assert [tuple(row) for row in rows] == [
        (1, 0, "ada-lovelace", "Ada Lovelace"),
        (1, 2, "a-lovelace", "A. Lovelace"),
    ]


def test_a_changed_author_list_replaces_the_paper_s_author_rows(papers: PaperStore) -> None:
    from sqlalchemy import text

    papers.upsert_papers([paper("2601.00001", "Sparse experts", ["Charles Babbage"])])
    with papers.db.reader.connect() as conn:
        keys = conn.execute(
            text(
                "SELECT author_key FROM paper_authors pa JOIN papers p ON p.id = pa.paper_id "
                "WHERE p.arxiv_id = '2601.00001'"
            )
        ).all()
    assert [key for (key,) in keys] == ["charles-babbage"]
