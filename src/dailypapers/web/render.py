"""Jinja2 rendering with autoescaping, shared helpers and the per-request context."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates
from markupsafe import Markup

from dailypapers import __version__
from dailypapers.models import Paper, User
from dailypapers.people.avatars import avatar_path
from dailypapers.text import counted, strip_controls
from dailypapers.web.deps import current_user, get_services
from dailypapers.web.security import CSRF_FIELD, csrf_token

if TYPE_CHECKING:
    from dailypapers.web.services import Services

TEMPLATES_DIR = Path(__file__).parent / "templates"
templates = Jinja2Templates(directory=str(TEMPLATES_DIR))  # autoescape on for .html


def authors_short(paper: Paper, keep: int = 3) -> str:
    """'A, B, C et al. (7 authors)'; a list the source cut short says so ('22+ authors')."""
    authors = paper.authors
    count = f"{len(authors)}+" if paper.authors_truncated else str(len(authors))
    if len(authors) <= keep + 1 and not paper.authors_truncated:
        return ", ".join(authors)
    return f"{', '.join(authors[:keep])} et al. ({count} authors)"


def published_label(paper: Paper) -> str:
    """The publication date, or the month a new-style arXiv id encodes when the source
    gave no date ('2602.01234' → 'Feb 2026'): never a made-up day."""
    if paper.published:
        return nice_date(paper.published)
    yymm = paper.arxiv_id[:4]
    if "/" not in paper.arxiv_id and yymm.isdigit() and 1 <= int(yymm[2:]) <= 12:
        return date(2000 + int(yymm[:2]), int(yymm[2:]), 1).strftime("%b %Y")
    return ""


def time_ago(moment: datetime | None, now: datetime | None = None) -> str:
    if moment is None:
        return ""
    seconds = max(0, int(((now or datetime.utcnow()) - moment).total_seconds()))
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            count = seconds // size
            return f"{count} {unit}{'s' if count != 1 else ''} ago"
    return "just now"


def nice_date(value: date | datetime | None) -> str:
    return value.strftime("%b %-d, %Y") if value else ""


def printable(value: Any) -> Any:
    """Every ``{{ … }}`` passes here: control characters (from a URL, a query, an old
    record) are invalid in HTML and never reach a page; Markup stays Markup."""
    if isinstance(value, Markup):
        return Markup(strip_controls(str(value)))  # noqa: S704 (removing characters from safe markup keeps it safe)
    if isinstance(value, str):
        return strip_controls(value)
    return value


templates.env.finalize = printable
templates.env.filters["authors_short"] = authors_short
templates.env.filters["avatar_url"] = avatar_path
templates.env.filters["counted"] = counted
templates.env.filters["published_label"] = published_label
templates.env.filters["time_ago"] = time_ago
templates.env.filters["nice_date"] = nice_date
templates.env.globals["version"] = __version__


def csrf_input(token: str) -> Markup:
    return Markup('<input type="hidden" name="{}" value="{}">').format(CSRF_FIELD, token)


def render(
    request: Request, template: str, context: dict[str, Any] | None = None, status_code: int = 200
) -> HTMLResponse:
    services = get_services(request)
    token = csrf_token(request, services.secret)
    user = current_user(request)
    base = {
        "user": user,
        "unread": services.notifications.unread(user.id) if user else 0,
        "site_name": services.settings.site_name,
        "csrf_input": csrf_input(token),
        "csrf_token": token,
        "path": request.url.path,
        "error": None,  # any page may show one; handlers pass it when there is
    }
    return templates.TemplateResponse(
        request, template, base | (context or {}), status_code=status_code
    )


def cards_context(services: Services, user: User | None, paper_ids: list[int]) -> dict[str, Any]:
    """What a list of paper cards needs: the viewer's upvotes and the verified authors."""
    return {
        "voted": services.community.voted(user, paper_ids),
        "who": services.identities.of(paper_ids),
    }


def login_redirect(path: str) -> RedirectResponse:
    """To the log-in page, and back to ``path`` after it."""
    return RedirectResponse(f"/login?next={path}", status_code=303)


def message_page(
    request: Request,
    title: str,
    message: str,
    *,
    link: tuple[str, str] | None = None,
    status: int = 200,
) -> HTMLResponse:
    """A page that says one thing (a link was used, a mail was sent), with one way on."""
    context = {"title": title, "message": message, "link": link}
    return render(request, "auth/message.html", context, status)
