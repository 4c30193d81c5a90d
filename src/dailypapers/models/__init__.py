"""The data model: SQLAlchemy 2 tables shared by the SQLite and PostgreSQL stores, one
module per concern. Schema changes go through Alembic migrations in
``dailypapers/migrations``; a test checks that the migrations produce exactly these tables."""

from dailypapers.models.accounts import ApiToken, RateLimitWindow, SessionRecord
from dailypapers.models.authors import Author, AuthorClaim, HiddenAuthorship
from dailypapers.models.base import MAX_ID, NAMING, Base, utcnow
from dailypapers.models.community import Comment, ModerationAction, Upvote
from dailypapers.models.mail import DigestOutbox, DigestSentPaper, MailOutbox, Subscription
from dailypapers.models.operations import JobRun
from dailypapers.models.orgs import Organization, OrgMember, PaperOrg
from dailypapers.models.papers import (
    DailyEntry,
    HarvestState,
    Paper,
    PaperAuthor,
    PaperEmbedding,
    PaperSentences,
)
from dailypapers.models.people import Follow, Notification, User

__all__ = [
    "MAX_ID",
    "NAMING",
    "ApiToken",
    "Author",
    "AuthorClaim",
    "Base",
    "Comment",
    "DailyEntry",
    "DigestOutbox",
    "DigestSentPaper",
    "Follow",
    "HarvestState",
    "HiddenAuthorship",
    "JobRun",
    "MailOutbox",
    "ModerationAction",
    "Notification",
    "OrgMember",
    "Organization",
    "Paper",
    "PaperAuthor",
    "PaperEmbedding",
    "PaperOrg",
    "PaperSentences",
    "RateLimitWindow",
    "SessionRecord",
    "Subscription",
    "Upvote",
    "User",
    "utcnow",
]
