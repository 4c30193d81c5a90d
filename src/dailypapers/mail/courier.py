"""Delivering the mail outbox: in `serve` (a thread woken by each new mail) and the worker.

Outcomes follow delivery.py. Any number of couriers may run at once: each claims its own
rows, so none is sent twice.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from dailypapers.mail.delivery import RetryPolicy, Verdict, attempt
from dailypapers.mail.outbox import MailQueue, QueuedMail
from dailypapers.mail.transport import Mailer, Sender
from dailypapers.metrics import MAILS
from dailypapers.models import utcnow

log = logging.getLogger(__name__)


@dataclass
class CourierReport:
    outcomes: dict[str, int] = field(default_factory=dict)  # verdict → mails
    stopped: str | None = None  # why the run ended early (the server refuses us)

    def add(self, verdict: Verdict) -> None:
        self.outcomes[verdict.value] = self.outcomes.get(verdict.value, 0) + 1

    @property
    def sent(self) -> int:
        return self.outcomes.get(Verdict.SENT.value, 0)


class Courier:
    def __init__(
        self,
        queue: MailQueue,
        mailer: Mailer,
        policy: RetryPolicy,
        *,
        lease_seconds: float = 120.0,
        batch: int = 20,
    ) -> None:
        self.queue = queue
        self.mailer = mailer
        self.policy = policy
        self.lease_seconds = lease_seconds
        self.batch = batch
        self.worker = f"{socket.gethostname()}:{os.getpid()}:{time.monotonic_ns()}"

    def deliver_ready(self, stop: threading.Event | None = None) -> CourierReport:
        """Send every mail that is due now, each at most once: a retry that falls due
        during the run waits for the next run."""
        stop = stop or threading.Event()
        report = CourierReport()
        tried: set[int] = set()
        with self.mailer.session() as connection:
            while not stop.is_set() and report.stopped is None:
                mails = self.queue.claim(self.worker, self.batch, self.lease_seconds)
                fresh = [mail for mail in mails if mail.id not in tried]
                for mail in mails:
                    if stop.is_set() or report.stopped is not None or mail.id in tried:
                        self.queue.release(mail.id)  # for the next run
                    else:
                        tried.add(mail.id)
                        self._deliver(connection, mail, report)
                if not fresh:
                    break
        return report

    def _deliver(self, connection: Sender, mail: QueuedMail, report: CourierReport) -> None:
        if mail.expired:
            self.queue.finish(mail.id, "expired", "its link expired before it could be sent")
            return
        outcome = self.policy.judge(attempt(connection, mail.message), mail.attempts)
        MAILS.labels(mail.kind, outcome.metric_label).inc()
        report.add(outcome.verdict)
        verdict = outcome.verdict
        if verdict is Verdict.SENT:
            self.queue.mark_sent(mail.id)
        elif verdict is Verdict.RETRY:
            self.queue.retry_later(mail.id, outcome.error, outcome.delay, count=True)
        elif verdict is Verdict.REQUEUE:  # no answer: the rest would fare no better
            self.queue.retry_later(mail.id, outcome.error, outcome.delay, count=False)
            report.stopped = f"the mail server is unreachable: {outcome.error}"
            log.warning("mail not sent: %s", report.stopped)
        elif verdict is Verdict.STOP:
            self.queue.retry_later(mail.id, outcome.error, self.policy.retry_seconds, count=False)
            report.stopped = f"the mail server refused us: {outcome.error}"
            log.error("mail not sent: %s", report.stopped)
        else:
            status = "rejected" if verdict is Verdict.REJECTED else "failed"
            self.queue.finish(mail.id, status, outcome.error)
            log.warning("%s mail to %s %s: %s", mail.kind, mail.recipient, status, outcome.error)


class MailThread:
    """`serve`'s courier: sends each mail as soon as it is queued, and retries when due."""

    def __init__(
        self,
        courier: Courier,
        *,
        idle_seconds: float = 30.0,
        before_pass: Callable[[], object] | None = None,
    ) -> None:
        self.courier = courier
        self.before_pass = before_pass  # queues mail first (notifications): see people/
        self.idle_seconds = idle_seconds
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="mail", daemon=True)

    def start(self) -> MailThread:
        self._thread.start()
        return self

    def wake(self) -> None:
        self._wake.set()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.clear()
            try:
                if self.before_pass is not None:
                    self.before_pass()
                self.courier.deliver_ready(self._stop)
                wait = self._until_due()
            except Exception:  # keep serving; try again after a pause
                log.exception("sending queued mail failed")
                wait = self.idle_seconds
            self._wake.wait(wait)

    def _until_due(self) -> float:
        due = self.courier.queue.next_wake()
        if due is None:
            return self.idle_seconds
        return min(max((due - utcnow()).total_seconds(), 0.05), self.idle_seconds)
