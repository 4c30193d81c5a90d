"""What a service refuses, by kind: every user-facing error is one of these.

Services raise them with a message worded for the person who asked; the web maps each kind
to an HTTP status in one table (dailypapers.web.errors), the CLI to an exit code. A
domain error subclasses the kind it is, first in its bases when it has several (a period
that does not exist is a bad period, but above all not found).
"""

from __future__ import annotations


class ServiceError(Exception):
    """A request the service will not carry out; ``str()`` is the message to show."""


class InvalidInput(ServiceError, ValueError):
    """The request itself is wrong: a malformed id, an empty comment, a bad choice."""


class NotFound(ServiceError, LookupError):
    """What the request names does not exist here."""


class Forbidden(ServiceError, PermissionError):
    """Not this user's to do (or not without logging in)."""


class Conflict(ServiceError):
    """It clashes with the current state: already done, already there."""


class LimitReached(ServiceError):
    """A quota is used up for now (daily submissions, sign-up attempts)."""


class Unavailable(ServiceError):
    """Something the service needs (arXiv, the mail server) did not answer; try again."""
