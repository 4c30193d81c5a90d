"""Wire mail from the settings: the transport, the outbox's postman and its courier."""

from __future__ import annotations

from collections.abc import Callable

from dailypapers.db import Database
from dailypapers.mail.courier import Courier
from dailypapers.mail.delivery import RetryPolicy
from dailypapers.mail.dkim import signer_from_settings
from dailypapers.mail.outbox import MailQueue
from dailypapers.mail.postman import Postman
from dailypapers.mail.transport import Mailer, mailer_from_url
from dailypapers.settings import Settings


def settings_mailer(settings: Settings) -> Mailer:
    dkim = signer_from_settings(
        settings.dkim_private_key, settings.dkim_selector, settings.dkim_domain, settings.mail_from
    )
    return mailer_from_url(settings.smtp_url, dkim=dkim)


def retry_policy(settings: Settings) -> RetryPolicy:
    return RetryPolicy(settings.digest_max_attempts, settings.digest_retry_seconds)


def postman_for(
    db: Database, settings: Settings, on_queued: Callable[[], None] | None = None
) -> Postman:
    return Postman(
        MailQueue(db),
        site_name=settings.site_name,
        mail_from=settings.mail_from,
        on_queued=on_queued,
    )


def courier_for(db: Database, settings: Settings, mailer: Mailer | None = None) -> Courier:
    return Courier(
        MailQueue(db),
        mailer or settings_mailer(settings),
        retry_policy(settings),
        lease_seconds=settings.digest_claim_seconds,
    )
