"""Safe XML parsing shared by the arXiv clients (no entities, no DTDs, no network)."""

from __future__ import annotations

from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring


class MalformedFeed(ValueError):
    """A response that is not the XML it should be; the message says which and why."""


def parse_xml(content: bytes, what: str) -> Element:
    try:
        return fromstring(content, forbid_dtd=True)
    except (ParseError, DefusedXmlException) as exc:
        raise MalformedFeed(f"malformed {what}: {exc}") from exc


def child_text(element: Element, path: str, ns: dict[str, str]) -> str | None:
    """Text of the first matching child, or None when it is missing or empty."""
    found = element.find(path, ns)
    if found is None:
        return None
    text = "".join(found.itertext()).strip()
    return text or None
