"""The network's own test collection: its shape, and the scoring `make bench` prints for it."""

import math

from benchmarks.ranking import average_precision, ndcg
from benchmarks.search_network import load

REGION = {"sq", "bs", "hr", "cnr", "sr", "mk", "bg", "ro", "el", "sl", "uk"}


def test_the_collection_has_30_queries_in_five_of_the_regions_languages_at_least():
    documents, queries = load()
    assert len(queries) >= 30
    languages = {query["language"] for query in queries}
    assert len(languages & REGION) >= 5
    assert len({query["id"] for query in queries}) == len(queries)


def test_every_judged_document_is_in_the_collection_and_every_query_has_an_answer():
    documents, queries = load()
    ids = {document["external_id"] for document in documents}
    assert len(ids) == len(documents)
    for query in queries:
        assert set(query["judgements"]) <= ids, query["id"]
        assert set(query["judgements"].values()) <= {1, 2}, query["id"]
        assert query["judgements"], query["id"]


def test_the_documents_are_in_the_regions_languages_and_scripts():
    documents, _queries = load()
    languages = {document["languages"][0] for document in documents}
    assert languages >= REGION
    serbian = [d["title"] for d in documents if d["languages"] == ["sr"]]
    assert any("ž" in title or "Standardne" in title for title in serbian)  # Latin
    assert any("ј" in title or "и" in title for title in serbian)  # Cyrillic


def test_average_precision_counts_both_grades_as_relevant():
    judgements = {"a": 2, "b": 1}
    assert average_precision(["a", "x", "b"], judgements) == (1 / 1 + 2 / 3) / 2
    assert average_precision(["x"], judgements) == 0.0


def test_graded_ndcg_rewards_the_better_answer_first():
    judgements = {"a": 2, "b": 1}
    assert ndcg(["a", "b"], judgements) == 1.0
    swapped = ndcg(["b", "a"], judgements)
    ideal = 2 + 1 / math.log2(3)
    assert math.isclose(swapped, (1 + 2 / math.log2(3)) / ideal)
    assert swapped < 1.0
    assert ndcg(["x"], {}) == 0.0


def test_the_off_run_switches_the_thesaurus_setting_off_only_inside(db):
    from django.conf import settings

    from benchmarks.search_network import thesaurus

    with thesaurus(False):
        assert settings.SEARCH_THESAURUS is False
    assert getattr(settings, "SEARCH_THESAURUS", True) is not False
