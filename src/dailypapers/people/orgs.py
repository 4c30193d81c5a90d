"""Organisations: created by any user or only by admins (``org_creation``), run by their
admins, joined by members, and put on papers by the members who submitted or wrote them.

An organisation's page lists the papers its members put it on, then what its members
submitted or wrote lately, each saying why it is there. ``?org=`` filters of the API and
the feeds use the first kind only: a paper is the organisation's when a member said so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from dailypapers.db import Database
from dailypapers.errors import Conflict, Forbidden, InvalidInput, NotFound
from dailypapers.models import (
    DailyEntry,
    Organization,
    OrgMember,
    Paper,
    PaperOrg,
    User,
    utcnow,
)
from dailypapers.people.avatar_upload import accept_avatar
from dailypapers.people.identities import Identities
from dailypapers.people.profiles import ProfileError, check_profile
from dailypapers.text import normalize_line

SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$")
RESERVED = frozenset({"new", "admin", "settings", "api", "feeds", "static"})
ROLES = ("admin", "member")
PAGE = 50


class OrgNotFound(NotFound):
    pass


@dataclass(frozen=True)
class OrgPaper:
    paper: Paper
    why: str


@dataclass
class OrgPage:
    org: Organization
    members: list[tuple[User, str]]
    my_role: str | None
    papers: list[OrgPaper] = field(default_factory=list)


class OrgService:
    def __init__(self, db: Database, logo_dir: Path, *, creation: str = "users") -> None:
        self.db = db
        self.logo_dir = logo_dir
        self.creation = creation  # "users": anyone signed in; "admins": site admins only

    # -- creating and editing ---------------------------------------------------------------
    def may_create(self, user: User | None) -> bool:
        if user is None or user.suspended_at is not None or user.email_verified_at is None:
            return False
        return self.creation == "users" or user.is_admin

    def create(self, user: User, slug: str, name: str, description: str = "") -> Organization:
        if not self.may_create(user):
            raise Forbidden("Only admins create organisations here.")
        slug = slug.strip().lower()
        if not SLUG.match(slug) or slug in RESERVED:
            raise InvalidInput(
                "The short name takes 1–40 lowercase letters, digits and inner hyphens."
            )
        name, about = _checked(name, description)
        with Session(self.db.writer, expire_on_commit=False) as s, s.begin():
            if s.scalar(select(Organization.id).where(Organization.slug == slug)) is not None:
                raise Conflict(f"/orgs/{slug} is taken: choose another short name.")
            org = Organization(slug=slug, name=name, description=about, created_by_id=user.id)
            s.add(org)
            s.flush()
            s.add(OrgMember(org_id=org.id, user_id=user.id, role="admin", created_at=utcnow()))
        return org

    def update(self, user: User, slug: str, name: str, description: str, website: str = "") -> None:
        with Session(self.db.writer) as s, s.begin():
            org = self._admin_of(s, user, slug)
            org.name, org.description = _checked(name, description)
            try:
                org.website_url = check_profile(website=website).website_url
            except ProfileError as exc:
                raise InvalidInput(str(exc)) from exc

    def set_logo(self, user: User, slug: str, data: bytes, filename: str | None) -> None:
        logo = accept_avatar(data, filename)  # the same checks and re-encoding as avatars
        with Session(self.db.writer) as s, s.begin():
            org = self._admin_of(s, user, slug)
            self.logo_dir.mkdir(parents=True, exist_ok=True)
            partial = self.logo_dir / f".{logo.name}.partial"
            partial.write_bytes(logo.data)
            partial.replace(self.logo_dir / logo.name)
            org.logo_file = logo.name

    def logo(self, slug: str, name: str) -> Path:
        org = self.get(slug)
        if not name or org.logo_file != name:
            raise OrgNotFound(f"{slug} has no such logo.")
        return self.logo_dir / name

    # -- members --------------------------------------------------------------------------
    def set_member(self, user: User, slug: str, username: str, role: str) -> None:
        """Add a member or change their role (organisation admins only)."""
        if role not in ROLES:
            raise InvalidInput("A member is an admin or a member.")
        with Session(self.db.writer) as s, s.begin():
            org = self._admin_of(s, user, slug)
            member = s.scalars(select(User).where(User.username == username.strip())).first()
            if member is None:
                raise NotFound(f"No user {username}.")
            s.execute(
                delete(OrgMember).where(OrgMember.org_id == org.id, OrgMember.user_id == member.id)
            )
            s.add(OrgMember(org_id=org.id, user_id=member.id, role=role, created_at=utcnow()))
            self._keep_an_admin(s, org)

    def remove_member(self, user: User, slug: str, username: str) -> None:
        """An admin removes a member; anyone may leave."""
        with Session(self.db.writer) as s, s.begin():
            org = self.get(slug, s)
            member = s.scalars(select(User).where(User.username == username)).first()
            if member is None:
                raise NotFound(f"No user {username}.")
            if member.id != user.id:
                self._admin_of(s, user, slug)
            s.execute(
                delete(OrgMember).where(OrgMember.org_id == org.id, OrgMember.user_id == member.id)
            )
            self._keep_an_admin(s, org)

    @staticmethod
    def _keep_an_admin(s: Session, org: Organization) -> None:
        admins = s.scalar(
            select(func.count()).where(OrgMember.org_id == org.id, OrgMember.role == "admin")
        )
        if not admins:
            raise Conflict("An organisation keeps at least one admin: name another first.")

    # -- papers -----------------------------------------------------------------------------
    def put_on_paper(self, user: User, slug: str, arxiv_id: str, *, on: bool = True) -> None:
        """A member puts the organisation on a paper they submitted or are verified on
        (an organisation admin on any paper), or takes it off."""
        with Session(self.db.writer) as s, s.begin():
            org = self.get(slug, s)
            role = self._role(s, org, user)
            if role is None:
                raise Forbidden(f"Only members of {org.name} do that.")
            paper = s.scalars(select(Paper).where(Paper.arxiv_id == arxiv_id)).first()
            if paper is None:
                raise NotFound(f"No paper {arxiv_id} here.")
            if role != "admin" and not _is_theirs(s, user, paper.id, Identities(self.db)):
                raise Forbidden("Members add their organisation to papers they submitted or wrote.")
            link = {"paper_id": paper.id, "org_id": org.id}
            s.execute(delete(PaperOrg).filter_by(**link))
            if on:
                values = link | {"added_by_id": user.id, "created_at": utcnow()}
                s.execute(insert(PaperOrg).values(**values))

    def on_paper(self, paper_id: int) -> list[Organization]:
        with Session(self.db.reader, expire_on_commit=False) as s:
            return list(
                s.scalars(
                    select(Organization)
                    .join(PaperOrg, PaperOrg.org_id == Organization.id)
                    .where(PaperOrg.paper_id == paper_id)
                    .order_by(PaperOrg.created_at)
                )
            )

    # -- reading --------------------------------------------------------------------------
    def get(self, slug: str, s: Session | None = None) -> Organization:
        if s is None:
            with Session(self.db.reader, expire_on_commit=False) as own:
                return self.get(slug, own)
        org = s.scalars(select(Organization).where(Organization.slug == slug)).one_or_none()
        if org is None:
            raise OrgNotFound(f"No organisation {slug} here.")
        return org

    def page(self, slug: str, viewer: User | None) -> OrgPage:
        with Session(self.db.reader, expire_on_commit=False) as s:
            org = self.get(slug, s)
            members = s.execute(
                select(User, OrgMember.role)
                .join(OrgMember, OrgMember.user_id == User.id)
                .where(OrgMember.org_id == org.id, User.suspended_at.is_(None))
                .order_by(OrgMember.role, User.username)
            ).all()
            page = OrgPage(org, [(u, r) for u, r in members], self._role(s, org, viewer))
            page.papers = self._papers(s, org, [u.id for u, _ in members])
        return page

    def _papers(self, s: Session, org: Organization, member_ids: list[int]) -> list[OrgPaper]:
        found: dict[int, OrgPaper] = {}
        tagged = s.scalars(
            select(Paper)
            .join(PaperOrg, PaperOrg.paper_id == Paper.id)
            .where(PaperOrg.org_id == org.id)
            .order_by(Paper.published.desc())
            .limit(PAGE)
        )
        for paper in tagged:
            found[paper.id] = OrgPaper(paper, f"a member put {org.name} on it")
        if member_ids:
            submitted = s.execute(
                select(Paper, User.username)
                .join(DailyEntry, DailyEntry.paper_id == Paper.id)
                .join(User, User.id == DailyEntry.submitted_by_id)
                .where(DailyEntry.submitted_by_id.in_(member_ids))
                .order_by(DailyEntry.submitted_at.desc())
                .limit(PAGE)
            )
            for paper, username in submitted:
                found.setdefault(paper.id, OrgPaper(paper, f"submitted by member @{username}"))
        ordered = sorted(
            found.values(), key=lambda p: p.paper.published or p.paper.created_at, reverse=True
        )
        return ordered[:PAGE]

    def all(self) -> list[tuple[Organization, int]]:
        with Session(self.db.reader, expire_on_commit=False) as s:
            rows = s.execute(
                select(Organization, func.count(OrgMember.user_id))
                .outerjoin(OrgMember, OrgMember.org_id == Organization.id)
                .group_by(Organization.id)
                .order_by(func.count(OrgMember.user_id).desc(), Organization.name)
            ).all()
        return [(org, int(n)) for org, n in rows]

    def of_user(self, user_id: int) -> list[tuple[Organization, str]]:
        with Session(self.db.reader, expire_on_commit=False) as s:
            rows = s.execute(
                select(Organization, OrgMember.role)
                .join(OrgMember, OrgMember.org_id == Organization.id)
                .where(OrgMember.user_id == user_id)
                .order_by(Organization.name)
            ).all()
        return [(org, role) for org, role in rows]

    @staticmethod
    def _role(s: Session, org: Organization, user: User | None) -> str | None:
        if user is None:
            return None
        return s.scalar(
            select(OrgMember.role).where(OrgMember.org_id == org.id, OrgMember.user_id == user.id)
        )

    def _admin_of(self, s: Session, user: User, slug: str) -> Organization:
        org = self.get(slug, s)
        if self._role(s, org, user) != "admin" and not user.is_admin:
            raise Forbidden(f"Only the admins of {org.name} do that.")
        return org


def _is_theirs(s: Session, user: User, paper_id: int, identities: Identities) -> bool:
    """They submitted it, or are verified as one of its authors."""
    submitted = s.scalar(
        select(DailyEntry.id).where(
            DailyEntry.paper_id == paper_id, DailyEntry.submitted_by_id == user.id
        )
    )
    verified = identities.of([paper_id]).get(paper_id)
    return submitted is not None or (verified is not None and user.id in verified.user_ids)


def _checked(name: str, description: str) -> tuple[str, str | None]:
    name = normalize_line(name)
    if not 1 <= len(name) <= 100:
        raise InvalidInput("The name takes 1 to 100 characters.")
    description = "\n".join(normalize_line(line) for line in description.strip().splitlines())
    if len(description) > 1000:
        raise InvalidInput("The description takes at most 1,000 characters.")
    return name, description or None
