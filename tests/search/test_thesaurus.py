"""The thesaurus the secretariat keeps: a query expands through it, in every language, and an
expanded term weighs less than what was typed. On the database backend of the run (SQLite by
default, PostgreSQL with DATABASE_URL)."""

import io
import json

import pytest

from django.core.management import CommandError, call_command
from django.urls import reverse

from search import service, thesaurus
from search.models import Concept, ConceptTerm
from search.query import parse
from tests.search.conftest import make_record, store


@pytest.fixture(autouse=True)
def fresh_thesaurus():
    thesaurus.forget()
    yield
    thesaurus.forget()


def fillers():
    """Unrelated records, so that a word of two records is not in half of the index (where
    BM25's IDF is nil)."""
    return [make_record(100 + n, f"Filler {n}", language="en", body="Budget.") for n in range(8)]


@pytest.fixture
def database(settings, db):
    settings.ELASTICSEARCH_URL = ""
    return service.database_backend()


@pytest.fixture
def seeded(database):
    thesaurus.load()
    return database


def found(query):
    return [hit.title for hit in service.search(query, None).hits]


def test_the_seed_thesaurus_loads_once_with_its_sources(db):
    out = io.StringIO()
    call_command("load_thesaurus", stdout=out)
    count = Concept.objects.count()
    assert count >= 12
    assert f"{count} concepts added" in out.getvalue()
    call_command("load_thesaurus", stdout=out)
    assert "0 concepts added, 0 replaced" in out.getvalue()
    assert Concept.objects.count() == count
    languages = set(ConceptTerm.objects.values_list("language", flat=True))
    assert {"en", "fr", "sq", "bs", "hr", "sr", "mk", "bg", "ro", "el", "sl", "uk"} <= languages
    acronyms = set(ConceptTerm.objects.filter(kind="acronym").values_list("text", flat=True))
    assert {"THB", "VoT", "NRM", "TRM", "SOP", "UASC"} <= acronyms
    assert all(concept.source for concept in Concept.objects.all())


def test_loading_keeps_the_secretariats_edits_unless_replaced(db):
    thesaurus.load()
    concept = Concept.objects.get(name="referral")
    concept.terms.filter(language="en", kind="alternative").update(text="onward referral")
    thesaurus.load()
    assert concept.terms.filter(text="onward referral").exists()
    thesaurus.load(replace=True)
    assert not concept.terms.filter(text="onward referral").exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [("{not json", "is not a thesaurus file"), ('{"concepts": [{"terms": {}}]}', "name")],
)
def test_a_bad_thesaurus_file_is_refused_whole(db, tmp_path, content, message):
    path = tmp_path / "thesaurus.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CommandError, match=message):
        call_command("load_thesaurus", str(path))
    with pytest.raises(CommandError, match="No such file"):
        call_command("load_thesaurus", str(tmp_path / "missing.json"))
    assert not Concept.objects.exists()


def test_a_bad_term_in_the_file_loads_nothing(db, tmp_path):
    path = tmp_path / "thesaurus.json"
    concepts = [
        {"name": "good", "terms": {"en": {"preferred": "good"}}},
        {"name": "bad", "terms": {"xx": {"preferred": "bad"}}},
    ]
    path.write_text(json.dumps({"concepts": concepts}), encoding="utf-8")
    with pytest.raises(CommandError, match="language"):
        call_command("load_thesaurus", str(path))
    assert not Concept.objects.exists()


def test_terms_name_their_sources_per_language_or_per_term(db, tmp_path):
    path = tmp_path / "thesaurus.json"
    sources = {"guide": {"label": "Shelter guide", "title": "A guide"}, "law": "Shelter law"}
    terms = {
        "en": {"preferred": "safe house", "alternative": ["shelter"], "sources": ["guide"]},
        "hr": {"preferred": {"text": "sklonište", "sources": ["law", "guide"]}},
        "sr": {"preferred": "sklonište", "acronym": [{"text": "SK", "sources": ["notes"]}]},
    }
    concepts = [{"name": "shelter", "terms": terms}]
    path.write_text(json.dumps({"sources": sources, "concepts": concepts}), encoding="utf-8")
    call_command("load_thesaurus", str(path), stdout=io.StringIO())
    concept = Concept.objects.get()
    assert concept.source == "en: Shelter guide; hr: Shelter law, Shelter guide; sr: notes"
    assert list(concept.terms.values_list("language", "kind", "text")) == [
        ("en", "preferred", "safe house"),
        ("en", "alternative", "shelter"),
        ("hr", "preferred", "sklonište"),
        ("sr", "preferred", "sklonište"),
        ("sr", "acronym", "SK"),
    ]


