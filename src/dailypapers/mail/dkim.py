"""DKIM signing (dkimpy) for outgoing mail, when a key is configured."""

from __future__ import annotations

from email.message import EmailMessage
from pathlib import Path

import dkim

from dailypapers.mail.messages import WIRE_POLICY

# What the signature covers: the addressing, the subject and both unsubscribe headers
# (RFC 8058 asks for the latter so a forwarder cannot change where "unsubscribe" goes).
SIGNED_HEADERS = (
    "From",
    "To",
    "Subject",
    "Date",
    "Message-ID",
    "MIME-Version",
    "Content-Type",
    "List-Unsubscribe",
    "List-Unsubscribe-Post",
)
_WIRE = WIRE_POLICY  # CRLF line ends, unfolded headers: the bytes smtplib puts on the wire


class DkimSigner:
    def __init__(self, private_key: bytes, *, selector: str, domain: str) -> None:
        self.private_key = private_key
        self.selector = selector.encode()
        self.domain = domain.encode()

    @classmethod
    def from_file(cls, path: Path, *, selector: str, domain: str) -> DkimSigner:
        return cls(path.read_bytes(), selector=selector, domain=domain)

    def sign(self, message: EmailMessage) -> None:
        """Add a DKIM-Signature header over the message as it will be sent."""
        del message["DKIM-Signature"]
        present = [h for h in SIGNED_HEADERS if h in message]
        signature = dkim.sign(
            message.as_bytes(policy=_WIRE),
            self.selector,
            self.domain,
            self.private_key,
            canonicalize=(b"relaxed", b"relaxed"),
            include_headers=[h.encode() for h in present],
        )
        name, _, value = signature.decode().partition(":")
        message[name] = " ".join(value.split())  # unfolded; relaxed canonicalisation agrees


def signer_from_settings(
    key_path: Path | None, selector: str, domain: str | None, mail_from: str
) -> DkimSigner | None:
    if key_path is None:
        return None
    signing_domain = domain or mail_from.rpartition("@")[2].strip("> ")
    return DkimSigner.from_file(key_path, selector=selector, domain=signing_domain)
