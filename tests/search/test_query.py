"""The query parser every backend shares: people type text, never syntax."""

import pytest

from search.query import MAX_TERMS, parse


def test_natural_language_query_becomes_ranked_words_without_stop_words():
    parsed = parse("Referral of unaccompanied children")
    assert parsed.terms == ["referral", "of", "unaccompanied", "children"]
    assert parsed.ranked_terms() == ["referral", "unaccompanied", "children"]


def test_quoted_text_is_a_required_phrase_and_dash_excludes():
    parsed = parse('"national referral mechanism" shelters -labour -"forced marriage"')
    assert parsed.phrases == [["national", "referral", "mechanism"]]
    assert parsed.terms == ["shelters"]
    assert parsed.excluded == [["labour"], ["forced", "marriage"]]


def test_a_stop_word_only_query_still_searches_its_words():
    assert parse("the of").ranked_terms() == ["the", "of"]


@pytest.mark.parametrize(
    "text",
    ['"unbalanced quote', "(", "title:*", "/.*/", "AND OR NOT", "NEAR(a b)", '"', "-", "*", "^~\\"],
)
def test_syntax_characters_are_never_passed_on(text):
    parsed = parse(text)
    for word in parsed.ranked_terms() + [w for p in parsed.excluded for w in p]:
        assert word.isalnum() or "_" in word


def test_a_huge_query_is_capped():
    parsed = parse("word " * 4000 + " ".join(f"w{i}" for i in range(100)))
    assert len(parsed.text) <= 200
    assert len(parsed.ranked_terms()) <= MAX_TERMS


def test_unbalanced_quote_keeps_the_words():
    assert parse('trafficking "victims').terms == ["trafficking", "victims"]


def test_snippets_are_escaped_before_matches_are_marked():
    from search.backends.base import MARK_END, MARK_START, render_snippet

    marked = f'<img src=x onerror="alert(1)"> {MARK_START}shelter{MARK_END} & more'
    assert render_snippet(marked) == (
        "&lt;img src=x onerror=&quot;alert(1)&quot;&gt; <mark>shelter</mark> &amp; more"
    )
