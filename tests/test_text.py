"""Text normalisation: tidy and storable, never rewritten."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from dailypapers.text import normalize_abstract, normalize_line, strip_controls


def test_normalize_line_collapses_whitespace_and_drops_controls() -> None:
    assert normalize_line("  Deep\n  Learning\tfor\x00 \x07Fun\u00a0 ") == "Deep Learning for Fun"
    assert normalize_line(None) == ""


def test_unwrapped_abstract_keeps_each_line_as_a_paragraph() -> None:
    text = "First paragraph with $\\alpha$.\nSecond  paragraph.\n\n"
    assert normalize_abstract(text) == "First paragraph with $\\alpha$.\nSecond paragraph."


def test_hard_wrapped_abstract_joins_lines_and_keeps_indented_paragraphs() -> None:
    text = "  We study a\nproblem.\n  A new paragraph\nstarts here.\n\nAnd another."
    assert normalize_abstract(text, hard_wrapped=True) == (
        "We study a problem.\nA new paragraph starts here.\nAnd another."
    )


def test_latex_and_markup_are_kept_verbatim() -> None:
    text = "$\\frac{a}{b}$ <script>alert(1)</script> \\emph{x}"
    assert normalize_abstract(text) == text


@given(st.text())
def test_results_hold_no_control_characters(text: str) -> None:
    for cleaned in (
        normalize_line(text),
        normalize_abstract(text),
        normalize_abstract(text, hard_wrapped=True),
    ):
        assert cleaned == strip_controls(cleaned)
        assert "\x00" not in cleaned and "\r" not in cleaned
        assert cleaned == cleaned.strip()


# The regular-expression definitions the fast paths must agree with (imports take the
# str-method path for printable text; anything else takes these).
_REF_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_REF_SPACES = re.compile(r"[ \t\r\n\u00a0\u2028\u2029]+")


def _reference_line(text: str) -> str:
    return _REF_SPACES.sub(" ", _REF_CONTROL.sub("", text)).strip()


def _reference_abstract(text: str, hard_wrapped: bool) -> str:
    text = _REF_CONTROL.sub("", text).replace("\r\n", "\n").replace("\r", "\n")
    splitter = re.compile(r"\n\s*\n|\n(?=[ \t]+\S)" if hard_wrapped else r"\n+")
    return "\n".join(p for part in splitter.split(text) if (p := _reference_line(part)))


SPACEY = st.text(
    alphabet=st.sampled_from([*"ab é", "\t", "\n", "\r", "\x00", "\x0b", "\u00a0", "\u2003"]),
    max_size=40,
)


@given(st.one_of(SPACEY, st.text(max_size=60)), st.booleans())
def test_the_fast_paths_agree_with_the_regular_expressions(text: str, wrapped: bool) -> None:
    assert normalize_line(text) == _reference_line(text)
    assert normalize_abstract(text, hard_wrapped=wrapped) == _reference_abstract(text, wrapped)
