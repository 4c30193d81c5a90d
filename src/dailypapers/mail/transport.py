"""Mail transports: SMTP (``DAILYPAPERS_SMTP_URL``) and the console for development."""

from __future__ import annotations

import smtplib
import ssl
import sys
from email.message import EmailMessage
from typing import Protocol, TextIO
from urllib.parse import unquote, urlsplit


class Mailer(Protocol):
    def send(self, message: EmailMessage) -> None:
        """Deliver ``message``; raises on failure."""


class ConsoleMailer:
    """Prints each message instead of sending it (the default without an SMTP URL)."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream

    def send(self, message: EmailMessage) -> None:
        out = self.stream or sys.stderr
        out.write(f"--- mail to {message['To']} ---\n{message.as_string()}\n--- end of mail ---\n")
        out.flush()


class SmtpMailer:
    """Sends through an SMTP server described by a URL.

    ``smtp://host:25``, ``smtp+starttls://user:pass@host:587`` or ``smtps://…:465``.
    """

    def __init__(self, url: str, *, timeout: float = 30.0) -> None:
        parts = urlsplit(url)
        if parts.scheme not in {"smtp", "smtp+starttls", "smtps"} or not parts.hostname:
            raise ValueError(
                f"unsupported SMTP URL {parts.scheme}://…: use smtp://, smtp+starttls:// "
                "or smtps://host[:port]"
            )
        self.scheme = parts.scheme
        self.host = parts.hostname
        self.port = parts.port or {"smtps": 465, "smtp+starttls": 587}.get(parts.scheme, 25)
        self.username = unquote(parts.username) if parts.username else None
        self.password = unquote(parts.password) if parts.password else None
        self.timeout = timeout

    def connect(self) -> smtplib.SMTP:
        """An open, authenticated connection (callers may reuse it for many messages)."""
        if self.scheme == "smtps":
            conn: smtplib.SMTP = smtplib.SMTP_SSL(
                self.host, self.port, timeout=self.timeout, context=ssl.create_default_context()
            )
        else:
            conn = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
            if self.scheme == "smtp+starttls":
                conn.starttls(context=ssl.create_default_context())
        if self.username:
            conn.login(self.username, self.password or "")
        return conn

    def send(self, message: EmailMessage) -> None:
        with self.connect() as conn:
            conn.send_message(message)


def mailer_from_url(url: str | None) -> Mailer:
    return SmtpMailer(url) if url else ConsoleMailer()
