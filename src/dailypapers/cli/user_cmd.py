"""`dailypapers user …`: account administration."""

from __future__ import annotations

import sys

import typer
from argon2 import PasswordHasher

from dailypapers.cli.common import EXIT_BAD_INPUT, console, fail, load_settings, opened_store
from dailypapers.store import DuplicateUser

app = typer.Typer(help="User accounts.", no_args_is_help=True)
MIN_PASSWORD_LENGTH = 8


@app.command("create")
def create(
    email: str = typer.Argument(..., help="The user's e-mail address."),
    admin: bool = typer.Option(False, "--admin", help="Make the user a moderator."),
    password_stdin: bool = typer.Option(
        False,
        "--password-stdin",
        help="Read the password from standard input; otherwise "
        "the user sets one through a password reset.",
    ),
) -> None:
    """Create a verified user account."""
    if "@" not in email or len(email) > 320 or any(c.isspace() for c in email.strip()):
        fail(f"{email!r} is not an e-mail address", code=EXIT_BAD_INPUT)
    password_hash = None
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
        if len(password) < MIN_PASSWORD_LENGTH:
            fail(
                f"the password must have at least {MIN_PASSWORD_LENGTH} characters",
                code=EXIT_BAD_INPUT,
            )
        password_hash = PasswordHasher().hash(password)
    settings = load_settings()
    with opened_store(settings) as store:
        try:
            user = store.create_user(
                email, password_hash=password_hash, is_admin=admin, verified=True
            )
        except DuplicateUser as exc:
            fail(str(exc), code=EXIT_BAD_INPUT)
    role = "admin" if user.is_admin else "user"
    console.print(f"created {role} {user.email} (id {user.id})")
