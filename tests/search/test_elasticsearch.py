"""The Elasticsearch backend without a cluster: mapping, record preparation, query bodies, the
alias swap, and falling back to the database when the cluster cannot be reached. The live
contract run is in test_contract.py (when ELASTICSEARCH_URL is set)."""

import datetime
import socket
import threading

import pytest

from search import service
from search.backends.base import MARK_END, MARK_START
from search.backends.elasticsearch import (
    RecordDocument,
    alias_swap_actions,
    build_search,
    prepare,
)
from search.query import parse
from tests.clients import Client
from tests.search.conftest import make_record, store


def test_mapping_analyses_each_language_with_its_analyzer():
    mapping = RecordDocument._doc_type.mapping.to_dict()["properties"]
    assert mapping["body_en"] == {"type": "text", "analyzer": "english"}
    assert mapping["title_fr"] == {"type": "text", "analyzer": "french"}
    assert mapping["body_std"] == {"type": "text", "analyzer": "standard"}
    for keyword in ("audiences", "kind", "year", "facet_topic", "facet_country", "key"):
        assert mapping[keyword]["type"] == "keyword"
    assert mapping["date"]["type"] == "date"


def test_records_become_documents_in_their_language_fields():
    record = make_record(
        7, "Guide", audience="members", language="fr", summary="Résumé", body="Corps",
        attachments="Annexe", date=datetime.date(2020, 3, 1), external_id="E7",
        facets={"topic": ["referral"], "type": ["guideline"]},
    )  # fmt: skip
    doc = prepare(record)
    assert doc["title_fr"] == "Guide" and doc["summary_fr"] == "Résumé"
    assert doc["body_fr"] == "Corps\nAnnexe"
    assert "body_en" not in doc
    assert doc["audiences"] == ["members", "secretariat"]
    assert doc["facet_topic"] == ["referral"] and doc["facet_language"] == ["fr"]
    assert doc["year"] == "2020" and doc["date"] == "2020-03-01"
    assert doc["external_id"] == "E7" and len(doc["content_hash"]) == 64


def test_words_joined_by_punctuation_are_also_indexed_split():
    body = "Write to jane.doe@example.org, version 3.5 of the guide."
    record = make_record(1, "Cross-border referral", language="en", body=body)
    doc = prepare(record)
    assert doc["joined"].splitlines() == ["Cross border", "jane doe example org", "3 5"]
    assert doc["body_en"] == record.body  # the text itself is indexed (and highlighted) as written
    assert "joined" not in prepare(make_record(2, "Plain", body="no joined words"))
    mapping = RecordDocument._doc_type.mapping.to_dict()["properties"]
    assert mapping["joined"] == {"type": "text", "analyzer": "standard"}


def test_unknown_languages_use_the_standard_analyzer_fields():
    assert "body_std" in prepare(make_record(1, "T", language="sq", body="tekst"))


def test_query_filters_by_tier_inside_the_bool_query_before_ranking_and_aggregating():
    body = build_search(
        parse('referral children "national mechanism" -labour'), "public",
        {"topic": ["referral"]}, "relevance", 20, 10,
    ).to_dict()  # fmt: skip
    query = body["query"]["bool"]
    assert {"term": {"audiences": "public"}} in query["filter"]
    assert {"terms": {"facet_topic": ["referral"]}} in query["filter"]
    ranked = query["must"][0]["multi_match"]
    assert ranked["type"] == "most_fields"
    assert ranked["query"] == "referral children national mechanism"
    assert "title_en^3" in ranked["fields"] and "body_en" in ranked["fields"]
    assert "joined" in ranked["fields"]
    phrase = [f for f in query["filter"] if "multi_match" in f][0]["multi_match"]
    assert phrase["type"] == "phrase" and phrase["query"] == "national mechanism"
    assert "joined" in phrase["fields"]
    excluded = [f["bool"]["must_not"][0] for f in query["filter"] if "bool" in f]
    assert excluded[0]["multi_match"]["query"] == "labour"
    assert "joined" in excluded[0]["multi_match"]["fields"]
    assert set(body["aggs"]) == {"kind", "type", "topic", "country", "language", "year"}
    assert body["aggs"]["topic"] == {"terms": {"field": "facet_topic", "size": 50}}
    assert body["highlight"]["pre_tags"] == [MARK_START]
    assert body["highlight"]["post_tags"] == [MARK_END]
    assert "title_en" not in body["highlight"]["fields"]
    assert body["from"] == 20 and body["size"] == 10
    assert body["track_total_hits"] is True


def test_raw_syntax_never_reaches_elasticsearch():
    body = build_search(parse('title:* /.*/ ( "unbalanced'), "public", {}, "relevance", 0, 20)
    text = str(body.to_dict())
    assert "query_string" not in text and "title:*" not in text and "/.*/" not in text


