"""Language-aware analysis on the database backend (whichever database the run uses: SQLite by
default, PostgreSQL with DATABASE_URL): each record is stemmed in its own language, diacritics
and Serbian Cyrillic are folded for matching, languages without a stemmer match whole words."""

import pytest

from search import analysis, service
from search.backends.base import MARK_END, MARK_START
from search.query import parse
from tests.search.conftest import make_record, store

# (language, word in the record, words that must find it, words that must not).
PAIRS = [
    ("en", "victims", ["victim", "Victim's"], ["vicious", "victory"]),
    ("en", "organisations", ["organisation"], ["organ", "organic"]),
    ("fr", "victimes", ["victime"], ["victoire"]),
    ("fr", "mineurs", ["mineur"], ["mine", "mines"]),
    ("sr", "trgovinom", ["trgovina", "trgovine"], ["trg", "trgovac"]),
    ("sr", "identifikaciji", ["identifikacija", "identifikacije"], ["identitet"]),
    ("hr", "upućivanja", ["upućivanje", "upucivanje", "упућивање"], ["upute"]),
    ("bs", "žrtvama", ["žrtve", "zrtve", "жртве"], ["žrtvovanje"]),
    ("cnr", "trgovini", ["trgovina", "трговина"], ["trgovac"]),
    ("ro", "traficului", ["traficul", "trafic"], ["tratament"]),
    ("ro", "victimelor", ["victimă", "victima"], ["victorie"]),
    ("el", "θυμάτων", ["θύματα", "θυματα"], ["θέμα"]),
    ("el", "ανθρώπων", ["άνθρωπος"], ["ανθός"]),
    ("de", "Opfern", ["Opfer"], ["Offen"]),
    ("ru", "жертвами", ["жертвы", "жертва"], ["жест"]),
]
# Languages without a Snowball stemmer: folded whole words.
WHOLE_WORDS = [
    ("sq", "viktimë", ["viktime", "Viktimë"], ["viktimat", "viktima"]),
    ("mk", "жртви", ["жртви", "ЖРТВИ"], ["жртва"]),
    ("bg", "трафик", ["трафик"], ["трафика"]),
    ("sl", "žrtve", ["zrtve", "Žrtve"], ["žrtev"]),
    ("uk", "жертви", ["жертви"], ["жертва", "жертвами"]),
]


def found(query):
    return [hit.title for hit in service.search(query, None).hits]


@pytest.fixture
def database(settings, db):
    settings.ELASTICSEARCH_URL = ""
    return service.database_backend()


@pytest.mark.parametrize(("language", "word", "matching", "other"), PAIRS + WHOLE_WORDS)
def test_each_language_matches_its_word_forms_and_nothing_else(
    database, language, word, matching, other
):
    store(
        make_record(1, f"Record {language}", language=language, body=f"Guidance on {word}."),
        make_record(2, "Unrelated", language="en", body="Meeting minutes."),
    )
    for query in [word, *matching]:
        assert found(query) == [f"Record {language}"], (language, query)
    for query in other:
        assert found(query) == [], (language, query)


@pytest.mark.parametrize("language", ["sq", "mk", "bg", "sl", "uk"])
def test_languages_without_a_stemmer_are_analysed_as_whole_words(language):
    assert analysis.analyser_name(language) == analysis.WHOLE_WORDS


@pytest.mark.parametrize(
    ("language", "stemmer"),
    [("hr", "serbian"), ("bs", "serbian"), ("cnr", "serbian"), ("sr-Latn", "serbian"),
     ("sr_Cyrl", "serbian"), ("en-GB", "english"), ("ro", "romanian"), ("el", "greek")],
)  # fmt: skip
def test_related_languages_and_variants_map_to_a_stemmer(language, stemmer):
    assert analysis.analyser_name(language) == stemmer


def test_each_record_is_stemmed_in_its_own_language(database):
    """The same letters are a different word in another language: a French record's
    "mineurs" is stemmed as French, an English record's "miners" as English."""
    store(
        make_record(1, "French", language="fr", body="Les mineurs non accompagnés."),
        make_record(2, "English", language="en", body="Coal miners."),
    )
    assert found("mineur") == ["French"]
    assert found("miner") == ["English"]


