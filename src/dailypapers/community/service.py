"""Community rules on top of the repository: who may do what, and daily limits."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from dailypapers.arxiv_ids import ArxivId, parse_arxiv_id
from dailypapers.community.markdown import MAX_COMMENT_CHARS, render_markdown
from dailypapers.community.repo import CommentView, CommunityRepo, NotAllowed
from dailypapers.errors import InvalidInput, LimitReached, NotFound, Unavailable
from dailypapers.ingest.http import ArxivOffline, ArxivRequestRejected, ArxivUnavailable
from dailypapers.models import Comment, DailyEntry, Paper, User, utcnow
from dailypapers.records import PaperRecord
from dailypapers.store import PaperStore

# Fetches one paper from arXiv (None when arXiv does not know it); raises when unreachable.
Fetcher = Callable[[ArxivId], PaperRecord | None]


class CommunityError(InvalidInput):
    """A problem to show the user, worded for them (an empty or overlong comment…)."""


class PaperNotFound(NotFound, CommunityError):
    pass


class DailyLimit(LimitReached):
    """The user has submitted as many papers today as the site allows."""


class ArxivDown(Unavailable):
    """The paper is new here and arXiv could not be asked for it."""


class OfflineSite(NotFound):
    """The paper is new here and this site is configured not to call arXiv."""


OFFLINE = (
    "{id} is not here yet, and this site is set up not to fetch from arXiv "
    "(DAILYPAPERS_OFFLINE), so only papers already here can be submitted. An admin can add "
    "it with `dailypapers import` or `dailypapers ingest`."
)
ARXIV_DOWN = (
    "{id} is not here yet, and arXiv did not answer when we asked for it (after several "
    "tries). Nothing was added; please try again in a few minutes."
)


@dataclass(frozen=True)
class Submission:
    paper: Paper
    entry: DailyEntry
    added: bool  # False: the paper was already on a daily feed


class CommunityService:
    def __init__(
        self, papers: PaperStore, repo: CommunityRepo, fetch: Fetcher, *, daily_limit: int
    ) -> None:
        self.papers = papers
        self.repo = repo
        self.fetch = fetch
        self.daily_limit = daily_limit

    @staticmethod
    def require_active(user: User | None) -> User:
        if user is None:
            raise NotAllowed("Please log in first.")
        if user.suspended_at is not None:
            raise NotAllowed("This account is suspended.")
        return user

    def paper(self, arxiv_id: str) -> Paper:
        """The paper with this id (any accepted form); InvalidArxivId or PaperNotFound."""
        parsed = parse_arxiv_id(arxiv_id)
        found = self.papers.get_paper(parsed.id)
        if found is None:
            raise PaperNotFound(f"No paper {parsed.id} here yet. Submit it to fetch it from arXiv.")
        return found

    def submit(self, user: User, text: str, *, today: date | None = None) -> Submission:
        """Put a paper on today's feed, fetching it from arXiv if it is new here."""
        self.require_active(user)
        arxiv_id = parse_arxiv_id(text)  # InvalidArxivId is a ValueError with a clear message
        today = today or utcnow().date()
        if self.repo.submissions_on(user.id, today) >= self.daily_limit:
            raise DailyLimit(
                f"You have submitted {self.daily_limit} papers today, the daily limit. "
                "Please come back tomorrow."
            )
        paper = self.papers.get_paper(arxiv_id.id)
        if paper is None:
            record = self._fetch(arxiv_id)
            if record is None:
                raise PaperNotFound(f"arXiv does not know {arxiv_id.versioned}.")
            self.papers.upsert_papers([record])
            paper = self.papers.get_paper(record.arxiv_id)
            assert paper is not None
        entry, added = self.repo.submit(paper.id, user.id, today)
        return Submission(paper, entry, added)

    def _fetch(self, arxiv_id: ArxivId) -> PaperRecord | None:
        try:
            return self.fetch(arxiv_id)
        except ArxivOffline as exc:  # before ArxivUnavailable, its base class
            raise OfflineSite(OFFLINE.format(id=arxiv_id.versioned)) from exc
        except (ArxivUnavailable, ArxivRequestRejected) as exc:
            raise ArxivDown(ARXIV_DOWN.format(id=arxiv_id.versioned)) from exc

    def upvote(self, user: User | None, arxiv_id: str, *, on: bool) -> int:
        active = self.require_active(user)
        paper = self.paper(arxiv_id)
        if on:
            return self.repo.upvote(active.id, paper.id)
        return self.repo.remove_upvote(active.id, paper.id)

    @staticmethod
    def _clean_body(body: str) -> str:
        body = body.replace("\r\n", "\n").replace("\x00", "").strip()
        if not body:
            raise CommunityError("A comment cannot be empty.")
        if len(body) > MAX_COMMENT_CHARS:
            raise CommunityError(f"Comments are limited to {MAX_COMMENT_CHARS:,} characters.")
        return body

    def comment(
        self, user: User | None, arxiv_id: str, body: str, parent_id: int | None = None
    ) -> Comment:
        active = self.require_active(user)
        paper = self.paper(arxiv_id)
        text = self._clean_body(body)
        return self.repo.add_comment(
            paper_id=paper.id,
            user_id=active.id,
            body=text,
            body_html=render_markdown(text),
            parent_id=parent_id,
        )

    def edit_comment(self, user: User | None, comment_id: int, body: str) -> None:
        active = self.require_active(user)
        text = self._clean_body(body)
        self.repo.edit_comment(comment_id, active.id, text, render_markdown(text))

    def delete_comment(self, user: User | None, comment_id: int) -> None:
        self.repo.delete_comment(comment_id, self.require_active(user).id)

    def comment_paper(self, comment_id: int) -> Paper:
        """The paper a comment is on."""
        comment = self.repo.get_comment(comment_id)
        paper = self.papers.get_paper_by_id(comment.paper_id) if comment else None
        if paper is None:
            raise NotFound("No such comment.")
        return paper

    def comments(self, paper: Paper) -> list[CommentView]:
        """The discussion, threaded (hidden and deleted comments keep their place)."""
        return self.repo.comments_for(paper.id)

    def voted(self, user: User | None, paper_ids: list[int]) -> set[int]:
        """Which of these papers the user has upvoted (none for a visitor)."""
        return self.repo.voted(user.id, paper_ids) if user else set()