def test_empty_query_lists_newest_first_without_highlighting():
    body = build_search(parse(""), "members", {}, "relevance", 0, 20).to_dict()
    assert body["sort"][0] == {"date": {"order": "desc", "missing": "_last"}}
    assert "highlight" not in body
    assert body["query"]["bool"]["filter"] == [{"term": {"audiences": "members"}}]


def test_rebuild_swaps_the_alias_to_the_new_index_in_one_update():
    assert alias_swap_actions(
        "prod-search-records", "prod-search-records-v2", ["prod-search-records-v1"]
    ) == [  # noqa: E501
        {"remove": {"index": "prod-search-records-v1", "alias": "prod-search-records"}},
        {"add": {"index": "prod-search-records-v2", "alias": "prod-search-records"}},
    ]
    assert alias_swap_actions("a", "a-v1", []) == [{"add": {"index": "a-v1", "alias": "a"}}]


def test_index_names_carry_the_environment_prefix(settings):
    settings.ELASTICSEARCH_URL = "http://127.0.0.1:9"
    settings.SEARCH_INDEX_PREFIX = "staging"
    backend = service.elasticsearch_backend()
    assert backend.alias == "staging-search-records"
    assert backend.new_index_name().startswith("staging-search-records-v")


class StandInCluster:
    """A local port standing in for a cluster that is down: each connection is taken and closed
    unanswered (or, `answer=False`, held open and never answered, as a hung cluster does);
    `connections` counts how often the portal knocked."""

    def __init__(self, answer=True):
        self.answer = answer
        self.connections = 0
        self.held = []
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        self.thread = threading.Thread(target=self._serve, daemon=True)

    def _serve(self):
        while True:
            try:
                connection, _ = self.listener.accept()
            except OSError:  # the listener was shut: stop serving
                return
            self.connections += 1
            if self.answer:
                connection.close()  # as a refused request does, but counted
            else:
                self.held.append(connection)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.listener.shutdown(socket.SHUT_RDWR)
        self.listener.close()
        self.thread.join()
        for connection in self.held:
            connection.close()


class TestUnreachableCluster:
    """Port 9 (discard) is closed here: connecting fails like a cluster that is down."""

    @pytest.fixture
    def down(self, db, settings):
        settings.ELASTICSEARCH_URL = "http://127.0.0.1:9"
        service._es_down_until = 0.0
        yield
        service._es_down_until = 0.0

    def test_search_falls_back_to_the_database_asking_the_cluster_once(self, down, settings):
        # How fast is measured by the benchmark (search.fallback.*); here, that the fallback
        # costs one attempt, not retries, and that the next search does not knock again.
        settings.ELASTICSEARCH_URL = ""  # stored while no cluster is configured: none waits
        store(make_record(1, "Shelter guide", body="shelter"))
        with StandInCluster() as cluster:
            settings.ELASTICSEARCH_URL = cluster.url
            results = service.search("shelter", None)
            assert results.backend in ("sqlite", "postgresql")
            assert [hit.title for hit in results.hits] == ["Shelter guide"]
            assert cluster.connections == 1
            assert service.search("shelter", None).total == 1
            assert service.suggest("shel", None) == ["Shelter guide"]
            assert cluster.connections == 1

    def test_a_cluster_that_never_answers_is_given_up_on(self, down, settings):
        settings.ELASTICSEARCH_URL = ""  # stored while no cluster is configured: none waits
        store(make_record(1, "Shelter guide", body="shelter"))
        with StandInCluster(answer=False) as cluster:
            settings.ELASTICSEARCH_URL = cluster.url
            results = service.search("shelter", None)
            assert [hit.title for hit in results.hits] == ["Shelter guide"]
            assert results.backend in ("sqlite", "postgresql")
            assert cluster.connections == 1
            assert not service._es_available()

    def test_pages_never_answer_500(self, down):
        store(make_record(1, "Shelter guide", body="shelter"))
        client = Client()
        assert client.get("/api/search/", {"q": "shelter"}).status_code == 200
        assert client.get("/search/", {"q": "shelter"}).status_code == 200
        assert client.get("/api/search/suggest/", {"q": "shel"}).json()["suggestions"] == [
            "Shelter guide"
        ]

    def test_bulk_writes_keep_the_database_copy_and_stop_asking_the_cluster(self, down):
        service.add_records([make_record(n, f"Shelter guide {n}", body="shelter") for n in (1, 2)])
        assert not service._es_available()  # remembered: the next write does not wait again
        service.add_records([make_record(3, "Shelter guide 3", body="shelter")])
        assert service.search("shelter", None).total == 3

    def test_health_reports_the_fallback(self, down):
        ok, detail = service.backend_status()
        assert ok and "database fallback" in detail
