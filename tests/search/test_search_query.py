"""The search box language (pure parsing) and fusion (pure functions)."""

from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from dailypapers.search.fusion import convex, rrf
from dailypapers.search.lexical import (
    MAX_TERMS,
    PostgresLexical,
    rarest_within,
    terms_of,
)
from dailypapers.search.query import parse_query


def test_every_form() -> None:
    q = parse_query(
        'sparse "mixture of experts" author:"Yann LeCun" author:Hinton cat:cs.CL '
        "cat:cs.LG after:2026-01-01 before:2026-02-28 routing"
    )
    assert q.words == ["sparse", "routing"]
    assert q.phrases == ["mixture of experts"]
    assert q.authors == ["Yann LeCun", "Hinton"]
    assert q.categories == ["cs.CL", "cs.LG"]
    assert (q.after, q.before) == (date(2026, 1, 1), date(2026, 2, 28))
    assert q.text == "sparse mixture of experts routing"


def test_ids_and_urls_are_recognised() -> None:
    for raw in (
        "2401.01234",
        "arXiv:2401.01234v2",
        "https://arxiv.org/pdf/2401.01234v1",
        " hep-th/9901001 ",
    ):
        assert parse_query(raw).arxiv_id in {"2401.01234", "hep-th/9901001"}


def test_bad_operators_degrade_to_words() -> None:
    q = parse_query('after:yesterday "unclosed phrase author:')
    assert q.after is None and "after:yesterday" in q.words
    assert q.phrases == ["unclosed phrase author:"]


@given(st.text(max_size=300))
def test_anything_parses_and_yields_safe_engine_queries(raw: str) -> None:
    q = parse_query(raw)
    for expression in (PostgresLexical.tsquery(q), PostgresLexical.required_tsquery(q)):
        if expression:
            assert "\x00" not in expression
    for term in terms_of(q.text):
        assert term.isalnum() or "_" in term


def test_long_text_keeps_a_bounded_number_of_terms() -> None:
    abstract = " ".join(f"word{n}" for n in range(500))
    assert len(terms_of(abstract)) == MAX_TERMS == 128


def test_rrf_and_convex() -> None:
    lexical = [(1, 9.0), (2, 5.0), (3, 1.0)]
    dense = [(3, 0.9), (1, 0.8), (4, 0.1)]
    fused = rrf([lexical, dense], k=10)
    assert [pid for pid, _ in fused][:2] == [1, 3]
    assert rrf([lexical, dense], k=10, weights=[0.0, 1.0])[0][0] == 3
    blended = convex(lexical, dense, alpha=0.5)
    assert blended[0][0] == 1 and {pid for pid, _ in blended} == {1, 2, 3, 4}


def test_rarest_terms_within_a_postings_budget() -> None:
    frequencies = [(20_000.0, "learning"), (40.0, "splatting"), (900.0, "gaussian")]
    assert rarest_within(frequencies, 8_000) == {"splatting", "gaussian", "learning"}  # 3 min
    assert rarest_within(frequencies, 8_000, minimum=1) == {"splatting", "gaussian"}
    assert rarest_within([(20_000.0, "learning")], 8_000, minimum=1) == {"learning"}
