"""Organisation pages: the list, one organisation, its settings, and putting it on papers."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from dailypapers.people.avatar_upload import MAX_BYTES, AvatarRejected
from dailypapers.people.orgs import OrgNotFound
from dailypapers.web.deps import Csrf, ServicesDep, UserDep
from dailypapers.web.pages.people import uploaded_image
from dailypapers.web.render import login_redirect, render

router = APIRouter(include_in_schema=False)  # HTML pages: not part of the API
Name = Annotated[str, Form(max_length=200)]
About = Annotated[str, Form(max_length=2000)]


def _to(slug: str, query: str = "") -> RedirectResponse:
    return RedirectResponse(f"/orgs/{slug}{query}", status_code=303)


@router.get("/orgs", response_class=HTMLResponse)
def orgs(request: Request, services: ServicesDep, user: UserDep) -> Response:
    context = {"orgs": services.orgs.all(), "may_create": services.orgs.may_create(user)}
    return render(request, "orgs.html", context)


@router.post("/orgs", dependencies=[Csrf])
def create(
    services: ServicesDep, user: UserDep, slug: Name, name: Name, description: About = ""
) -> Response:
    if user is None:
        return login_redirect("/orgs")
    org = services.orgs.create(user, slug, name, description)
    return _to(org.slug, "?created=1")


@router.get("/orgs/{slug}", response_class=HTMLResponse)
def org_page(request: Request, slug: str, services: ServicesDep, user: UserDep) -> Response:
    page = services.orgs.page(slug, user)
    context = {
        "page": page,
        "org": page.org,
        "follow": services.follows.button(user, "org", page.org.slug),
        "who": services.identities.of(p.paper.id for p in page.papers),
    }
    return render(request, "org.html", context)


@router.post("/orgs/{slug}/settings", dependencies=[Csrf])
def save(
    slug: str,
    services: ServicesDep,
    user: UserDep,
    name: Name,
    description: About = "",
    website: Name = "",
) -> Response:
    if user is None:
        return login_redirect(f"/orgs/{slug}")
    services.orgs.update(user, slug, name, description, website)
    return _to(slug, "?saved=1")


@router.post("/orgs/{slug}/logo", dependencies=[Csrf])
def logo_upload(
    request: Request,
    slug: str,
    services: ServicesDep,
    user: UserDep,
    logo: Annotated[UploadFile | None, File()] = None,
) -> Response:
    if user is None:
        return login_redirect(f"/orgs/{slug}")
    if logo is None or not logo.filename:
        raise AvatarRejected("Choose an image file to upload.")
    services.orgs.set_logo(user, slug, logo.file.read(MAX_BYTES + 1), logo.filename)
    return _to(slug, "?saved=1")


@router.get("/orgs/{slug}/logo/{name}")
def logo(slug: str, name: str, services: ServicesDep) -> Response:
    return uploaded_image(services.orgs.logo(slug, name), OrgNotFound(f"{slug} has no such logo."))


@router.post("/orgs/{slug}/members", dependencies=[Csrf])
def members(
    slug: str,
    services: ServicesDep,
    user: UserDep,
    username: Annotated[str, Form(max_length=40)],
    role: Annotated[str, Form(max_length=8)] = "member",
    remove: Annotated[bool, Form()] = False,
) -> Response:
    if user is None:
        return login_redirect(f"/orgs/{slug}")
    if remove:
        services.orgs.remove_member(user, slug, username)
    else:
        services.orgs.set_member(user, slug, username, role)
    return _to(slug, "#members")


@router.post("/papers/{arxiv_id:path}/orgs", dependencies=[Csrf])
def on_paper(
    arxiv_id: str,
    services: ServicesDep,
    user: UserDep,
    org: Annotated[str, Form(max_length=40)],
    on: Annotated[bool, Form()] = True,
) -> Response:
    if user is None:
        return login_redirect(f"/papers/{arxiv_id}")
    services.orgs.put_on_paper(user, org, arxiv_id, on=on)
    return RedirectResponse(f"/papers/{arxiv_id}", status_code=303)
