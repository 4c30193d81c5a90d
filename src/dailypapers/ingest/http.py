"""A polite HTTP client for arXiv: one request at a time across processes, retries that
respect ``Retry-After``, and a clear error when arXiv stays unavailable.

arXiv asks robots for one connection at a time and at least three seconds between
requests. :class:`RequestGate` enforces both for every process sharing a data directory,
with a file lock held for the duration of each request and a file that records when the
next request may start.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path

import httpx
from filelock import FileLock

from dailypapers import __version__
from dailypapers.metrics import count_arxiv
from dailypapers.settings import Settings

RETRYABLE_STATUS = frozenset({429, 500, 502, 503, 504})
USER_AGENT = f"dailypapers/{__version__} (self-hosted paper feed; polite harvester)"


class ArxivUnavailable(RuntimeError):
    """arXiv did not give a usable answer after every allowed attempt."""


class ArxivOffline(ArxivUnavailable):
    """This instance is configured not to call arXiv (DAILYPAPERS_OFFLINE)."""


class ArxivRequestRejected(RuntimeError):
    """arXiv answered with a client error that retrying will not fix."""


class RequestGate:
    """At most one request in flight and ``delay`` seconds between requests, across processes."""

    def __init__(
        self, state_dir: Path, delay: float, *, sleep: Callable[[float], None] = time.sleep
    ) -> None:
        state_dir.mkdir(parents=True, exist_ok=True)
        self._lock = FileLock(str(state_dir / "arxiv.lock"))
        self._next_file = state_dir / "arxiv.next"
        self.delay = delay
        self._sleep = sleep
        self._deferral = 0.0

    def _next_allowed(self) -> float:
        try:
            return float(self._next_file.read_text() or 0)
        except (OSError, ValueError):
            return 0.0

    @contextmanager
    def slot(self) -> Iterator[RequestGate]:
        """Hold the gate for one request; waits until the previous one's pause is over."""
        with self._lock:
            wait = self._next_allowed() - time.time()
            if wait > 0:
                self._sleep(wait)
            self._deferral = 0.0
            try:
                yield self
            finally:
                pause = max(self.delay, self._deferral)
                self._next_file.write_text(repr(time.time() + pause))

    def defer(self, seconds: float) -> None:
        """Ask every process to wait ``seconds`` before the next request (Retry-After)."""
        self._deferral = max(self._deferral, seconds)


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """Parse a Retry-After header: delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    now = now or datetime.now(UTC)
    return max(0.0, (when - now).total_seconds())


class PoliteClient:
    """GET requests through a :class:`RequestGate`, with retries and backoff."""

    def __init__(
        self,
        gate: RequestGate,
        *,
        timeout: float = 30.0,
        max_attempts: int = 5,
        max_backoff: float = 300.0,
        transport: httpx.BaseTransport | None = None,
        on_response: Callable[[int | None], None] | None = None,
    ) -> None:
        self.gate = gate
        self.max_attempts = max_attempts
        self.max_backoff = max_backoff
        self._on_response = on_response
        self._http = httpx.Client(
            timeout=timeout,
            headers={"User-Agent": USER_AGENT},
            follow_redirects=True,
            limits=httpx.Limits(max_connections=1, max_keepalive_connections=1),
            transport=transport,
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> PoliteClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _backoff(self, attempt: int) -> float:
        return min(self.max_backoff, max(self.gate.delay, 1.0) * 2.0 ** (attempt - 1))

    def get(self, url: str, params: dict[str, str] | None = None) -> httpx.Response:
        """GET ``url``; retries timeouts, 429 and 5xx; raises once attempts run out."""
        problem = "no attempt made"
        for attempt in range(1, self.max_attempts + 1):
            with self.gate.slot() as gate:
                try:
                    response = self._http.get(url, params=params)
                except httpx.TransportError as exc:
                    self._record(None)
                    problem = f"{type(exc).__name__}: {exc}"
                    gate.defer(self._backoff(attempt))
                    continue
                self._record(response.status_code)
                if response.status_code == 200:
                    return response
                problem = f"HTTP {response.status_code}"
                if response.status_code not in RETRYABLE_STATUS:
                    raise ArxivRequestRejected(
                        f"{response.request.url} answered {problem}: {response.text[:200]}"
                    )
                hinted = retry_after_seconds(response.headers.get("Retry-After"))
                wait = hinted if hinted is not None else self._backoff(attempt)
                gate.defer(min(wait, self.max_backoff))
        raise ArxivUnavailable(
            f"{url}: no usable answer after {self.max_attempts} attempts "
            f"(last: {problem}); nothing from this request was saved"
        )

    def _record(self, status: int | None) -> None:
        count_arxiv(status)
        if self._on_response is not None:
            self._on_response(status)


def client_for(settings: Settings, *, person_waiting: bool = False) -> PoliteClient:
    """The configured arXiv client; with a person waiting, fewer and shorter retries."""
    gate = RequestGate(settings.ensure_data_dir() / "locks", settings.arxiv_delay_seconds)
    attempts, backoff = settings.arxiv_max_attempts, settings.arxiv_max_backoff_seconds
    return PoliteClient(
        gate,
        timeout=settings.arxiv_timeout_seconds,
        max_attempts=min(attempts, 2) if person_waiting else attempts,
        max_backoff=min(backoff, 10) if person_waiting else backoff,
    )