@pytest.mark.parametrize(
    ("terms", "message"),
    [
        ({"en": {"preferred": "safe house", "sources": "guide"}}, "sources must be a list"),
        ({"en": {"preferred": {"sources": ["guide"]}}}, "text"),
        ({"en": {"preferred": "safe house", "source": ["guide"]}}, "kind"),
        ({"en": ["safe house"]}, "must be an object"),
    ],
)
def test_a_bad_source_or_term_is_refused_whole(db, tmp_path, terms, message):
    path = tmp_path / "thesaurus.json"
    good = {"name": "good", "terms": {"en": {"preferred": "good"}}}
    concepts = [good, {"name": "bad", "terms": terms}]
    path.write_text(json.dumps({"concepts": concepts}), encoding="utf-8")
    with pytest.raises(CommandError, match=message):
        call_command("load_thesaurus", str(path))
    assert not Concept.objects.exists()


def test_a_long_summary_of_sources_fits_the_field(db, tmp_path):
    path = tmp_path / "thesaurus.json"
    sources = {f"s{n}": {"label": f"Source number {n:02} with a long label"} for n in range(40)}
    terms = {"en": {"preferred": "safe house", "sources": list(sources)}}
    concepts = [{"name": "shelter", "terms": terms}]
    path.write_text(json.dumps({"sources": sources, "concepts": concepts}), encoding="utf-8")
    thesaurus.load(path)
    source = Concept.objects.get().source
    assert len(source) <= 500
    assert source.startswith("Source number 00 with a long label; Source number 01")
    assert source.endswith("; …")


def test_the_seed_thesaurus_summarises_its_sources_in_the_admin(db):
    thesaurus.load()
    referral = Concept.objects.get(name="referral")
    assert referral.source.startswith("en: ICMPD 2019, CBSS TRM; fr: ")
    assert "bs: MS BiH, ODIHR bcs 2006" in referral.source
    transnational = Concept.objects.get(name="transnational referral mechanism")
    assert "sr: usage (unconfirmed)" in transnational.source


def test_a_query_in_one_language_finds_the_guideline_written_in_another(seeded):
    store(
        make_record(1, "Guideline", language="en", body="The referral of victims to shelters."),
        make_record(2, "Minutes", language="en", body="Budget and travel."),
    )
    assert found("upućivanje žrtava") == ["Guideline"]
    assert found("упућивање жртава") == ["Guideline"]
    assert found("upucivanje zrtava") == ["Guideline"]
    assert found("orientation des victimes") == ["Guideline"]


def test_an_acronym_finds_its_spelled_out_form_and_back(seeded):
    store(
        make_record(1, "Screening", language="en", body="Screening a victim of trafficking."),
        make_record(2, "NRM review", language="en", body="The NRM was reviewed."),
    )
    assert found("VoT") == ["Screening"]
    assert found("national referral mechanism") == ["NRM review"]
    assert found("жртва трговине људима") == ["Screening"]


def test_a_typed_term_outranks_an_expanded_one(seeded):
    store(
        make_record(1, "Spelled out", language="en", body="Interviewing a victim of trafficking."),
        make_record(2, "Acronym", language="en", body="Interviewing a VoT."),
        *fillers(),
    )
    results = service.search("VoT", None)
    assert [hit.title for hit in results.hits] == ["Acronym", "Spelled out"]
    assert results.hits[0].score > results.hits[1].score
    results = service.search("victim of trafficking", None)
    assert [hit.title for hit in results.hits] == ["Spelled out", "Acronym"]
    assert results.hits[0].score > results.hits[1].score


