"""How uvicorn serves the app: one set of options for `dailypapers serve` and the tests.

Request heads are bounded on either HTTP implementation (h11 has an option for it; httptools,
which uvicorn[standard] prefers, has none and would buffer 64 MiB of headers), and bodies
by the app (``MAX_BODY``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.datastructures import Headers
from starlette.middleware.body_limit import RequestBodyLimitResponder
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

MAX_REQUEST_HEAD = 64 * 1024  # a pasted abstract fits in a search URL; beyond it: 431
MAX_BODY = 1024 * 1024  # the largest form (a comment) is 20 kB; beyond it: 413
# Upload forms take more: the file's own limit, plus room for the multipart envelope.
UPLOAD_BODY = {"/settings/avatar": 4 * 1024 * 1024 + 64 * 1024}
GRACEFUL_SECONDS = 10
LINGER_SECONDS = 2.0  # how long a refused connection is drained before it closes

_TOO_LARGE_TEXT = b"The request line and headers are over 64 KiB.\n"
_TOO_LARGE = (
    b"HTTP/1.1 431 Request Header Fields Too Large\r\n"
    b"content-type: text/plain; charset=utf-8\r\n"
    b"content-length: " + str(len(_TOO_LARGE_TEXT)).encode() + b"\r\n"
    b"connection: close\r\n\r\n" + _TOO_LARGE_TEXT
)


class BodyLimits:
    """Starlette's body limit, with a larger one for the upload forms (UPLOAD_BODY). A body
    whose declared length is over the limit is answered by ``refuse`` at once (the app's own
    error page, saying what fits); one that only turns out too long on the way is cut off by
    Starlette's responder."""

    def __init__(self, app: ASGIApp, refuse: Callable[[Request, int], Response]) -> None:
        self.app = app
        self.refuse = refuse

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        limit = UPLOAD_BODY.get(scope["path"], MAX_BODY)
        declared = Headers(scope=scope).get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            response = self.refuse(Request(scope), limit)
            response.headers["Connection"] = "close"  # the unread body goes with it
            return await response(scope, receive, send)
        return await RequestBodyLimitResponder(self.app, limit)(scope, receive, send)


class BoundedHttpToolsProtocol(HttpToolsProtocol):
    """httptools with a cap on the bytes a request head may take. The parser keeps a header
    it has not finished in its own buffer, so the bytes are counted as they arrive: a head
    still unfinished after more than the cap answers 431 and the connection closes (checked
    after each read, so a head may exceed the cap by at most one read before it is refused).
    A whole head that arrives in one read is measured before the parser sees it (on a busy
    machine 128 KiB of headers can come in a single read)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._head_bytes = 0
        self._reading_head = False
        self._in_body = False
        self._refused = False

    def data_received(self, data: bytes) -> None:
        if self._refused:
            return  # drained unread until the connection closes (see _refuse)
        if not self._in_body:  # this read starts or goes on with a head
            end = data.find(b"\r\n\r\n")
            head = len(data) if end < 0 else end + 4
            if (self._head_bytes if self._reading_head else 0) + head > MAX_REQUEST_HEAD:
                self._refuse()
                return
        super().data_received(data)
        if not self._reading_head:  # the head ended in this chunk (or no request began)
            return
        self._head_bytes += len(data)
        if self._head_bytes > MAX_REQUEST_HEAD:
            self._refuse()

    def _refuse(self) -> None:
        """Answer 431 and close a moment later: closing a socket with unread input sends a
        reset, which can destroy the answer before the client reads it."""
        self._refused = True
        self.transport.write(_TOO_LARGE)
        if self.transport.can_write_eof():
            self.transport.write_eof()
        self.loop.call_later(LINGER_SECONDS, self.transport.close)

    def on_message_begin(self) -> None:
        self._reading_head, self._head_bytes = True, 0
        super().on_message_begin()

    def on_headers_complete(self) -> None:
        self._reading_head, self._in_body = False, True
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        self._in_body = False
        super().on_message_complete()


def uvicorn_options() -> dict[str, Any]:
    """Keyword arguments for uvicorn.run / uvicorn.Config (besides the app and the address)."""
    return {
        "http": BoundedHttpToolsProtocol,
        "h11_max_incomplete_event_size": MAX_REQUEST_HEAD,  # if someone picks h11
        "proxy_headers": True,  # X-Forwarded-Proto/For from the proxy (FORWARDED_ALLOW_IPS)
        "timeout_graceful_shutdown": GRACEFUL_SECONDS,
    }
