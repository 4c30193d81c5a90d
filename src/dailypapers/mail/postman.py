"""What services call to send a notice: render it, queue it, wake the sender.

A page never talks to the mail server: a slow or broken one can neither slow the page nor
lose the mail (the outbox keeps it and the sender retries it).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from dailypapers.mail.messages import render_email
from dailypapers.mail.outbox import MailQueue


class Postman:
    def __init__(
        self,
        queue: MailQueue,
        *,
        site_name: str,
        mail_from: str,
        on_queued: Callable[[], None] | None = None,
    ) -> None:
        self.queue = queue
        self.site_name = site_name
        self.mail_from = mail_from
        self.on_queued = on_queued  # the serve process's mail thread, so it sends at once

    def wake(self) -> None:
        """Tell the sender there may be work (a notification to mail)."""
        if self.on_queued is not None:
            self.on_queued()

    def post(
        self,
        kind: str,
        context: dict[str, Any],
        *,
        to: str,
        key: str | None = None,
        valid_for: timedelta | None = None,
        headers: dict[str, str] | None = None,
    ) -> bool:
        """Queue a ``kind`` mail to ``to``; False when one with ``key`` was queued before.
        ``valid_for``: how long its content (a link) stays useful; later it is not sent."""
        context = {"site_name": self.site_name, **context}
        message = render_email(kind, context, to=to, sender=self.mail_from, headers=headers)
        queued = self.queue.enqueue(kind, message, key=key, valid_for=valid_for)
        if queued:
            self.wake()
        return queued
