"""Subscribing to digests: double opt-in, single-use confirmation, one-click unsubscribe.

Every answer to an anonymous request is the same ("check your inbox"), whether or not the
address was known. The confirmation link carries the requested preferences, signed; it
applies them only while the subscription's nonce still matches, so each link works once
and a newer request does not need the older link.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any, Literal

from itsdangerous import BadData, URLSafeSerializer, URLSafeTimedSerializer
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from dailypapers.accounts.service import AccountError, normalize_email
from dailypapers.db import Database
from dailypapers.digest.interests import Interests, SubscriptionError, check_frequency
from dailypapers.mail.postman import Postman
from dailypapers.models import Subscription, User, utcnow

CONFIRM_HOURS = 48
Outcome = Literal["check_inbox", "active"]


@dataclass(frozen=True)
class DigestSite:
    base_url: str
    site_name: str
    mail_from: str


def interests_of(sub: Subscription) -> Interests:
    return Interests(sub.query, tuple(sub.categories), tuple(sub.authors), sub.like_upvoted)


class SubscriptionRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    def get(self, subscription_id: int) -> Subscription | None:
        with Session(self.db.reader) as s:
            return s.get(Subscription, subscription_id)

    def by_email(self, email: str) -> Subscription | None:
        with Session(self.db.reader) as s:
            return s.scalars(select(Subscription).where(Subscription.email == email)).first()

    def ensure_pending(self, email: str) -> tuple[Subscription, str]:
        """The subscription row for ``email`` (created unconfirmed if new) and its nonce."""
        try:
            with Session(self.db.writer, expire_on_commit=False) as s, s.begin():
                s.add(Subscription(email=email, confirm_nonce=secrets.token_urlsafe(16)))
        except IntegrityError:
            pass  # known address, or a concurrent request for it: same outcome
        with Session(self.db.writer, expire_on_commit=False) as s, s.begin():
            row = s.scalars(select(Subscription).where(Subscription.email == email)).one()
            if row.confirm_nonce is None:
                row.confirm_nonce = secrets.token_urlsafe(16)
            return row, row.confirm_nonce

    def apply(
        self,
        subscription_id: int,
        frequency: str,
        interests: Interests,
        *,
        nonce: str | None = None,
        user_id: int | None = None,
    ) -> Subscription | None:
        """Confirm and set preferences; with ``nonce``, only if it is still the current one."""
        now = utcnow()
        values: dict[str, Any] = {
            "frequency": frequency,
            "query": interests.query,
            "categories": list(interests.categories),
            "authors": list(interests.authors),
            "like_upvoted": interests.like_upvoted,
            "confirm_nonce": None,
            "confirmed_at": now,
            "unsubscribed_at": None,
            "suppressed_at": None,
            "suppressed_reason": None,
            "updated_at": now,
        }
        if user_id is not None:
            values["user_id"] = user_id
        stmt = update(Subscription).where(Subscription.id == subscription_id)
        if nonce is not None:
            stmt = stmt.where(Subscription.confirm_nonce == nonce)
        with Session(self.db.writer, expire_on_commit=False) as s, s.begin():
            changed = s.execute(stmt.values(**values).returning(Subscription.id)).first()
            return s.get(Subscription, subscription_id) if changed else None

    def unsubscribe(self, subscription_id: int) -> Subscription | None:
        with Session(self.db.writer, expire_on_commit=False) as s, s.begin():
            row = s.get(Subscription, subscription_id)
            if row is not None and row.unsubscribed_at is None:
                row.unsubscribed_at = row.updated_at = utcnow()
            return row


class SubscriptionService:
    def __init__(self, repo: SubscriptionRepo, postman: Postman, secret: str, site: DigestSite):
        self.repo = repo
        self.postman = postman
        self.site = site
        self._confirm = URLSafeTimedSerializer(secret, salt="digest-confirm")
        self._unsubscribe = URLSafeSerializer(secret, salt="digest-unsubscribe")
        self._manage = URLSafeSerializer(secret, salt="digest-manage")

    # -- links -----------------------------------------------------------------------------
    def _url(self, path: str) -> str:
        return f"{self.site.base_url.rstrip('/')}{path}"

    def unsubscribe_path(self, subscription_id: int) -> str:
        return f"/unsubscribe/{self._unsubscribe.dumps(subscription_id)}"

    def unsubscribe_url(self, subscription_id: int) -> str:
        return self._url(self.unsubscribe_path(subscription_id))

    def manage_url(self, subscription_id: int) -> str:
        return self._url(f"/subscription/{self._manage.dumps(subscription_id)}")

    def _id_from(self, serializer: URLSafeSerializer, token: str) -> int:
        try:
            return int(serializer.loads(token))
        except (BadData, TypeError, ValueError) as exc:
            raise SubscriptionError("This link is not valid.") from exc

    # -- flows -----------------------------------------------------------------------------
    def subscribe(
        self, email: str, frequency: str, interests: Interests, *, user: User | None = None
    ) -> Outcome:
        """Start (or change) a subscription. Signed-in readers subscribing their own
        confirmed address need no confirmation mail; everyone else gets one."""
        try:
            address = normalize_email(email)
        except AccountError as exc:
            raise SubscriptionError(str(exc)) from exc
        check_frequency(frequency)
        own = user is not None and user.email == address and user.email_verified_at is not None
        if not own:
            interests = replace(interests, like_upvoted=False)  # needs an account
        row, nonce = self.repo.ensure_pending(address)
        if own and user is not None:
            self.repo.apply(row.id, frequency, interests, user_id=user.id)
            return "active"
        payload = {"s": row.id, "n": nonce, "f": frequency, **interests.to_dict()}
        link = self._url(f"/subscribe/confirm?token={self._confirm.dumps(payload)}")
        already = row.confirmed_at is not None and row.unsubscribed_at is None
        self.postman.post(
            "subscribe_confirm",
            to=address,
            valid_for=timedelta(hours=CONFIRM_HOURS),
            context={
                "link": link,
                "hours": CONFIRM_HOURS,
                "frequency": frequency,
                "interests": interests.describe(),
                "already": already,
            },
        )
        return "check_inbox"

    def confirm(self, token: str) -> Subscription:
        invalid = SubscriptionError("This confirmation link is invalid, already used or expired.")
        try:
            data = self._confirm.loads(token, max_age=CONFIRM_HOURS * 3600)
            sid, nonce, frequency = int(data["s"]), str(data["n"]), check_frequency(data["f"])
        except (BadData, KeyError, TypeError, ValueError) as exc:
            raise invalid from exc
        row = self.repo.apply(sid, frequency, Interests.from_dict(data), nonce=nonce)
        if row is None:
            raise invalid
        return row

    def unsubscribe(self, token: str) -> Subscription:
        row = self.repo.unsubscribe(self._id_from(self._unsubscribe, token))
        if row is None:
            raise SubscriptionError("This link is not valid.")
        return row

    def subscription_for_link(self, token: str) -> Subscription:
        row = self.repo.get(self._id_from(self._manage, token))
        if row is None:
            raise SubscriptionError("This link is not valid.")
        return row

    def update(self, subscription_id: int, frequency: str, interests: Interests) -> None:
        """Change a confirmed subscription's preferences (from its manage link or settings)."""
        row = self.repo.get(subscription_id)
        if row is None or row.confirmed_at is None:
            raise SubscriptionError("There is no confirmed subscription to change.")
        if row.user_id is None:
            interests = replace(interests, like_upvoted=False)  # needs an account
        self.repo.apply(subscription_id, check_frequency(frequency), interests)

    def for_user(self, user: User) -> Subscription | None:
        return self.repo.by_email(user.email)

    def cancel_for(self, user: User) -> None:
        """End the user's digest subscription, if they have one."""
        if (sub := self.for_user(user)) is not None:
            self.repo.unsubscribe(sub.id)
