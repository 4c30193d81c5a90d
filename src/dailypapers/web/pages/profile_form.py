"""The profile fields of Settings, as typed (shown again, as typed, when one has a problem)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Form

from dailypapers.models import User
from dailypapers.people.profiles import ProfileInput, check_profile

Short = Annotated[str, Form(max_length=400)]


@dataclass(frozen=True)
class ProfileForm:
    display_name: str = ""
    bio: str = ""
    website: str = ""
    github: str = ""
    orcid: str = ""
    scholar: str = ""
    show_submissions: bool = True
    show_comments: bool = True
    show_upvotes: bool = False

    @classmethod
    def of(cls, user: User) -> ProfileForm:
        return cls(
            user.display_name or "",
            user.bio or "",
            user.website_url or "",
            user.github_username or "",
            user.orcid or "",
            user.scholar_id or "",
            user.show_submissions,
            user.show_comments,
            user.show_upvotes,
        )

    def checked(self) -> ProfileInput:
        """Raises ProfileError with a message for the user."""
        return check_profile(**vars(self))


def profile_form(
    display_name: Short = "",
    bio: Annotated[str, Form(max_length=2000)] = "",
    website: Short = "",
    github: Short = "",
    orcid: Short = "",
    scholar: Short = "",
    show_submissions: Annotated[bool, Form()] = False,
    show_comments: Annotated[bool, Form()] = False,
    show_upvotes: Annotated[bool, Form()] = False,
) -> ProfileForm:
    # An unticked checkbox sends nothing: absent means "private".
    return ProfileForm(
        display_name,
        bio,
        website,
        github,
        orcid,
        scholar,
        show_submissions,
        show_comments,
        show_upvotes,
    )


ProfileFormDep = Annotated[ProfileForm, Depends(profile_form)]
