"""The read API's response models: Hugging Face's Daily Papers shapes, published in OpenAPI.

Field names (aliases where Python cannot spell them, like ``_id``) follow what
`huggingface_hub` parses (PaperInfo, PaperAuthor, User). Routes declare these as their
``response_model``, so every answer is checked against its schema on the way out.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

Timestamp = str  # ISO 8601 in UTC with milliseconds, e.g. 2026-02-27T09:00:00.000Z


class Model(BaseModel):
    model_config = ConfigDict(populate_by_name=True, extra="forbid")


class HfUser(Model):
    id: str = Field(alias="_id")
    avatarUrl: str | None
    fullname: str
    name: str
    user: str
    type: str = "user"
    isPro: bool = False


class HfOrganization(Model):
    id: str = Field(alias="_id")
    name: str = Field(description="The organisation's short name (/orgs/{name})")
    fullname: str
    avatarUrl: str | None


class PaperAuthor(Model):
    id: str = Field(alias="_id")
    name: str
    hidden: bool = False
    user: HfUser | None = Field(None, description="The verified author's account")
    status: str | None = Field(None, description='"claimed_verified" for a verified author')


class PaperOut(Model):
    id: str = Field(description="The arXiv id, without version")
    authors: list[PaperAuthor]
    publishedAt: Timestamp | None
    submittedOnDailyAt: Timestamp | None
    submittedOnDailyBy: HfUser | None
    title: str
    summary: str = Field(description="The abstract")
    ai_summary: str | None
    upvotes: int
    numComments: int
    discussionId: str
    githubRepo: str | None
    projectPage: str | None
    categories: list[str]
    withdrawn: bool
    organization: HfOrganization | None = None
    arxivUrl: str
    pdfUrl: str


class DailyPaper(Model):
    """One entry of the daily feed: the paper, plus who put it on the feed and when."""

    paper: PaperOut
    publishedAt: Timestamp | None
    submittedOnDailyAt: Timestamp | None
    title: str
    summary: str
    thumbnail: str | None
    numComments: int
    submittedBy: HfUser | None
    isAuthorParticipating: bool
    organization: HfOrganization | None = None
    githubRepo: str | None
    projectPage: str | None


class SearchResult(Model):
    """One search or similar-papers result; feed fields are filled when it is on a feed."""

    paper: PaperOut
    publishedAt: Timestamp | None
    submittedOnDailyAt: Timestamp | None
    submittedBy: HfUser | None
    title: str
    summary: str
    numComments: int


class CommentOut(Model):
    """One comment of a paper's discussion; replies are nested one level deep."""

    id: str
    parentId: str | None
    author: HfUser | None = Field(description="None when the comment was removed")
    isAuthor: bool = Field(description="The commenter is a verified author of the paper")
    createdAt: Timestamp
    editedAt: Timestamp | None
    html: str = Field(description="The comment's sanitised HTML; empty when removed")
    removed: bool
    replies: list[CommentOut] = []
