"""The mail outbox on both engines, against a real SMTP server: queued once, sent once,
retried when the server is down or says 4xx, given up on a 5xx, never sent stale."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from dailypapers.mail.courier import Courier, MailThread
from dailypapers.mail.delivery import RetryPolicy
from dailypapers.mail.outbox import MailQueue
from dailypapers.mail.postman import Postman
from dailypapers.mail.transport import SmtpMailer
from dailypapers.models import utcnow
from dailypapers.settings import Settings
from dailypapers.store import PaperStore
from dailypapers.worker.jobs import JobContext, configured_jobs, mail_job
from helpers import run_cli
from servers import SmtpSink

CONTEXT = {"username": "ada", "link": "http://x/verify?token=t", "hours": 48}


def post(queue: MailQueue, to: str, **options: object) -> bool:
    postman = Postman(queue, site_name="dailypapers", mail_from="papers@example.org")
    return postman.post("verify", CONTEXT, to=to, **options)  # type: ignore[arg-type]


def courier(queue: MailQueue, sink: SmtpSink, **policy: float) -> Courier:
    retry = RetryPolicy(int(policy.get("max_attempts", 3)), policy.get("retry_seconds", 0.0))
    return Courier(queue, SmtpMailer(sink.url), retry)


def statuses(queue: MailQueue) -> dict[str, int]:
    return {status: n for (_, status), n in queue.counts().items()}


def test_a_queued_mail_is_sent_once_with_its_queued_message_id(store: PaperStore) -> None:
    queue = MailQueue(store.db)
    sink = SmtpSink().start()
    try:
        assert post(queue, "ada@example.org")
        queued_id = queue.claim("peek", 1, lease=0)[0].message["Message-ID"]
        report = courier(queue, sink).deliver_ready()
        assert report.sent == 1 and courier(queue, sink).deliver_ready().sent == 0
        (mail,) = sink.wait_for("ada@example.org")
        assert mail["Message-ID"] == queued_id and mail["Subject"].startswith("Confirm")
        assert statuses(queue) == {"sent": 1}
    finally:
        sink.stop()


def test_a_server_that_is_down_delays_mail_and_loses_none(store: PaperStore) -> None:
    queue = MailQueue(store.db)
    sink = SmtpSink()  # its port is chosen, nothing listens yet
    post(queue, "ada@example.org")
    down = courier(queue, sink).deliver_ready()
    assert down.sent == 0 and down.outcomes == {"requeue": 1}
    assert queue.recent()[0].attempts == 0  # not the reader's fault: not counted
    assert "Connection" in (queue.recent()[0].last_error or "")
    sink.start()
    try:
        assert courier(queue, sink).deliver_ready().sent == 1
        assert len(sink.wait_for("ada@example.org")) == 1
    finally:
        sink.stop()


def test_4xx_is_retried_until_the_last_attempt_and_5xx_at_once(store: PaperStore) -> None:
    queue = MailQueue(store.db)
    answers = {"busy@example.org": "451 4.3.0 try later", "gone@example.org": "550 5.1.1 no such"}
    sink = SmtpSink(rcpt_rule=answers.get).start()
    try:
        for address in answers:
            post(queue, address)
        first = courier(queue, sink, max_attempts=3).deliver_ready()
        assert first.outcomes == {"retry": 1, "rejected": 1}
        for _ in range(3):  # retry_seconds=0: due again at once
            courier(queue, sink, max_attempts=3).deliver_ready()
        rows = {row.recipient: row for row in queue.recent()}
        assert rows["busy@example.org"].status == "failed"
        assert rows["busy@example.org"].attempts == 2  # the third try ended it
        assert rows["gone@example.org"].status == "rejected"
        assert "550" in (rows["gone@example.org"].last_error or "")
        assert sink.messages == []
        assert queue.requeue_failed() == 1 and statuses(queue)["pending"] == 1
    finally:
        sink.stop()


def test_a_key_queues_a_notice_once_and_a_stale_link_is_never_sent(store: PaperStore) -> None:
    queue = MailQueue(store.db)
    sink = SmtpSink().start()
    try:
        assert post(queue, "ada@example.org", key="reply:7:ada")
        assert not post(queue, "ada@example.org", key="reply:7:ada")
        assert post(queue, "bob@example.org", valid_for=timedelta(microseconds=1))
        courier(queue, sink).deliver_ready()
        assert statuses(queue) == {"sent": 1, "expired": 1}
        assert [str(m["To"]) for m in sink.messages] == ["ada@example.org"]
    finally:
        sink.stop()


def test_couriers_side_by_side_send_each_mail_exactly_once(store: PaperStore) -> None:
    queue = MailQueue(store.db)
    addresses = [f"reader{i}@example.org" for i in range(30)]
    for address in addresses:
        post(queue, address)
    queue.claim("a-courier-that-was-killed", 5, lease=0)  # its lease has already lapsed
    sink = SmtpSink().start()
    try:
        runs = [threading.Thread(target=courier(queue, sink).deliver_ready) for _ in range(3)]
        for run in runs:
            run.start()
        for run in runs:
            run.join(timeout=60)
        received = sorted(str(m["To"]) for m in sink.messages)
        assert received == sorted(addresses)
        assert statuses(queue) == {"sent": 30}
    finally:
        sink.stop()


def test_the_mail_thread_sends_as_soon_as_a_mail_is_queued(store: PaperStore) -> None:
    queue = MailQueue(store.db)
    sink = SmtpSink().start()
    thread = MailThread(courier(queue, sink), idle_seconds=600).start()  # only a wake helps
    try:
        postman = Postman(
            queue, site_name="dailypapers", mail_from="p@example.org", on_queued=thread.wake
        )
        postman.post("verify", CONTEXT, to="ada@example.org")
        assert len(sink.wait_for("ada@example.org", timeout=20)) == 1
    finally:
        thread.stop()
        sink.stop()


def test_a_header_injection_in_a_recipient_never_reaches_the_outbox(store: PaperStore) -> None:
    hostile = "ada@example.org\r\nBcc: all@example.org"
    with pytest.raises(ValueError):
        post(MailQueue(store.db), hostile)
    assert MailQueue(store.db).counts() == {}


def test_the_worker_job_sends_what_is_due(store: PaperStore, settings: Settings) -> None:
    sink = SmtpSink().start()
    settings.smtp_url = sink.url
    try:
        post(MailQueue(store.db), "ada@example.org")
        ctx = JobContext(store, settings, utcnow(), threading.Event())
        assert "'sent': 1" in mail_job(ctx)
        assert len(sink.wait_for("ada@example.org")) == 1
        assert "mail" in [job.name for job in configured_jobs(settings)]
    finally:
        sink.stop()


@pytest.mark.slow  # subprocesses
@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_the_cli_shows_failures_and_sends_them_again(
    store: PaperStore, env: dict[str, str]
) -> None:
    refuse = {"busy@example.org"}
    sink = SmtpSink(rcpt_rule=lambda a: "451 4.3.0 later" if a in refuse else None).start()
    env = env | {"DAILYPAPERS_SMTP_URL": sink.url, "DAILYPAPERS_DIGEST_MAX_ATTEMPTS": "1"}
    try:
        post(MailQueue(store.db), "busy@example.org")
        first = run_cli("mail", "send", env=env)
        assert first.returncode == 0 and "1 give-up" in first.stdout, first.stderr
        shown = run_cli("mail", "status", "--failed", env=env)
        assert "busy@example.org" in shown.stdout and "451" in shown.stdout
        refuse.clear()
        again = run_cli("mail", "send", "--retry-failed", env=env)
        assert "1 failed mails put back" in again.stdout and "1 sent" in again.stdout
        assert len(sink.wait_for("busy@example.org")) == 1
    finally:
        sink.stop()


def test_a_subject_beyond_ascii_reaches_a_server_without_smtputf8(store: PaperStore) -> None:
    """The sink speaks no SMTPUTF8: the queued message must carry encoded words."""
    queue = MailQueue(store.db)
    sink = SmtpSink().start()
    postman = Postman(queue, site_name="Café “papers” — 論文", mail_from="papers@example.org")
    try:
        assert postman.post("verify", CONTEXT, to="ada@example.org")
        assert courier(queue, sink).deliver_ready().sent == 1
        (mail,) = sink.wait_for("ada@example.org")
        assert "Café “papers” — 論文" in str(mail["Subject"])
    finally:
        sink.stop()
