"""`dailypapers user …`: account administration."""

from __future__ import annotations

import sys

import typer

from dailypapers.accounts.names import UsernameError, check_username, derive_username
from dailypapers.accounts.repo import AccountExists, AccountRepo
from dailypapers.accounts.secrets import hash_password, password_problem
from dailypapers.accounts.service import AccountError, normalize_email
from dailypapers.cli.common import EXIT_BAD_INPUT, console, fail, load_settings, opened_store

app = typer.Typer(help="User accounts.", no_args_is_help=True)


@app.command("create")
def create(
    email: str = typer.Argument(..., help="The user's e-mail address."),
    username: str = typer.Option(
        "", "--username", help="Public name (default: derived from the address)."
    ),
    admin: bool = typer.Option(False, "--admin", help="Make the user a moderator."),
    password_stdin: bool = typer.Option(
        False,
        "--password-stdin",
        help="Read the password from standard input; otherwise "
        "the user sets one through a password reset.",
    ),
) -> None:
    """Create a verified user account."""
    try:
        address = normalize_email(email)
        if username:
            check_username(username)
    except (AccountError, UsernameError) as exc:
        fail(str(exc), code=EXIT_BAD_INPUT)
    password_hash = _password_from_stdin() if password_stdin else None
    with opened_store(load_settings()) as store:
        repo = AccountRepo(store.db)
        if repo.by_email(address) is not None:
            fail(f"a user with e-mail {address} already exists", code=EXIT_BAD_INPUT)
        if username and repo.username_taken(username):
            fail(f"the username {username!r} is taken", code=EXIT_BAD_INPUT)
        name = username or derive_username(address, repo.username_taken)
        try:
            user = repo.create_user(
                email=address,
                username=name,
                password_hash=password_hash,
                is_admin=admin,
                verified=True,
            )
        except AccountExists:
            fail(f"a user with e-mail {address} already exists", code=EXIT_BAD_INPUT)  # a race
    role = "admin" if user.is_admin else "user"
    console.print(f"created {role} {user.username} <{user.email}> (id {user.id})")


def _password_from_stdin() -> str:
    password = sys.stdin.readline().rstrip("\n")
    if problem := password_problem(password):
        fail(problem, code=EXIT_BAD_INPUT)
    return hash_password(password)
