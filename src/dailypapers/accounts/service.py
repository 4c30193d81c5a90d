"""Account flows: sign up, verify, log in, reset a password.

Answers never reveal whether an address is registered: signing up with a known address
sends that address a "you already have an account" mail and shows the same page as a
new sign-up; a reset request always says "if the address is registered, we sent a link".
Nor does their timing: the request checks only what it can say out loud (the form's
values), and the work that differs between a known and an unknown address (hashing the
password, writing the account, queueing a mail) runs after the answer, in a background
thread. Mail goes through the outbox (mail/outbox.py): a slow mail server slows no page.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from email_validator import EmailNotValidError, validate_email
from itsdangerous import BadData, URLSafeTimedSerializer

from dailypapers.accounts.names import UsernameError, check_username
from dailypapers.accounts.repo import AccountExists, AccountRepo
from dailypapers.accounts.secrets import hash_password, password_problem, verify_password
from dailypapers.errors import InvalidInput, NotFound
from dailypapers.mail.postman import Postman
from dailypapers.models import ApiToken, User, utcnow

log = logging.getLogger(__name__)
VERIFY_HOURS = 48
RESET_HOURS = 2


Deferred = Callable[[], None]  # account work to run once the visitor has their answer


def _nothing() -> None:
    pass


class AccountError(InvalidInput):
    """A problem to show the user, worded for them."""


class UserNotFound(NotFound):
    pass


@dataclass(frozen=True)
class SiteInfo:
    base_url: str
    site_name: str
    mail_from: str
    session_lifetime: timedelta


def normalize_email(email: str) -> str:
    """One address, checked by email-validator and lower-cased in ASCII (punycode domain):
    no display names, lists, quoted parts or RFC 2047 encoded words, which mail headers
    would read as something else."""
    text = email.strip()
    if "=?" in text or len(text) > 254:
        raise AccountError("Please enter a valid e-mail address, like ada@example.org.")
    try:
        checked = validate_email(
            text,
            check_deliverability=False,  # no DNS at run time
            allow_smtputf8=False,
            allow_display_name=False,
            allow_quoted_local=False,
            allow_domain_literal=False,
        )
    except EmailNotValidError as exc:
        raise AccountError(f"Please enter a valid e-mail address: {exc}") from None
    return str(checked.ascii_email).lower()


def _fingerprint(password_hash: str | None) -> str:
    return hashlib.sha256((password_hash or "").encode()).hexdigest()[:16]


class AccountService:
    def __init__(self, repo: AccountRepo, postman: Postman, secret: str, site: SiteInfo) -> None:
        self.repo = repo
        self.postman = postman
        self.site = site
        self._signer = URLSafeTimedSerializer(secret)

    @staticmethod
    def _later(work: Callable[..., None], *args: str) -> Deferred:
        """``work`` as a job for after the answer (the web layer runs it once the response
        is sent); a failure is logged, never raised: the visitor already has their answer."""

        def run() -> None:
            try:
                work(*args)
            except Exception:
                log.exception("account work %s failed", work.__name__)

        return run

    # -- mail ------------------------------------------------------------------------------
    def _mail(self, kind: str, to: str, context: dict[str, Any], hours: int | None = None) -> None:
        valid_for = timedelta(hours=hours) if hours else None
        self.postman.post(kind, context, to=to, valid_for=valid_for)

    def _link(self, path: str, token: str) -> str:
        return f"{self.site.base_url.rstrip('/')}{path}?token={token}"

    def send_verification(self, user: User) -> None:
        token = self._signer.dumps({"uid": user.id, "email": user.email}, salt="verify")
        self._mail(
            "verify",
            user.email,
            {
                "username": user.username,
                "link": self._link("/verify", token),
                "hours": VERIFY_HOURS,
            },
            VERIFY_HOURS,
        )

    # -- flows -----------------------------------------------------------------------------
    def sign_up(self, *, email: str, username: str, password: str) -> Deferred:
        """Check the form; the returned job creates the unverified account and mails a
        confirmation link (or, for a known address, a "you already have an account" mail)."""
        email = normalize_email(email)
        try:
            check_username(username)
        except UsernameError as exc:
            raise AccountError(str(exc)) from None
        if problem := password_problem(password):
            raise AccountError(problem)
        if self.repo.username_taken(username):  # names are public: saying so reveals nothing
            raise AccountError("That username is taken; please choose another.")
        return self._later(self._register, email, username, password)

    def _register(self, email: str, username: str, password: str) -> None:
        if self.repo.by_email(email) is not None:
            base = self.site.base_url.rstrip("/")
            self._mail(
                "already_registered",
                email,
                {"login_link": f"{base}/login", "reset_link": f"{base}/password-reset"},
            )
            return
        try:
            user = self.repo.create_user(
                email=email, username=username, password_hash=hash_password(password)
            )
        except AccountExists:
            log.info("sign-up raced another for %s or %s", email, username)
            return
        self.send_verification(user)

    def verify_email(self, token: str) -> tuple[User, bool]:
        """The user a confirmation link names, and whether this use confirmed the address
        (False when it was confirmed before: the link has been used)."""
        try:
            data = self._signer.loads(token, salt="verify", max_age=VERIFY_HOURS * 3600)
        except BadData as exc:
            raise AccountError("This confirmation link is invalid or has expired.") from exc
        user = self.repo.get(int(data["uid"]))
        if user is None or user.email != data["email"]:
            raise AccountError("This confirmation link is invalid or has expired.")
        if user.email_verified_at is not None:
            return user, False
        self.repo.update_user(user.id, email_verified_at=utcnow())
        user.email_verified_at = utcnow()
        return user, True

    def authenticate(self, *, email: str, password: str) -> User:
        """The user with these credentials; raises with one message for every failure."""
        wrong = AccountError("Wrong e-mail address or password.")
        try:
            email = normalize_email(email)
        except AccountError:
            raise wrong from None
        user = self.repo.by_email(email)
        if not verify_password(user.password_hash if user else None, password) or user is None:
            raise wrong
        if user.suspended_at is not None:
            raise AccountError("This account is suspended.")
        if user.email_verified_at is None:
            self.send_verification(user)
            raise AccountError("Please confirm your e-mail address first: we sent you a new link.")
        return user

    # -- sessions, API tokens, profiles -----------------------------------------------
    def start_session(self, user: User) -> str:
        return self.repo.create_session(user.id, self.site.session_lifetime)

    def session_user(self, token: str) -> User | None:
        return self.repo.session_user(token)

    def end_session(self, token: str) -> None:
        self.repo.end_session(token)

    def token_user(self, token: str) -> User | None:
        """The active user a personal API token belongs to (None: unknown or revoked)."""
        return self.repo.api_token_user(token)

    def api_tokens(self, user: User) -> list[ApiToken]:
        return self.repo.api_tokens(user.id)

    def create_api_token(self, user: User, name: str) -> str:
        """A new token's secret, shown once: only its hash is kept."""
        return self.repo.create_api_token(user.id, name.strip() or "token")

    def revoke_api_token(self, user: User, token_id: int) -> None:
        self.repo.delete_api_token(user.id, token_id)

    def profile(self, username: str) -> User:
        found = self.repo.by_username(username)
        if found is None:
            raise UserNotFound(f"No user {username}.")
        return found

    def request_password_reset(self, email: str) -> Deferred:
        """The job that mails a reset link if the address has an account (run after the
        answer, so the answer takes as long either way)."""
        try:
            address = normalize_email(email)
        except AccountError:
            return _nothing
        return self._later(self._send_reset, address)

    def _send_reset(self, email: str) -> None:
        user = self.repo.by_email(email)
        if user is None or user.suspended_at is not None:
            return
        payload = {"uid": user.id, "fp": _fingerprint(user.password_hash)}
        token = self._signer.dumps(payload, salt="reset")
        link = self._link("/password-reset/confirm", token)
        self._mail("password_reset", user.email, {"link": link, "hours": RESET_HOURS}, RESET_HOURS)

    def check_reset_token(self, token: str) -> User:
        invalid = AccountError("This reset link is invalid, used or expired.")
        try:
            data = self._signer.loads(token, salt="reset", max_age=RESET_HOURS * 3600)
        except BadData as exc:
            raise invalid from exc
        user = self.repo.get(int(data["uid"]))
        if user is None or _fingerprint(user.password_hash) != data["fp"]:
            raise invalid
        return user

    def reset_password(self, token: str, new_password: str) -> User:
        user = self.check_reset_token(token)
        if problem := password_problem(new_password):
            raise AccountError(problem)
        self.repo.set_password(user.id, hash_password(new_password))
        if user.email_verified_at is None:  # the mail reached them: the address works
            self.repo.update_user(user.id, email_verified_at=utcnow())
        return user