def test_serbian_cyrillic_and_latin_find_each_other(database):
    store(
        make_record(1, "Latinica", language="sr", body="Upućivanje žrtava trgovine ljudima."),
        make_record(2, "Ћирилица", language="sr", body="Упућивање жртава трговине људима."),
    )
    assert sorted(found("упућивање")) == ["Latinica", "Ћирилица"]
    assert sorted(found("upucivanje zrtava")) == ["Latinica", "Ћирилица"]
    assert sorted(found('"трговине људима"')) == ["Latinica", "Ћирилица"]


def test_diacritics_are_folded_for_matching_and_shown_as_written(database):
    store(
        make_record(1, "Smjernice", language="hr", summary="Upućivanje žrtava na pomoć."),
    )
    results = service.search("upucivanje", None)
    assert [hit.title for hit in results.hits] == ["Smjernice"]
    assert "<mark>Upućivanje</mark>" in results.hits[0].snippet
    results = service.search("ŽRTAVA", None)
    assert "<mark>žrtava</mark>" in results.hits[0].snippet


def test_a_phrase_matches_in_the_records_language_only_in_order(database):
    store(
        make_record(1, "In order", language="ro", body="Identificarea victimelor traficului."),
        make_record(2, "Other order", language="ro", body="Traficului victimelor identificarea."),
    )
    assert found('"identificarea victimelor"') == ["In order"]
    assert found('-"identificarea victimelor" trafic') == ["Other order"]


def test_query_is_analysed_for_every_language_in_the_index(database):
    store(
        make_record(1, "Greek", language="el", body="Ταυτοποίηση θυμάτων."),
        make_record(2, "Romanian", language="ro", body="Identificarea victimelor."),
        make_record(3, "English", language="en", body="Identification of victims."),
    )
    assert found("θύματα") == ["Greek"]
    assert found("identificare") == ["Romanian"]
    assert found("identifications") == ["English"]


def test_analysis_folds_and_transliterates():
    serbian = analysis.analyser("sr")
    assert serbian.terms("Упућивање") == serbian.terms("upućivanje") == serbian.terms("UPUCIVANJE")
    assert analysis.fold("đorđe žrtva ç ß") == "djordje zrtva c ss"
    assert analysis.analyser("mk").terms("Жртви, ЖРТВИ") == ["жртви", "жртви"]
    # Every word gives one term, so phrases keep their positions.
    text = "Cross-border referral_mechanism: 2019/20 l'identification"
    assert len(analysis.analyser("fr").terms(text)) == len(analysis.words(text)) == 8


def test_the_snippet_marks_the_matching_words_in_the_original_text(database):
    body = "Before. " * 30 + "The referral of victims to services." + " After." * 40
    store(make_record(1, "Guide", language="en", body=body))
    snippet = service.search("referrals victim", None).hits[0].snippet
    assert "<mark>referral</mark> of <mark>victims</mark>" in snippet.replace(MARK_START, "")
    assert snippet.startswith("…") and snippet.endswith("…")
    assert MARK_END not in snippet


ENGLISH_TEXT = (
    "The use of the national referral mechanisms: what they do not cover, and why it should be "
    "used by all of us, as soon as a presumed victim is identified"
)


def test_english_records_leave_out_postgresqls_stop_words_and_keep_every_other_word():
    assert analysis.analyse(ENGLISH_TEXT, "en").split() == [
        "use", "nation", "referr", "mechan", "cover", "use", "us", "soon", "presum", "victim",
        "identifi",
    ]  # fmt: skip


def test_a_query_drops_generic_verbs_the_index_keeps():
    """'use' counts in a record's length, as in PostgreSQL's english configuration, but a query
    does not rank on it."""
    assert "use" in analysis.analyse("the use of force", "en").split()
    assert parse("the use of force").ranked_terms() == ["force"]


def test_english_terms_are_postgresqls_english_lexemes(db):
    """On PostgreSQL: an English text gives the terms its english configuration gives (Snowball
    English, its stop list), so ranking is what it was with that configuration."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("compares with PostgreSQL's english configuration")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT array_agg(lexeme) FROM unnest(to_tsvector('english', %s))", [ENGLISH_TEXT]
        )
        (lexemes,) = cursor.fetchone()
    assert set(analysis.analyse(ENGLISH_TEXT, "en").split()) == set(lexemes)
