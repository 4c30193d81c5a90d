"""Everything a request needs, built once per app from the settings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from dailypapers.accounts.repo import AccountRepo
from dailypapers.accounts.service import AccountService, SiteInfo
from dailypapers.arxiv_ids import ArxivId
from dailypapers.community.moderation import ModerationService
from dailypapers.community.repo import CommunityRepo
from dailypapers.community.service import CommunityService, Fetcher
from dailypapers.digest.factory import subscription_service
from dailypapers.digest.subscriptions import SubscriptionService
from dailypapers.ingest.arxiv_api import fetch_by_ids
from dailypapers.ingest.http import ArxivOffline, client_for
from dailypapers.mail.factory import postman_for
from dailypapers.mail.postman import Postman
from dailypapers.people.authors import AuthorService
from dailypapers.people.claims import LABELS as CLAIM_LABELS
from dailypapers.people.claims import REVERSALS as CLAIM_REVERSALS
from dailypapers.people.claims import ClaimService
from dailypapers.people.follows import FollowService
from dailypapers.people.identities import Identities
from dailypapers.people.milestones import Milestones
from dailypapers.people.notification_mail import NotificationMail
from dailypapers.people.notifications import NotificationRepo
from dailypapers.people.orgs import OrgService
from dailypapers.people.service import ProfileService
from dailypapers.ratelimit import RateLimiter
from dailypapers.records import PaperRecord
from dailypapers.search.factory import build_search
from dailypapers.search.service import SearchService
from dailypapers.settings import Settings
from dailypapers.store import FeedRepo, PaperStore


@dataclass
class Services:
    settings: Settings
    store: PaperStore
    feeds: FeedRepo
    accounts: AccountService
    community: CommunityService
    limiter: RateLimiter
    moderation: ModerationService
    search: SearchService
    subscriptions: SubscriptionService
    profiles: ProfileService
    notifications: NotificationRepo
    notification_mail: NotificationMail
    authors: AuthorService
    claims: ClaimService
    identities: Identities
    follows: FollowService
    orgs: OrgService
    milestones: Milestones
    secret: str

    def notification_pass(self) -> None:
        """Before each round of mail: milestones reached, then notification mail queued."""
        self.milestones.check()
        self.notification_mail.queue_new()


def arxiv_fetcher(settings: Settings) -> Fetcher:
    """Fetch one paper through the same polite arXiv client the CLI uses."""

    def fetch(arxiv_id: ArxivId) -> PaperRecord | None:
        if settings.offline:
            raise ArxivOffline(
                f"{arxiv_id.versioned} is not here, and this site does not call arXiv"
            )
        with client_for(settings, person_waiting=True) as client:
            found = fetch_by_ids(client, settings.arxiv_api_url, [arxiv_id])
        return found.records[0] if found.records else None

    return fetch


def build_services(
    settings: Settings,
    store: PaperStore,
    *,
    postman: Postman | None = None,
    fetch: Fetcher | None = None,
) -> Services:
    secret = settings.resolved_secret_key()
    site = SiteInfo(
        base_url=settings.base_url,
        site_name=settings.site_name,
        mail_from=settings.mail_from,
        session_lifetime=timedelta(days=settings.session_days),
    )
    postman = postman or postman_for(store.db, settings)
    accounts = AccountService(AccountRepo(store.db), postman, secret, site)
    community = CommunityService(
        store,
        CommunityRepo(store.db),
        fetch or arxiv_fetcher(settings),
        daily_limit=settings.submissions_per_day,
    )
    feeds, identities = FeedRepo(store.db), Identities(store.db)
    return Services(
        settings=settings,
        store=store,
        feeds=feeds,
        accounts=accounts,
        community=community,
        limiter=RateLimiter(store.db),
        moderation=ModerationService(store.db, CLAIM_REVERSALS, CLAIM_LABELS),
        search=build_search(
            store, data_dir=settings.data_dir, max_tokens=settings.embed_max_tokens
        ),
        subscriptions=subscription_service(store, settings, postman),
        profiles=ProfileService(store.db, FeedRepo(store.db), settings.resolved_avatar_dir()),
        notifications=NotificationRepo(store.db),
        notification_mail=NotificationMail(
            store.db,
            postman,
            secret,
            settings.base_url,
            daily_hour=settings.notification_mail_hour,
        ),
        authors=AuthorService(store.db),
        claims=ClaimService(store.db),
        identities=identities,
        follows=FollowService(store.db),
        orgs=OrgService(
            store.db, settings.resolved_avatar_dir() / "orgs", creation=settings.org_creation
        ),
        milestones=Milestones(store.db, feeds, identities),
        secret=secret,
    )
