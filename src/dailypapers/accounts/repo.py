"""Storage of users, sessions and API tokens (both engines, plain SQLAlchemy)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from dailypapers.accounts.secrets import new_token, token_hash
from dailypapers.db import Database
from dailypapers.models import ApiToken, SessionRecord, User, utcnow


class AccountExists(ValueError):
    """The e-mail address or username is taken."""


class AccountRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    def _read(self) -> Session:
        return Session(self.db.reader, expire_on_commit=False)

    def _write(self) -> Session:
        return Session(self.db.writer, expire_on_commit=False)

    # -- users ---------------------------------------------------------------------------
    def create_user(
        self,
        *,
        email: str,
        username: str,
        password_hash: str | None,
        is_admin: bool = False,
        verified: bool = False,
    ) -> User:
        """The one place accounts are made (sign-up and `dailypapers user create`); the
        caller has checked the address and the username."""
        user = User(
            email=email,
            username=username,
            password_hash=password_hash,
            is_admin=is_admin,
            email_verified_at=utcnow() if verified else None,
        )
        try:
            with self._write() as s, s.begin():
                s.add(user)
        except IntegrityError as exc:
            raise AccountExists(email) from exc
        return user

    def get(self, user_id: int) -> User | None:
        with self._read() as s:
            return s.get(User, user_id)

    def by_email(self, email: str) -> User | None:
        with self._read() as s:
            return s.scalars(select(User).where(User.email == email.strip().lower())).first()

    def by_username(self, username: str) -> User | None:
        """Usernames are unique regardless of case: 'Ada' finds 'ada'."""
        with self._read() as s:
            query = select(User).where(func.lower(User.username) == username.lower())
            return s.scalars(query).first()

    def username_taken(self, username: str) -> bool:
        return self.by_username(username) is not None

    def update_user(self, user_id: int, **values: object) -> None:
        with self._write() as s, s.begin():
            s.execute(update(User).where(User.id == user_id).values(**values))

    def set_password(self, user_id: int, password_hash: str) -> None:
        """Change the password and end every session of the user."""
        with self._write() as s, s.begin():
            s.execute(update(User).where(User.id == user_id).values(password_hash=password_hash))
            s.execute(delete(SessionRecord).where(SessionRecord.user_id == user_id))

    # -- sessions ------------------------------------------------------------------------
    def create_session(self, user_id: int, lifetime: timedelta) -> str:
        """A fresh random session token (the cookie value); only its hash is kept."""
        token = new_token()
        record = SessionRecord(
            token_hash=token_hash(token), user_id=user_id, expires_at=utcnow() + lifetime
        )
        with self._write() as s, s.begin():
            s.add(record)
        return token

    def session_user(self, token: str) -> User | None:
        """The active, unsuspended user behind a session token, or None."""
        with self._read() as s:
            row = s.execute(
                select(User)
                .join(SessionRecord, SessionRecord.user_id == User.id)
                .where(SessionRecord.token_hash == token_hash(token))
                .where(SessionRecord.expires_at > utcnow(), User.suspended_at.is_(None))
            ).first()
        return row[0] if row else None

    def end_session(self, token: str) -> None:
        with self._write() as s, s.begin():
            s.execute(delete(SessionRecord).where(SessionRecord.token_hash == token_hash(token)))

    # -- API tokens ----------------------------------------------------------------------
    def create_api_token(self, user_id: int, name: str) -> str:
        token = new_token("dp_")
        with self._write() as s, s.begin():
            s.add(ApiToken(user_id=user_id, name=name, token_hash=token_hash(token)))
        return token

    def api_tokens(self, user_id: int) -> list[ApiToken]:
        with self._read() as s:
            return list(
                s.scalars(select(ApiToken).where(ApiToken.user_id == user_id).order_by(ApiToken.id))
            )

    def delete_api_token(self, user_id: int, token_id: int) -> None:
        with self._write() as s, s.begin():
            s.execute(delete(ApiToken).where(ApiToken.id == token_id, ApiToken.user_id == user_id))

    def api_token_user(self, token: str) -> User | None:
        with self._read() as s:
            row = s.execute(
                select(User)
                .join(ApiToken, ApiToken.user_id == User.id)
                .where(ApiToken.token_hash == token_hash(token), User.suspended_at.is_(None))
            ).first()
        return row[0] if row else None
