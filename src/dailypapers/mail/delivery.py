"""What an SMTP answer means for a queued message: one policy for digests and notices.

The server's 250 is the only "sent". No answer at all (the connection broke) is not the
recipient's fault: the message goes back unchanged. A 4xx is retried with doubling waits
up to the last attempt; a 5xx for the recipient is permanent. A sender refused as a whole
(MAIL FROM, log-in) is a configuration problem: the run stops and the message waits.
"""

from __future__ import annotations

import smtplib
from dataclasses import dataclass
from email.message import EmailMessage
from enum import Enum

from dailypapers.mail.transport import Sender


class Verdict(Enum):
    SENT = "sent"
    REQUEUE = "requeue"  # no answer: try again later, not counted as an attempt
    RETRY = "retry"  # 4xx: try again later, counted
    GIVE_UP = "give-up"  # 4xx on the last attempt
    REJECTED = "rejected"  # 5xx for this recipient
    STOP = "stop"  # the server refuses us, whoever the recipient


@dataclass(frozen=True)
class Outcome:
    verdict: Verdict
    error: str = ""
    delay: float = 0.0  # seconds before the next try (REQUEUE, RETRY)
    code: int | None = None

    @property
    def metric_label(self) -> str:
        if self.verdict is Verdict.SENT:
            return "sent"
        return "no-answer" if self.code is None else f"{self.code // 100}xx"


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 5
    retry_seconds: float = 60.0

    def judge(self, exc: Exception | None, attempts: int) -> Outcome:
        """The outcome of one try of a message already tried ``attempts`` times
        (``exc`` None: the server said 250)."""
        if exc is None:
            return Outcome(Verdict.SENT)
        code, error = smtp_code(exc), describe(exc)
        if isinstance(exc, smtplib.SMTPSenderRefused | smtplib.SMTPAuthenticationError):
            return Outcome(Verdict.STOP, error, 0.0, code)
        if code is None:
            return Outcome(Verdict.REQUEUE, error, self.retry_seconds, code)
        if code >= 500:
            return Outcome(Verdict.REJECTED, error, 0.0, code)
        if attempts + 1 >= self.max_attempts:
            return Outcome(Verdict.GIVE_UP, error, 0.0, code)
        return Outcome(Verdict.RETRY, error, self.retry_seconds * 2**attempts, code)


def smtp_code(exc: Exception) -> int | None:
    """The SMTP reply code behind an exception; None when no answer came."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return min(int(code) for code, _ in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPResponseException):
        return int(exc.smtp_code)
    return None


def describe(exc: Exception) -> str:
    """The server's answer ("451 try later"), or the exception when none came."""
    code = smtp_code(exc)
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        detail = "; ".join(m.decode(errors="replace") for _, m in exc.recipients.values())
    elif isinstance(exc, smtplib.SMTPResponseException):
        message = exc.smtp_error
        detail = message.decode(errors="replace") if isinstance(message, bytes) else str(message)
    else:
        detail = f"{type(exc).__name__}: {exc}"
    return f"{code} {detail}" if code else detail


def attempt(connection: Sender, message: EmailMessage) -> Exception | None:
    """Send ``message`` once: None on 250, else the SMTP or socket error it raised."""
    try:
        connection.send(message)
    except (smtplib.SMTPException, OSError) as exc:
        return exc
    return None
