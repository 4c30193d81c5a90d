"""The worker process: APScheduler fires each job on its cron schedule (in the site's time
zone); the database decides which worker runs a given scheduled run.

Every 30 s (and at start) the worker also runs whatever is due but has no run yet (missed
while no worker was up) and takes over runs whose worker died. SIGTERM stops taking work,
lets the running jobs finish their current unit (a page, a mail, a batch), hands the rest
back, and exits.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import threading
from datetime import UTC, datetime, timedelta
from types import FrameType
from zoneinfo import ZoneInfo

from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger

from dailypapers.models import utcnow
from dailypapers.periods import zone
from dailypapers.settings import Settings
from dailypapers.store import PaperStore
from dailypapers.worker.jobs import Job, JobContext, Stopped
from dailypapers.worker.runs import JobRunRepo

log = logging.getLogger(__name__)
LOOKBACK = timedelta(days=8)  # how far back a missed run is still caught up
RECOVERY_SECONDS = 30


_DAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _weekdays(field: str) -> str:
    """A crontab day-of-week field with numbers (0 or 7 = Sunday) as names: APScheduler 3
    counts 0 = Monday, so numbers would shift every weekly schedule by a day."""
    parts = []
    for part in field.split(","):
        spec, _, step = part.partition("/")
        first, _, last = spec.partition("-")
        if not first.isdigit() or (last and not last.isdigit()):
            parts.append(part)  # *, names, */n: APScheduler reads those like cron does
            continue
        days = range(int(first), int(last or first) + 1, int(step or 1))
        parts.extend(_DAYS[day % 8] for day in days)
    return ",".join(dict.fromkeys(parts))


def cron_trigger(expression: str, tz: ZoneInfo) -> CronTrigger:
    """A trigger for a standard five-field crontab expression."""
    fields = expression.split()
    if len(fields) != 5:
        raise ValueError(f"{expression!r}: a cron schedule has five fields (m h dom mon dow)")
    minute, hour, day, month, weekday = fields
    return CronTrigger(
        minute=minute,
        hour=hour,
        day=day,
        month=month,
        day_of_week=_weekdays(weekday),
        timezone=tz,
    )


class Worker:
    def __init__(self, store: PaperStore, settings: Settings, jobs: list[Job]) -> None:
        self.store = store
        self.settings = settings
        self.jobs = {job.name: job for job in jobs}
        self.tz = zone(settings.timezone)
        self.triggers = {job.name: cron_trigger(job.cron, self.tz) for job in jobs}
        self.runs = JobRunRepo(store.db)
        self.name = f"{socket.gethostname()}:{os.getpid()}"
        self.stop = threading.Event()
        self._scheduler: BlockingScheduler | None = None

    # -- what is due ---------------------------------------------------------------------
    def due_slot(self, name: str, now: datetime) -> datetime | None:
        """The latest scheduled time of ``name`` at or before ``now`` (naive UTC), if recent."""
        trigger = self.triggers[name]
        aware_now = now.replace(tzinfo=UTC)
        fire = trigger.get_next_fire_time(None, aware_now - LOOKBACK)
        latest = None
        while fire is not None and fire <= aware_now:
            latest = fire
            fire = trigger.get_next_fire_time(fire, fire + timedelta(seconds=1))
        return latest.astimezone(UTC).replace(tzinfo=None) if latest else None

    def run_due(self, now: datetime | None = None) -> list[str]:
        """Run every job whose latest slot has no run yet, and every abandoned run."""
        now = now or utcnow()
        done = []
        for name in self.jobs:
            slot = self.due_slot(name, now)
            if slot is not None and not self.runs.seen(name, slot):
                done.append(self.execute(name, slot))
        for name, slot in self.runs.recoverable():
            if name in self.jobs and not self.stop.is_set():
                done.append(self.execute(name, slot))
        return done

    # -- one run -------------------------------------------------------------------------
    def execute(self, name: str, slot: datetime) -> str:
        lease = self.settings.job_lease_seconds
        if self.stop.is_set() or not self.runs.claim(name, slot, self.name, lease):
            return f"{name} {slot:%Y-%m-%d %H:%M}: claimed by another worker"
        beating = threading.Event()
        heart = threading.Thread(target=self._heartbeat, args=(name, slot, beating), daemon=True)
        heart.start()
        context = JobContext(self.store, self.settings, slot, self.stop)
        try:
            summary = self.jobs[name].run(context)
        except Stopped:
            self.runs.release(name, slot, self.name)
            summary = "stopped; handed back"
        except Exception as exc:  # a failing job is recorded and retried, never fatal
            log.exception("job %s (%s) failed", name, slot)
            self.runs.finish(name, slot, self.name, "failed", f"{type(exc).__name__}: {exc}")
            summary = f"failed: {exc}"
        else:
            self.runs.finish(name, slot, self.name, "done", summary)
        finally:
            beating.set()
            heart.join()
        log.info("job %s %s: %s", name, slot.isoformat(), summary)
        return f"{name} {slot:%Y-%m-%d %H:%M}: {summary}"

    def _heartbeat(self, name: str, slot: datetime, done: threading.Event) -> None:
        interval = self.settings.job_lease_seconds / 3
        while not done.wait(interval):
            if not self.runs.renew(name, slot, self.name, self.settings.job_lease_seconds):
                log.warning("lost the claim on %s %s", name, slot)
                return

    # -- the long-running process -----------------------------------------------------------
    def serve(self) -> None:
        scheduler = BlockingScheduler(timezone=self.tz)
        self._scheduler = scheduler
        for name, trigger in self.triggers.items():
            scheduler.add_job(
                self._fire,
                trigger,
                args=[name],
                id=name,
                coalesce=True,
                max_instances=1,
                misfire_grace_time=3600,
            )
        scheduler.add_job(
            self.run_due,
            "interval",
            seconds=RECOVERY_SECONDS,
            id="recover",
            next_run_time=datetime.now(UTC),
            max_instances=1,
            coalesce=True,
        )
        signal.signal(signal.SIGTERM, self._on_signal)
        signal.signal(signal.SIGINT, self._on_signal)
        log.info(
            "worker %s: %s", self.name, ", ".join(f"{n} [{j.cron}]" for n, j in self.jobs.items())
        )
        scheduler.start()

    def _fire(self, name: str) -> None:
        slot = self.due_slot(name, utcnow())
        if slot is not None:
            self.execute(name, slot)

    def _on_signal(self, signum: int, _frame: FrameType | None) -> None:
        log.info("signal %s: finishing the current work, then exiting", signum)
        self.stop.set()
        if self._scheduler is not None:
            threading.Thread(target=self._scheduler.shutdown, kwargs={"wait": True}).start()
