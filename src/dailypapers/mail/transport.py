"""Mail transports: SMTP (``DAILYPAPERS_SMTP_URL``) and the console for development."""

from __future__ import annotations

import contextlib
import smtplib
import ssl
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import EmailMessage
from typing import Protocol, TextIO
from urllib.parse import unquote, urlsplit

from dailypapers.mail.dkim import DkimSigner


class Sender(Protocol):
    def send(self, message: EmailMessage) -> None:
        """Deliver ``message``; raises (smtplib's exceptions for SMTP answers) on failure."""


class Mailer(Sender, Protocol):
    def session(self) -> contextlib.AbstractContextManager[Sender]:
        """One connection for many messages (a digest run)."""


class ConsoleMailer:
    """Prints each message instead of sending it (the default without an SMTP URL)."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream

    def send(self, message: EmailMessage) -> None:
        out = self.stream or sys.stderr
        out.write(f"--- mail to {message['To']} ---\n{message.as_string()}\n--- end of mail ---\n")
        out.flush()

    @contextmanager
    def session(self) -> Iterator[Sender]:
        yield self


class SmtpMailer:
    """Sends through an SMTP server described by a URL.

    ``smtp://host:25``, ``smtp+starttls://user:pass@host:587`` or ``smtps://…:465``.
    """

    def __init__(self, url: str, *, timeout: float = 30.0, dkim: DkimSigner | None = None) -> None:
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
        self.dkim = dkim

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
        with self.session() as connection:
            connection.send(message)

    @contextmanager
    def session(self) -> Iterator[Sender]:
        connection = _Connection(self)
        try:
            yield connection
        finally:
            connection.close()


class _Connection:
    """An SMTP connection that opens on first use and reopens after the server drops it."""

    def __init__(self, mailer: SmtpMailer) -> None:
        self.mailer = mailer
        self.conn: smtplib.SMTP | None = None

    def send(self, message: EmailMessage) -> None:
        if self.mailer.dkim is not None:
            self.mailer.dkim.sign(message)
        if self.conn is None:
            self.conn = self.mailer.connect()
        try:
            self.conn.send_message(message)
        except (smtplib.SMTPServerDisconnected, OSError):
            self.close()  # the next message reconnects; this one's outcome is unknown
            raise

    def close(self) -> None:
        if self.conn is not None:
            with contextlib.suppress(smtplib.SMTPException, OSError):
                self.conn.quit()
            self.conn = None


def mailer_from_url(url: str | None, *, dkim: DkimSigner | None = None) -> Mailer:
    return SmtpMailer(url, dkim=dkim) if url else ConsoleMailer()
