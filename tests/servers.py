"""Real local servers for the tests: an SMTP sink (aiosmtpd) and the app under uvicorn."""

from __future__ import annotations

import re
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Callable
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import httpx
import uvicorn
from aiosmtpd.controller import Controller

from dailypapers.web.server import uvicorn_options


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


RcptRule = Callable[[str], str | None]


class _Collector:
    def __init__(self, rcpt_rule: RcptRule | None) -> None:
        self.messages: list[EmailMessage] = []
        self.raw: list[bytes] = []
        self.lock = threading.Lock()
        self.rcpt_rule = rcpt_rule

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        answer = self.rcpt_rule(address) if self.rcpt_rule else None
        if answer is not None:
            return answer
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = message_from_bytes(envelope.content, policy=policy.default)
        with self.lock:
            self.messages.append(message)
            self.raw.append(bytes(envelope.original_content or envelope.content))
        return "250 Message accepted for delivery"


class SmtpSink:
    """A real SMTP server on loopback that keeps every message it receives."""

    def __init__(self, rcpt_rule: RcptRule | None = None) -> None:
        """``rcpt_rule(address)`` may answer a recipient with an SMTP reply ("451 …")."""
        self.port = free_port()
        self._collector = _Collector(rcpt_rule)
        self._controller = Controller(self._collector, hostname="127.0.0.1", port=self.port)

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    @property
    def messages(self) -> list[EmailMessage]:
        with self._collector.lock:
            return list(self._collector.messages)

    @property
    def raw(self) -> list[bytes]:
        with self._collector.lock:
            return list(self._collector.raw)

    def start(self) -> SmtpSink:
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()

    def wait_for(self, to: str, *, count: int = 1, timeout: float = 10) -> list[EmailMessage]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = [m for m in self.messages if to.lower() in str(m["To"]).lower()]
            if len(found) >= count:
                return found
            time.sleep(0.05)
        raise AssertionError(f"no mail to {to} within {timeout} s: {self.messages!r}")


def link_in(message: EmailMessage, path: str) -> str:
    """The first link to ``path`` in a message's plain-text part."""
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    match = re.search(rf"https?://\S+{re.escape(path)}\S*", body.get_content())
    assert match, f"no {path} link in {body.get_content()!r}"
    return match.group(0)


class LiveServer:
    """The ASGI app served by uvicorn on a free loopback port, in a background thread."""

    def __init__(self, app: Any) -> None:
        self.port = free_port()
        config = uvicorn.Config(
            app,
            host="127.0.0.1",
            port=self.port,
            log_level="warning",
            lifespan="on",
            **uvicorn_options(),  # the same protocol and limits as `dailypapers serve`
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the app did not start")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def wait_ready(
    url: str, process: subprocess.Popen[str] | subprocess.Popen[bytes], timeout: float = 60
) -> None:
    """Wait until the app at ``url`` answers /readyz with 200; fail if its process dies."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            err = process.communicate()[1]
            raise AssertionError(f"the app exited ({process.returncode}): {str(err)[-2000:]}")
        try:
            if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"{url} never became ready")


def terminate_while_sending(
    proc: subprocess.Popen[str], smtp: SmtpSink, *, after: int = 5
) -> tuple[str, str, float]:
    """Let ``proc`` send ``after`` mails (30 s at most), then SIGTERM it. Returns its stdout,
    stderr and the seconds from the signal to its exit; communicate()'s 15 s guard fails a
    process that hangs, and the time itself is for the test to report, not assert."""
    try:
        deadline = time.monotonic() + 30
        while len(smtp.messages) < after and time.monotonic() < deadline:
            time.sleep(0.05)
        start = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=15)
    finally:
        if proc.poll() is None:
            proc.kill()
    return out or "", err or "", time.monotonic() - start
