"""Suggestions ("did you mean") do bounded work: the vocabulary of a letter is read once per index
generation (a write starts a new one), each word is compared with a capped window of it, and the
word offered is always one the user may see. The suggestion quality tests are in test_contract."""

import pytest

from django.db import connection
from django.test.utils import CaptureQueriesContext

from search import service
from search.backends import database
from search.backends.database import close_terms, prefix_window
from tests.search.conftest import make_record, store


@pytest.fixture(autouse=True)
def database_backend(settings):
    settings.ELASTICSEARCH_URL = ""


def vocabulary_reads(queries):
    """The statements that read a letter's vocabulary (SQLite's FTS5 vocabulary table, or
    PostgreSQL's terms by frequency)."""
    return [
        q["sql"]
        for q in queries
        if "FROM search_fts_vocab" in q["sql"] or "FROM search_term WHERE left(term" in q["sql"]
    ]


@pytest.mark.parametrize(
    "typed",
    [
        "identificatoin",  # letters swapped late
        "idantification",  # the third letter wrong
        "iedntification",  # the second and third swapped
        "ixdentification",  # a letter inserted second
        "iuentification",  # the second letter wrong
        "idntification",  # a letter missing
    ],
)
def test_a_typo_from_the_second_letter_on_keeps_the_word_in_its_window(typed):
    vocabulary = ["identif", "idea", "ignor", "illeg", "immigr", "indic", "iron"]
    assert "identif" in prefix_window(typed, vocabulary)
    assert close_terms(typed, prefix_window(typed, vocabulary))[0] == "identif"


def test_the_window_is_capped_most_frequent_first(monkeypatch):
    monkeypatch.setattr(database, "WINDOW_CAP", 3)
    vocabulary = ["stand", "state", "stage", "store", "stake", "stone"]
    assert prefix_window("stane", vocabulary) == ["stand", "state", "stage"]


def test_the_vocabulary_is_read_once_per_index_generation(db, member):
    store(make_record(1, "Identification of victims", body="Early identification."))
    service.search("identificaton", None)
    with CaptureQueriesContext(connection) as captured:
        results = service.search("identificaton", None)
    assert results.suggestion == "identification"
    assert vocabulary_reads(captured.captured_queries) == []

    # A write starts a new generation: a word indexed now is offered at once.
    store(make_record(2, "Pangolin trade", body="Pangolins."))
    with CaptureQueriesContext(connection) as captured:
        results = service.search("pangolim", member)
    assert results.suggestion == "pangolin"
    assert len(vocabulary_reads(captured.captured_queries)) == 1


def test_each_letter_keeps_only_its_most_frequent_terms(db, monkeypatch):
    monkeypatch.setattr(database, "VOCABULARY_CAP", 2)
    store(
        make_record(1, "Shelter", body="shelter shelter standard"),
        make_record(2, "Shelter two", body="shelter standard"),
        make_record(3, "Other", body="sanction"),
    )
    assert service.database_backend().vocabulary("s") == ["shelter", "standard"]


def test_a_word_removed_from_the_index_is_no_longer_offered(db):
    store(make_record(1, "Pangolin trade", body="Pangolins."))
    assert service.search("pangolim", None).suggestion == "pangolin"
    store(make_record(1, "Wildlife trade", body="Animals."))
    assert service.search("pangolim", None).suggestion == ""


def test_a_members_only_word_is_never_offered_to_the_public_even_when_cached(db, member):
    store(
        make_record(1, "Public guide", body="Referral of victims."),
        make_record(2, "Minutes", audience="members", body="The zanzibarite pilot."),
    )
    assert service.search("zanzibarote", member).suggestion == "zanzibarite"
    assert service.search("zanzibarote", None).suggestion == ""
    assert service.search("zanzibarote referal", None).suggestion == "zanzibarote referral"
