"""Text normalisation: tidy and storable, never rewritten."""

from __future__ import annotations

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
