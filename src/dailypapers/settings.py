"""One settings object, read from ``DAILYPAPERS_*`` environment variables.

Only entry points (the CLI and the web app factory) construct :class:`Settings`;
everything below them receives the values it needs as arguments.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Literal

import platformdirs
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

CONFIG_VARIABLE = "DAILYPAPERS_CONFIG"


def _default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir("dailypapers", appauthor=False))


class Settings(BaseSettings):
    """Configuration of a dailypapers installation."""

    model_config = SettingsConfigDict(
        env_prefix="DAILYPAPERS_", extra="ignore", env_file_encoding="utf-8"
    )

    data_dir: Path = Field(
        default_factory=_default_data_dir,
        description="Where the SQLite database, locks and harvest state live.",
    )
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL; default sqlite:///$DATA_DIR/dailypapers.db. "
        "Use postgresql+psycopg://user:pass@host/db for PostgreSQL.",
    )
    avatar_dir: Path | None = Field(
        default=None,
        description="Where uploaded avatars are kept (re-encoded WebP files named by their "
        "hash); default: avatars/ in the data directory.",
    )
    notification_mail_hour: int = Field(
        default=7,
        ge=0,
        le=23,
        description="The hour (UTC) after which each day's batch of notification mail goes "
        "out, for the kinds readers set to once a day.",
    )
    org_creation: Literal["users", "admins"] = Field(
        default="users",
        description="Who creates organisations: any signed-in user with a confirmed address, "
        "or only the site's admins.",
    )
    offline: bool = Field(
        default=False,
        description="Never call arXiv: papers come only from imports, and submitting one that "
        "is not here yet says so.",
    )
    arxiv_api_url: str = Field(
        default="https://export.arxiv.org/api/query",
        description="arXiv API (Atom) endpoint, used to fetch papers by id.",
    )
    arxiv_oai_url: str = Field(
        default="https://oaipmh.arxiv.org/oai",
        description="arXiv OAI-PMH endpoint, used for bulk harvests by set and date.",
    )
    arxiv_listing_url: str = Field(
        default="https://rss.arxiv.org/rss",
        description="Base of arXiv's daily listing feeds (RSS), one per category.",
    )
    arxiv_delay_seconds: float = Field(
        default=3.0,
        ge=0,
        description="Minimum pause between two requests to arXiv, across processes.",
    )
    arxiv_timeout_seconds: float = Field(default=30.0, gt=0, description="Per-request timeout.")
    arxiv_max_attempts: int = Field(
        default=5, ge=1, description="Attempts per request before giving up."
    )
    arxiv_max_backoff_seconds: float = Field(
        default=300.0,
        ge=0,
        description="Longest wait honoured for Retry-After or backoff.",
    )
    secret_key: str | None = Field(
        default=None,
        description="Signs sessions, CSRF and e-mail links. Default: a random key kept in "
        "$DATA_DIR/secret_key. Set it explicitly when several machines serve one site.",
    )
    base_url: str = Field(
        default="http://127.0.0.1:8000",
        description="Public URL of the site, used in e-mail links and feeds; https:// "
        "makes cookies Secure.",
    )
    site_name: str = Field(default="dailypapers", description="Name shown on pages and mail.")
    smtp_url: str | None = Field(
        default=None,
        description="smtp://host:25, smtp+starttls://user:pass@host:587 or smtps://…:465; "
        "unset prints mail to the console.",
    )
    mail_from: str = Field(
        default="dailypapers <noreply@localhost>", description="Sender of every e-mail."
    )
    session_days: int = Field(default=30, ge=1, description="How long a log-in lasts.")
    submissions_per_day: int = Field(
        default=10, ge=0, description="Papers one user may submit to the daily feed per day."
    )
    login_attempts_per_15min: int = Field(
        default=10,
        ge=1,
        description="Failed log-ins per account from one client address per 15 min (five "
        "times as many per client address over all accounts).",
    )
    signups_per_hour: int = Field(
        default=5, ge=1, description="Sign-ups and reset requests per client per hour."
    )
    embed_max_tokens: int = Field(
        default=128, ge=16, le=512, description="Tokens of title + abstract the embedding sees."
    )
    embed_in_background: bool = Field(
        default=True,
        description="Let `serve` embed new papers in a background thread (one core); "
        "otherwise run `dailypapers index` (or the worker).",
    )
    mail_in_background: bool = Field(
        default=True,
        description="Let `serve` send queued mail (confirmations, resets) as soon as it is "
        "queued, in a background thread; otherwise the worker's mail job sends it.",
    )
    timezone: str = Field(
        default="UTC",
        description="Time zone (IANA name) of the worker's schedules and of the days and "
        "ISO weeks the digests cover.",
    )
    listing_categories: str = Field(
        default="",
        description="Comma-separated arXiv categories whose daily listing the worker puts on "
        "the daily feed, e.g. cs.CL,cs.LG; empty: no listing job.",
    )
    harvest_sets: str = Field(
        default="",
        description="Comma-separated OAI-PMH sets the worker catches up on (the last 3 days), "
        "e.g. cs; empty: no harvest job.",
    )
    schedule_listing: str = Field(
        default="15 1 * * *", description="Cron schedule of the listing job (empty: off)."
    )
    schedule_harvest: str = Field(
        default="45 2 * * *", description="Cron schedule of the OAI-PMH catch-up (empty: off)."
    )
    schedule_embed: str = Field(
        default="*/10 * * * *",
        description="Cron schedule for embedding new papers (empty: off).",
    )
    schedule_mail: str = Field(
        default="* * * * *",
        description="Cron schedule of the worker's pass over the mail outbox (empty: off).",
    )
    schedule_daily_digest: str = Field(
        default="0 7 * * *", description="Cron schedule of the daily digest (empty: off)."
    )
    schedule_weekly_digest: str = Field(
        default="0 7 * * 1", description="Cron schedule of the weekly digest (empty: off)."
    )
    worker_metrics_port: int = Field(
        default=0,
        ge=0,
        le=65535,
        description="Serve the worker's Prometheus metrics (arXiv requests, mails) on this "
        "port of 127.0.0.1; 0: off.",
    )
    job_lease_seconds: float = Field(
        default=60.0,
        gt=0,
        description="A running job renews its claim this often ×3; a killed worker's job is "
        "taken over once its claim lapses.",
    )
    digest_trending_count: int = Field(
        default=10, ge=1, le=50, description="Trending papers at the top of each digest."
    )
    digest_personal_count: int = Field(
        default=8, ge=0, le=50, description="Papers in each reader's personal section."
    )
    digest_rate_per_second: float = Field(
        default=20.0,
        ge=0,
        description="Most digests sent per second by one sender; 0 for no limit.",
    )
    digest_max_attempts: int = Field(
        default=5,
        ge=1,
        description="Tries per mail (digest or notice) when the mail server answers 4xx.",
    )
    digest_retry_seconds: float = Field(
        default=60.0,
        ge=0,
        description="First wait before retrying a 4xx answer; doubles with each try.",
    )
    digest_claim_seconds: float = Field(
        default=120.0,
        gt=0,
        description="How long a sender holds a batch of mail; a killed sender's batch "
        "goes to the next run after this.",
    )
    dkim_private_key: Path | None = Field(
        default=None, description="PEM file with an RSA key: DKIM-sign every outgoing mail."
    )
    dkim_selector: str = Field(default="dailypapers", description="DKIM selector (s=).")
    dkim_domain: str | None = Field(
        default=None, description="DKIM signing domain (d=); default: the domain of mail_from."
    )
    import_batch_size: int = Field(
        default=2000, ge=1, description="Papers per transaction when importing."
    )

    @classmethod
    def load(cls) -> Settings:
        """Settings from the environment, over the optional file named by DAILYPAPERS_CONFIG
        (KEY=value lines, the same format as a systemd EnvironmentFile)."""
        config = os.environ.get(CONFIG_VARIABLE)
        if config and not Path(config).is_file():
            raise ValueError(f"{CONFIG_VARIABLE}={config}: no such file")
        return cls(_env_file=config or None)

    @property
    def resolved_database_url(self) -> str:
        """The database URL, defaulting to SQLite inside the data directory."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'dailypapers.db'}"

    @property
    def secure_cookies(self) -> bool:
        return self.base_url.startswith("https://")

    def resolved_secret_key(self) -> str:
        """The configured key, or one generated once and kept in the data directory."""
        if self.secret_key:
            return self.secret_key
        path = self.ensure_data_dir() / "secret_key"
        if not path.exists():
            path.touch(mode=0o600)
            path.write_text(secrets.token_urlsafe(48))
        return path.read_text().strip()

    def resolved_avatar_dir(self) -> Path:
        return self.avatar_dir or self.data_dir / "avatars"

    def ensure_data_dir(self) -> Path:
        """Create the data directory if needed and return it."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        return self.data_dir
