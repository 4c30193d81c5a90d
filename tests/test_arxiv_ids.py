"""arXiv identifier parsing: a table of valid and invalid forms, plus round-trips."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dailypapers.arxiv_ids import (
    ID_PATTERN,
    OLD_ARCHIVES,
    SUBMISSION_PATTERN,
    ArxivId,
    InvalidArxivId,
    is_arxiv_id,
    parse_arxiv_id,
)

VALID = [
    ("2401.01234", "2401.01234", None),
    ("2401.01234v2", "2401.01234", 2),
    ("0704.0001", "0704.0001", None),
    ("1412.9999v10", "1412.9999", 10),
    ("arXiv:2401.01234", "2401.01234", None),
    ("ARXIV:2401.01234v3", "2401.01234", 3),
    ("  2401.01234\n", "2401.01234", None),
    ("hep-th/9901001", "hep-th/9901001", None),
    ("hep-th/9901001v2", "hep-th/9901001", 2),
    ("math.GT/0309136", "math/0309136", None),
    ("math.GT/0309136v1", "math/0309136", 1),
    ("cond-mat/0102536", "cond-mat/0102536", None),
    ("physics.acc-ph/0501001", "physics/0501001", None),
    ("arXiv:hep-th/9901001", "hep-th/9901001", None),
    ("https://arxiv.org/abs/2401.01234", "2401.01234", None),
    ("http://arxiv.org/abs/2401.01234v2", "2401.01234", 2),
    ("https://www.arxiv.org/abs/2401.01234", "2401.01234", None),
    ("https://export.arxiv.org/abs/hep-th/9901001v2", "hep-th/9901001", 2),
    ("https://arxiv.org/pdf/2401.01234", "2401.01234", None),
    ("https://arxiv.org/pdf/2401.01234v1.pdf", "2401.01234", 1),
    ("https://arxiv.org/pdf/2401.01234.pdf", "2401.01234", None),
    ("https://arxiv.org/html/2401.01234v1", "2401.01234", 1),
    ("arxiv.org/abs/2401.01234/", "2401.01234", None),
    ("https://arxiv.org/abs/2401.01234?context=cs", "2401.01234", None),
    ("https://arxiv.org/abs/2401.01234#S2", "2401.01234", None),
]

INVALID = [
    "",
    "   ",
    "2401.1234",  # 2015 onwards has five digits
    "1401.12345",  # before 2015, four
    "2413.01234",  # month 13
    "2400.01234",  # month 00
    "0703.0001",  # new style began in April 2007
    "2401.01234v0",
    "2401.01234v",
    "2401.012345",
    "hep-th/990100",
    "hep-th/99010011",
    "foo-bar/9901001",  # not an archive
    "hep-th/0813001",  # month 13
    "hep-th/1201001",  # old style ended in 2007
    "https://example.com/abs/2401.01234",
    "https://arxiv.org/list/cs.CL/new",
    "arXiv:",
    "2401.01234 2401.01235",
    "<script>alert(1)</script>",
    "2401.01234\x00",
    "javascript:alert(1)",
    "../../etc/passwd",
]


@pytest.mark.parametrize(("text", "expected_id", "expected_version"), VALID)
def test_valid_forms(text: str, expected_id: str, expected_version: int | None) -> None:
    parsed = parse_arxiv_id(text)
    assert parsed == ArxivId(expected_id, expected_version)
    assert is_arxiv_id(text)


@pytest.mark.parametrize("text", INVALID)
def test_invalid_forms_name_the_input_and_the_accepted_forms(text: str) -> None:
    with pytest.raises(InvalidArxivId) as info:
        parse_arxiv_id(text)
    message = str(info.value)
    assert repr(text[:77]).strip("'\"")[:20] in message
    assert "accepted forms" in message
    assert not is_arxiv_id(text)


def test_non_string_is_rejected() -> None:
    with pytest.raises(InvalidArxivId):
        parse_arxiv_id(12345)  # type: ignore[arg-type]


new_ids = st.builds(
    lambda year, month, num, version: ArxivId(
        f"{year:02d}{month:02d}.{num:0{5 if year >= 15 else 4}d}", version
    ),
    st.integers(8, 99),
    st.integers(1, 12),
    st.integers(1, 9999),
    st.none() | st.integers(1, 99),
)
old_ids = st.builds(
    lambda archive, year, month, num, version: ArxivId(
        f"{archive}/{year:02d}{month:02d}{num:03d}", version
    ),
    st.sampled_from(sorted(OLD_ARCHIVES)),
    st.sampled_from([91, 95, 99, 0, 3, 7]),
    st.integers(1, 12),
    st.integers(1, 999),
    st.none() | st.integers(1, 9),
)


@given(new_ids | old_ids)
def test_round_trip_through_every_form(arxiv_id: ArxivId) -> None:
    forms = [
        arxiv_id.versioned,
        f"arXiv:{arxiv_id.versioned}",
        f"https://arxiv.org/abs/{arxiv_id.versioned}",
        f"https://arxiv.org/pdf/{arxiv_id.versioned}.pdf",
    ]
    for form in forms:
        assert parse_arxiv_id(form) == arxiv_id
    assert parse_arxiv_id(str(arxiv_id)) == arxiv_id


@given(st.text(max_size=40))
def test_arbitrary_text_parses_or_raises_cleanly(text: str) -> None:
    try:
        parsed = parse_arxiv_id(text)
    except InvalidArxivId:
        return
    assert parse_arxiv_id(parsed.versioned) == parsed


@settings(max_examples=500, deadline=None)
@given(st.from_regex(f"^{ID_PATTERN}$", fullmatch=True))
def test_every_id_the_published_pattern_allows_parses(text: str) -> None:
    parse_arxiv_id(text)


@settings(max_examples=300, deadline=None)
@given(st.from_regex(SUBMISSION_PATTERN, fullmatch=True))
def test_every_submission_the_published_pattern_allows_parses(text: str) -> None:
    parse_arxiv_id(text)


@pytest.mark.parametrize(
    "bad", ["0703.0001", "1501.0001", "1412.00001", "2613.00001", "hep-th/0801001", "foo/9901001"]
)
def test_the_published_pattern_refuses_what_the_parser_refuses(bad: str) -> None:
    assert not re.fullmatch(ID_PATTERN, bad) and not is_arxiv_id(bad)
