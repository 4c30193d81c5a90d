"""The worker: cron slots in the site's time zone, one run per slot across workers, runs of a
killed worker taken over, SIGTERM handled — against real processes, on both engines."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from dailypapers.models import DigestOutbox, JobRun, utcnow
from dailypapers.search.embed import OnnxEmbedder
from dailypapers.settings import Settings
from dailypapers.store import PaperStore
from dailypapers.worker.jobs import Job, JobContext
from dailypapers.worker.runs import JobRunRepo
from dailypapers.worker.scheduler import Worker
from digest_corpus import add_subscribers, load_corpus
from helpers import run_cli, wait_until
from servers import SmtpSink, terminate_while_sending

MONDAY_AFTER = "2026-03-09T08:00"  # the week 2026-W10 is complete; its digest is due


def _noop(ctx: JobContext) -> str:
    return "ok"


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_due_slots_follow_the_cron_in_the_site_time_zone(
    store: PaperStore, settings: Settings
) -> None:
    settings.timezone = "Europe/Paris"
    worker = Worker(
        store, settings, [Job("weekly", "0 7 * * 1", _noop), Job("often", "*/10 * * * *", _noop)]
    )
    # Monday 07:00 in Paris is 06:00 UTC in winter; on Tuesday that is still the latest slot.
    assert worker.due_slot("weekly", datetime(2026, 3, 10, 12)) == datetime(2026, 3, 9, 6)
    assert worker.due_slot("weekly", datetime(2026, 3, 9, 5, 59)) == datetime(2026, 3, 2, 6)
    assert worker.due_slot("often", datetime(2026, 3, 9, 5, 59, 30)) == datetime(2026, 3, 9, 5, 50)
    assert worker.run_due(datetime(2026, 3, 10, 12)) == [
        "weekly 2026-03-09 06:00: ok",
        "often 2026-03-10 12:00: ok",
    ]
    assert worker.run_due(datetime(2026, 3, 10, 12)) == []  # nothing runs twice


def test_one_claim_per_slot_and_takeover_after_a_lapsed_lease(store: PaperStore) -> None:
    runs = JobRunRepo(store.db)
    slot = datetime(2026, 3, 9, 7)
    winners: list[str] = []

    def contend(name: str) -> None:
        if runs.claim("digest", slot, name, lease=60):
            winners.append(name)

    threads = [threading.Thread(target=contend, args=(f"w{i}",)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(winners) == 1
    assert not runs.claim("digest", slot, "late", lease=60)
    assert runs.claim("other", slot, "late", lease=0.01)  # a worker that then dies
    time.sleep(0.05)
    assert runs.recoverable() == [("other", slot)]
    assert runs.claim("other", slot, "rescuer", lease=60)
    assert not runs.renew("other", slot, "late", lease=60)  # the dead one lost it
    runs.finish("other", slot, "rescuer", "done", "ok")
    with store.session() as s:
        row = s.scalars(select(JobRun).where(JobRun.job == "other")).one()
    assert (row.status, row.worker, row.attempts) == ("done", "rescuer", 2)


def _worker_env(site_env: dict[str, str], **extra: str) -> dict[str, str]:
    return site_env | {
        "DAILYPAPERS_BASE_URL": "https://papers.example.org",
        "DAILYPAPERS_SCHEDULE_EMBED": "",
        "DAILYPAPERS_SCHEDULE_DAILY_DIGEST": "",
        "DAILYPAPERS_JOB_LEASE_SECONDS": "1",
        "DAILYPAPERS_DIGEST_CLAIM_SECONDS": "1",
        **extra,
    }


def _worker(env: dict[str, str]) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "dailypapers", "worker", "--once", "--now", MONDAY_AFTER]
    return subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def test_two_workers_run_a_job_once_and_a_killed_workers_job_is_taken_over(
    store: PaperStore, smtp: SmtpSink, site_env: dict[str, str]
) -> None:
    load_corpus(store, OnnxEmbedder())
    emails = add_subscribers(store, 120)
    env = _worker_env(site_env, DAILYPAPERS_DIGEST_RATE_PER_SECOND="40")
    first, second = _worker(env), _worker(env)
    deadline = time.monotonic() + 30
    while len(smtp.messages) < 10 and time.monotonic() < deadline:
        time.sleep(0.05)
    # Kill whichever worker owns the weekly digest, mid-run.
    with store.session() as s:
        owner = s.scalars(select(JobRun.worker).where(JobRun.job == "weekly-digest")).one()
    victim, survivor = (first, second) if owner.endswith(f":{first.pid}") else (second, first)
    victim.kill()
    victim.wait()
    survivor_out = survivor.communicate(timeout=60)[0]
    assert "weekly:2026-W10" not in survivor_out  # it left the claimed run alone
    sent_before = len(smtp.messages)
    assert sent_before < 120

    def lapsed() -> bool:  # the dead worker's lease (1 s here)
        with store.session() as s:
            lease = s.scalars(select(JobRun.lease_until).where(JobRun.job == "weekly-digest"))
            return lease.one() < utcnow()

    wait_until(lapsed, timeout=30, what="the dead worker's lease lapses")
    rescue = run_cli("worker", "--once", "--now", MONDAY_AFTER, env=env)
    assert rescue.returncode == 0, rescue.stderr
    assert "weekly-digest 2026-03-09 07:00: weekly:2026-W10" in rescue.stdout
    received = [str(m["To"]) for m in smtp.messages]
    assert set(received) == set(emails) and len(received) - len(set(received)) <= 1
    with store.session() as s:
        run = s.scalars(select(JobRun).where(JobRun.job == "weekly-digest")).one()
        assert (run.status, run.attempts) == ("done", 2)
        assert set(s.scalars(select(DigestOutbox.status))) == {"sent"}


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_sigterm_finishes_the_current_mail_and_exits_quickly(
    store: PaperStore, smtp: SmtpSink, site_env: dict[str, str]
) -> None:
    from dailypapers.records import PaperRecord

    last_week = utcnow().date() - timedelta(days=7)  # the period a weekly run sends now
    store.upsert_papers(
        [PaperRecord(arxiv_id="2611.00001", title="Last week", daily_day=last_week, upvotes=3)]
    )
    add_subscribers(store, 200)
    env = _worker_env(
        site_env,
        DAILYPAPERS_DIGEST_RATE_PER_SECOND="20",
        DAILYPAPERS_SCHEDULE_WEEKLY_DIGEST="* * * * *",  # due now, whatever the date
        DAILYPAPERS_JOB_LEASE_SECONDS="60",
    )
    worker = subprocess.Popen(
        [sys.executable, "-m", "dailypapers", "worker"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    _, err, seconds = terminate_while_sending(worker, smtp)
    assert smtp.messages, "the worker should be sending"
    assert worker.returncode == 0, err
    print(f"worker exited {seconds:.2f} s after SIGTERM")
    assert "worker stopped" in err
    with store.session() as s:
        run = s.scalars(select(JobRun).where(JobRun.job == "weekly-digest")).one()
        pending = s.scalars(select(DigestOutbox).where(DigestOutbox.status == "pending")).all()
    assert run.status == "running" and run.lease_until <= utcnow() + timedelta(seconds=1)
    assert pending and all(row.claimed_until is None for row in pending)  # handed back


def test_crontab_weekdays_mean_what_cron_means() -> None:
    from dailypapers.worker.scheduler import _weekdays

    assert _weekdays("1") == "mon" and _weekdays("0") == _weekdays("7") == "sun"
    assert _weekdays("1-5") == "mon,tue,wed,thu,fri"
    assert _weekdays("0-6/2") == "sun,tue,thu,sat"
    assert _weekdays("*") == "*" and _weekdays("sat,sun") == "sat,sun"
