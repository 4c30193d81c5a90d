"""Rendering e-mail from per-kind templates into plain-text + HTML messages."""

from __future__ import annotations

from email import policy
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from dailypapers.text import counted

TEMPLATES = Path(__file__).parent / "templates"
# Headers beyond ASCII travel as RFC 2047 encoded words (a server without SMTPUTF8 takes
# them), and are never folded: Python's folder drops the space between two encoded words
# it splits at, so "“papers” — 論文" would arrive as "“papers”— 論文". 998 is RFC 5322's limit.
MAIL_POLICY = policy.default.clone(max_line_length=998)
WIRE_POLICY = MAIL_POLICY.clone(linesep="\r\n")  # the bytes smtplib puts on the wire

_env = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,
    keep_trailing_newline=True,
)
_env.filters["counted"] = counted


def render_email(
    kind: str,
    context: dict[str, Any],
    *,
    to: str,
    sender: str,
    message_id: str | None = None,
    headers: dict[str, str] | None = None,
) -> EmailMessage:
    """A multipart/alternative message for ``kind`` rendered with ``context``."""
    subject = _env.get_template(f"email/{kind}/subject.txt").render(context).strip()
    message = EmailMessage(policy=MAIL_POLICY)
    message["Subject"] = " ".join(subject.split())  # never a header injection
    message["From"] = sender
    message["To"] = to
    message["Date"] = formatdate(localtime=False, usegmt=True)
    domain = sender.rpartition("@")[2].strip(">") or "localhost"
    message["Message-ID"] = message_id or make_msgid(domain=domain)
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(_env.get_template(f"email/{kind}/body.txt").render(context))
    message.add_alternative(
        _env.get_template(f"email/{kind}/body.html").render(context), subtype="html"
    )
    return message
