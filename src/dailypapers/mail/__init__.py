"""Outgoing mail: one interface, an SMTP and a console implementation, and templates.

Every message kind has ``templates/email/<kind>/subject.txt``, ``body.txt`` and
``body.html``; :func:`render_email` turns a kind and a context into a two-part message.
Services queue notices with ``postman.Postman``; ``courier.Courier`` sends them.
"""

from dailypapers.mail.messages import render_email
from dailypapers.mail.transport import ConsoleMailer, Mailer, SmtpMailer, mailer_from_url

__all__ = [
    "ConsoleMailer",
    "Mailer",
    "SmtpMailer",
    "mailer_from_url",
    "render_email",
]
