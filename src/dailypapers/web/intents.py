"""What a visitor meant to do when they were sent to log in (an upvote): carried through the
log-in form and done once they are in, so the click is not lost.

The intent travels in the log-in URL and form; it is only acted on by the log-in POST,
which is CSRF-checked, so a link cannot make anyone upvote anything.
"""

from __future__ import annotations

from contextlib import suppress
from urllib.parse import urlencode

from dailypapers.arxiv_ids import InvalidArxivId, parse_arxiv_id
from dailypapers.community.repo import NotAllowed
from dailypapers.models import Paper, User
from dailypapers.web.services import Services

UPVOTE = "upvote:"


def login_url(next_path: str, intent: str | None = None) -> str:
    query = {"next": next_path} | ({"intent": intent} if intent else {})
    return f"/login?{urlencode(query)}"


def upvote_intent(paper: Paper) -> str:
    return f"{UPVOTE}{paper.arxiv_id}"


def intended_paper(services: Services, intent: str | None) -> Paper | None:
    """The paper an intent names, when it is a well-formed upvote of a paper we have."""
    if not intent or not intent.startswith(UPVOTE):
        return None
    try:
        arxiv_id = parse_arxiv_id(intent.removeprefix(UPVOTE)).id
    except InvalidArxivId:
        return None
    return services.store.get_paper(arxiv_id)


def carry_out(services: Services, user: User, intent: str | None) -> None:
    paper = intended_paper(services, intent)
    if paper is None:
        return
    with suppress(NotAllowed):  # e.g. a suspended account: logging in already said so
        services.community.upvote(user, paper.arxiv_id, on=True)
