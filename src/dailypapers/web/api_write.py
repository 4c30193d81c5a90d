"""The write API: upvote, submit and comment with a personal token (Authorization: Bearer)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field

from dailypapers.arxiv_ids import SUBMISSION_PATTERN
from dailypapers.models import MAX_ID, User
from dailypapers.web.deps import ServicesDep, get_services
from dailypapers.web.openapi import ArxivIdPath, errors
from dailypapers.web.serialize import paper_json
from dailypapers.web.services import Services

router = APIRouter(prefix="/api", tags=["write"])
bearer = HTTPBearer(auto_error=False, description="A personal API token from /settings.")


def token_user(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> User:
    if credentials is None:
        raise HTTPException(
            401,
            "Send a personal API token: Authorization: Bearer dp_…",
            headers={"WWW-Authenticate": "Bearer"},
        )
    user = get_services(request).accounts.token_user(credentials.credentials)
    if user is None:
        raise HTTPException(
            401, "Unknown, revoked or suspended API token.", headers={"WWW-Authenticate": "Bearer"}
        )
    return user


TokenUser = Annotated[User, Depends(token_user)]


class Vote(BaseModel):
    upvotes: int
    upvoted: bool


class SubmitRequest(BaseModel):
    paper: str = Field(
        max_length=500,
        description="arXiv id or abs/pdf URL",
        json_schema_extra={"pattern": SUBMISSION_PATTERN, "examples": ["2602.01234"]},
    )


class CommentRequest(BaseModel):
    body: str = Field(min_length=1, max_length=10_000, description="Markdown")
    parent_id: int | None = Field(
        default=None, ge=1, le=MAX_ID, description="Reply to this comment"
    )


class CommentCreated(BaseModel):
    id: int
    parent_id: int | None
    html: str


def _vote(services: Services, user: User, arxiv_id: str, on: bool) -> Vote:
    count = services.community.upvote(user, arxiv_id, on=on)
    return Vote(upvotes=count, upvoted=on)


@router.post("/papers/submit", status_code=201, responses=errors(400, 401, 404, 409, 422, 429, 503))
def submit(body: SubmitRequest, services: ServicesDep, user: TokenUser) -> JSONResponse:
    """Put a paper on today's daily feed (fetched from arXiv if new here)."""
    result = services.community.submit(user, body.paper)
    payload = paper_json(result.paper, result.entry)
    if not result.added:
        return JSONResponse(
            {
                "error": f"{result.paper.arxiv_id} is already on the daily feed "
                f"of {result.entry.day.isoformat()}",
                "paper": payload,
            },
            409,
        )
    return JSONResponse(payload, 201)


@router.post("/papers/{arxiv_id:path}/upvote", responses=errors(400, 401, 403, 404, 503))
def upvote(arxiv_id: ArxivIdPath, services: ServicesDep, user: TokenUser) -> Vote:
    """Upvote a paper; repeating it changes nothing."""
    return _vote(services, user, arxiv_id, True)


@router.delete("/papers/{arxiv_id:path}/upvote", responses=errors(400, 401, 403, 404, 503))
def remove_upvote(arxiv_id: ArxivIdPath, services: ServicesDep, user: TokenUser) -> Vote:
    """Take an upvote back; repeating it changes nothing."""
    return _vote(services, user, arxiv_id, False)


@router.post(
    "/papers/{arxiv_id:path}/comments",
    status_code=201,
    responses=errors(400, 401, 403, 404, 422, 429, 503),
)
def comment(
    arxiv_id: ArxivIdPath, body: CommentRequest, services: ServicesDep, user: TokenUser
) -> CommentCreated:
    """Comment on a paper (Markdown), or reply to a comment."""
    created = services.community.comment(user, arxiv_id, body.body, body.parent_id)
    services.notification_mail.nudge()
    return CommentCreated(id=created.id, parent_id=created.parent_id, html=created.body_html)