def test_an_expansion_holding_a_typed_word_is_left_to_that_word(seeded):
    store(
        make_record(1, "Guideline", language="en", body="The referral of victims to shelters."),
        make_record(2, "Orientation", language="fr", body="L'orientation des victimes."),
        make_record(3, "Minutes", language="en", body="Budget and travel."),
    )
    parsed = thesaurus.expand(parse("referral"))
    assert ("en", "referral of victims") in parsed.expansions
    query = seeded.analyse_query(parsed)
    assert "referr" in query.terms
    assert query.expansions
    assert all(not set(terms) & set(query.terms) for terms in query.expansions)
    assert ("orient", "de", "victim") in query.expansions
    assert sorted(found("referral")) == ["Guideline", "Orientation"]


def test_an_expanded_phrase_is_checked_in_its_pruned_candidates_only(seeded, monkeypatch):
    """On PostgreSQL a phrase is checked against each candidate record's text, so an expansion's
    candidates are pruned as a typed word's are: the records where its rarest word weighs
    most."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL prunes each term's postings; SQLite's FTS5 reads phrases itself")
    from search.backends import postgresql

    store(
        *[
            make_record(n, f"Guideline {n}", language="en", body="The referral of victims. " * n)
            for n in range(1, 6)
        ],
        *fillers(),
    )
    assert len(found("upućivanje žrtava")) == 5
    monkeypatch.setattr(postgresql, "PRUNE", 2)
    assert found("upućivanje žrtava") == ["Guideline 5", "Guideline 4"]


def test_expanded_terms_are_marked_in_the_snippet(seeded):
    store(make_record(1, "Guideline", language="en", summary="Referral of victims in practice."))
    snippet = service.search("upućivanje žrtava", None).hits[0].snippet
    assert "<mark>Referral</mark> of <mark>victims</mark>" in snippet


def test_without_the_thesaurus_nothing_expands(database):
    store(make_record(1, "Screening", language="en", body="Screening a victim of trafficking."))
    assert found("VoT") == []
    assert parse("VoT").expansions == []


def test_expansion_follows_the_secretariats_edits(seeded):
    store(make_record(1, "Shelter", language="en", body="A safe house for women."))
    assert found("shelter") == ["Shelter"]
    assert found("sklonište") == []
    concept = Concept.objects.create(name="shelter", source="secretariat")
    ConceptTerm.objects.create(concept=concept, language="en", text="safe house")
    ConceptTerm.objects.create(concept=concept, language="hr", text="sklonište")
    assert found("sklonište") == ["Shelter"]


def test_the_secretariat_keeps_the_thesaurus_in_the_admin(secretariat_client):
    url = reverse("wagtailsnippets_search_concept:add")
    data = {
        "name": "shelter",
        "note": "",
        "source": "National SOPs",
        "terms-TOTAL_FORMS": "1",
        "terms-INITIAL_FORMS": "0",
        "terms-MIN_NUM_FORMS": "0",
        "terms-MAX_NUM_FORMS": "1000",
        "terms-0-language": "hr",
        "terms-0-text": "  sklonište  ",
        "terms-0-kind": "preferred",
        "terms-0-ORDER": "1",
        "terms-0-DELETE": "",
    }
    bad = {**data, "terms-0-text": " -- "}
    response = secretariat_client.post(url, bad)
    assert response.status_code == 200
    assert "A term needs at least one letter or digit." in response.text
    assert not Concept.objects.exists()
    response = secretariat_client.post(url, {**data, "terms-0-language": "xx"})
    assert response.status_code == 200
    assert not Concept.objects.exists()
    response = secretariat_client.post(url, data)
    assert response.status_code == 302, response.text[:2000]
    assert list(Concept.objects.get().terms.values_list("language", "text")) == [
        ("hr", "sklonište")
    ]


def test_members_cannot_open_the_thesaurus_admin(member_client):
    response = member_client.get(reverse("wagtailsnippets_search_concept:list"))
    assert response.status_code in (302, 403)


def test_a_rolled_back_change_does_not_outlive_its_transaction(database):
    from django.db import transaction

    store(make_record(1, "Shelter", language="en", body="A safe house for women."))
    assert found("sklonište") == []
    with transaction.atomic():
        concept = Concept.objects.create(name="shelter")
        ConceptTerm.objects.create(concept=concept, language="en", text="safe house")
        ConceptTerm.objects.create(concept=concept, language="hr", text="sklonište")
        assert found("sklonište") == ["Shelter"]
        transaction.set_rollback(True)
    assert found("sklonište") == []
