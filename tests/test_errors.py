"""The one table from a service's error kind to an HTTP status, and its use by the site."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from dailypapers.accounts.service import AccountError, UserNotFound
from dailypapers.arxiv_ids import InvalidArxivId
from dailypapers.community.moderation import AlreadyDone
from dailypapers.community.repo import NotAllowed
from dailypapers.community.service import (
    ArxivDown,
    CommunityError,
    DailyLimit,
    OfflineSite,
    PaperNotFound,
)
from dailypapers.digest.interests import SubscriptionError
from dailypapers.errors import ServiceError
from dailypapers.periods import BadPeriod, NoSuchPeriod
from dailypapers.web.errors import status_of


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (InvalidArxivId("x"), 400),
        (BadPeriod("x"), 400),
        (NoSuchPeriod("x"), 404),  # a bad period, but above all one that is not there
        (CommunityError("x"), 400),
        (PaperNotFound("x"), 404),
        (OfflineSite("x"), 404),
        (DailyLimit("x"), 429),
        (ArxivDown("x"), 503),
        (NotAllowed("x"), 403),
        (AlreadyDone("x"), 409),
        (SubscriptionError("x"), 400),
        (AccountError("x"), 400),
        (UserNotFound("x"), 404),
    ],
)
def test_each_kind_has_one_status(error: ServiceError, status: int) -> None:
    assert status_of(error) == status


def test_pages_and_the_api_answer_a_refusal_alike(client: TestClient) -> None:
    page = client.get("/papers/week/2026-W60")
    assert page.status_code == 404 and "text/html" in page.headers["content-type"]
    assert "There is no week 2026-W60" in page.text
    api = client.get("/api/daily_papers", params={"week": "2026-W60"})
    assert api.status_code == 404
    assert api.json() == {"error": "There is no week 2026-W60."}
    assert client.get("/api/daily_papers", params={"week": "2026-6"}).status_code == 400
