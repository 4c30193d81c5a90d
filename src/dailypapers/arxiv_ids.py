"""Parsing and canonicalising arXiv identifiers.

Accepted forms (case of the ``arXiv:`` prefix and URL scheme do not matter):

* new style ``2401.01234`` / ``0704.0001`` (4 digits before 2015, 5 since), optional ``v2``;
* old style ``hep-th/9901001`` or ``math.GT/0309136`` (the subject class is dropped:
  arXiv identifies the paper as ``math/0309136``), optional version;
* any of those after ``arXiv:``;
* ``https://arxiv.org/abs/…``, ``/pdf/…`` (with or without ``.pdf``) and ``/html/…`` URLs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from dailypapers.errors import InvalidInput

ACCEPTED_FORMS = (
    "2401.01234, 2401.01234v2, hep-th/9901001, math.GT/0309136v1, arXiv:2401.01234, "
    "https://arxiv.org/abs/2401.01234, https://arxiv.org/pdf/2401.01234v1"
)

# Archives that used old-style identifiers (before April 2007).
OLD_ARCHIVES = frozenset(
    [
        "acc-phys",
        "adap-org",
        "alg-geom",
        "ao-sci",
        "astro-ph",
        "atom-ph",
        "bayes-an",
        "chao-dyn",
        "chem-ph",
        "cmp-lg",
        "comp-gas",
        "cond-mat",
        "cs",
        "dg-ga",
        "funct-an",
        "gr-qc",
        "hep-ex",
        "hep-lat",
        "hep-ph",
        "hep-th",
        "math",
        "math-ph",
        "mtrl-th",
        "nlin",
        "nucl-ex",
        "nucl-th",
        "patt-sol",
        "physics",
        "plasm-ph",
        "q-alg",
        "q-bio",
        "quant-ph",
        "solv-int",
        "supr-con",
    ]
)

# re.ASCII: '\d' alone also matches other scripts' digits ('٢٦٠٢.٠٠٠٠١' is not an arXiv id).
_NEW = re.compile(r"(?P<yymm>\d{4})\.(?P<num>\d{4,5})(?:v(?P<ver>[1-9]\d{0,3}))?", re.ASCII)
_OLD = re.compile(
    r"(?P<archive>[a-z]+(?:-[a-z]+)?)(?:\.[A-Za-z][A-Za-z-]{1,7})?/(?P<yymm>\d{4})(?P<num>\d{3})"
    r"(?:v(?P<ver>[1-9]\d{0,3}))?",
    re.ASCII,
)
_URL = re.compile(
    r"(?:https?://)?(?:www\.|export\.)?arxiv\.org/(?:abs|pdf|html)/(?P<rest>[^?#]+?)"
    r"(?:\.pdf)?/?(?:[?#].*)?",
    re.IGNORECASE | re.ASCII,
)
_PREFIX = re.compile(r"arxiv:", re.IGNORECASE)


class InvalidArxivId(InvalidInput):
    """Raised for text that is not an arXiv identifier; the message names it."""

    def __init__(self, text: str, reason: str = "not an arXiv identifier") -> None:
        shown = text if len(text) <= 80 else text[:77] + "..."
        super().__init__(f"{shown!r}: {reason}; accepted forms: {ACCEPTED_FORMS}")
        self.text = text


@dataclass(frozen=True, slots=True)
class ArxivId:
    """A canonical arXiv identifier (no version) and the version asked for, if any."""

    id: str
    version: int | None = None

    @property
    def versioned(self) -> str:
        """The identifier with its version suffix, when it has one."""
        return f"{self.id}v{self.version}" if self.version else self.id

    @property
    def is_old_style(self) -> bool:
        return "/" in self.id

    def __str__(self) -> str:
        return self.versioned


def _valid_new_yymm(yymm: str, num: str) -> bool:
    year, month = int(yymm[:2]), int(yymm[2:])
    if not 1 <= month <= 12 or (year, month) < (7, 4):
        return False
    # Five-digit numbers began in January 2015; before that, four.
    return (len(num) == 5) == (year >= 15)


def _valid_old_yymm(yymm: str) -> bool:
    year, month = int(yymm[:2]), int(yymm[2:])
    in_range = year >= 91 or year <= 7
    return in_range and 1 <= month <= 12


def _parse_bare(text: str) -> ArxivId | None:
    if m := _NEW.fullmatch(text):
        if not _valid_new_yymm(m["yymm"], m["num"]):
            return None
        ver = int(m["ver"]) if m["ver"] else None
        return ArxivId(f"{m['yymm']}.{m['num']}", ver)
    if m := _OLD.fullmatch(text):
        if m["archive"] not in OLD_ARCHIVES or not _valid_old_yymm(m["yymm"]):
            return None
        ver = int(m["ver"]) if m["ver"] else None
        return ArxivId(f"{m['archive']}/{m['yymm']}{m['num']}", ver)
    return None


def parse_arxiv_id(text: str) -> ArxivId:
    """Parse any accepted form into an :class:`ArxivId`, or raise :class:`InvalidArxivId`."""
    if not isinstance(text, str):
        raise InvalidArxivId(repr(text), "expected text")
    candidate = text.strip()
    if m := _URL.fullmatch(candidate):
        candidate = m["rest"]
    elif _PREFIX.match(candidate):
        candidate = candidate[len("arxiv:") :]
    parsed = _parse_bare(candidate)
    if parsed is None:
        raise InvalidArxivId(text)
    return parsed


def is_arxiv_id(text: str) -> bool:
    """True when ``text`` parses as an arXiv identifier in any accepted form."""
    try:
        parse_arxiv_id(text)
    except InvalidArxivId:
        return False
    return True


def abs_url(arxiv_id: str) -> str:
    return f"https://arxiv.org/abs/{arxiv_id}"


def pdf_url(arxiv_id: str) -> str:
    return f"https://arxiv.org/pdf/{arxiv_id}"


def _id_pattern() -> str:
    """A regular expression (JSON Schema dialect) matching exactly the bare ids that
    :func:`parse_arxiv_id` accepts, for the API's published schema."""
    month = "(0[1-9]|1[0-2])"
    four = f"(07(0[4-9]|1[0-2])|(0[89]|1[0-4]){month})\\.[0-9]{{4}}"  # 0704 … 1412
    five = f"(1[5-9]|[2-9][0-9]){month}\\.[0-9]{{5}}"  # 1501 onwards
    archives = "|".join(sorted(OLD_ARCHIVES))
    old = f"({archives})(\\.[A-Za-z][A-Za-z-]{{1,7}})?/(9[1-9]|0[0-7]){month}[0-9]{{3}}"
    return f"({four}|{five}|{old})(v[1-9][0-9]{{0,3}})?"


ID_PATTERN = _id_pattern()
# What the submit form takes: an id, "arXiv:" and an id, or an abs/pdf/html link to one.
SUBMISSION_PATTERN = (
    f"^((arXiv:)?{ID_PATTERN}|(https?://)?(www\\.|export\\.)?arxiv\\.org/(abs|pdf|html)/"
    f"{ID_PATTERN}(\\.pdf)?/?)$"
)
