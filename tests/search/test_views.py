"""The search page and the JSON API: shape per docs/contracts.md, bad input, permissions, query
count."""

import pytest

from django.urls import reverse

from search.models import ZeroResultQuery
from tests.clients import Client
from tests.search.conftest import make_record, store

API = "/api/search/"
PAGE = "/search/"


@pytest.fixture
def records(db, settings, day):
    settings.ELASTICSEARCH_URL = ""
    return store(
        make_record(1, "Public referral guide", body="Referral of victims <b>now</b>.", date=day,
                    external_id="EXT-1", facets={"type": ["guideline"], "topic": ["referral"]}),
        make_record(2, "Members' referral minutes", audience="members", date=day,
                    attachments="Zanzibarite referral notes.", facets={"topic": ["secret-topic"]}),
    )  # fmt: skip


def test_urls_are_where_the_contract_says():
    assert reverse("search:search") == PAGE
    assert reverse("search:api") == API


class TestApi:
    def test_answers_in_the_contract_shape(self, client, records):
        data = client.get(API, {"q": "referral"}).json()
        assert set(data) == {"query", "total", "page", "page_size", "backend", "results", "facets"}
        assert data["query"] == "referral" and data["total"] == 1
        assert data["page"] == 1 and data["page_size"] == 20
        assert data["backend"] in ("sqlite", "postgresql")
        hit = data["results"][0]
        assert set(hit) == {"title", "url", "kind", "snippet", "date", "score", "external_id"}
        assert hit["external_id"] == "EXT-1"
        assert hit["date"] == "2024-05-17"
        assert "<mark>Referral</mark>" in hit["snippet"]
        assert "<b>" not in hit["snippet"]
        assert set(data["facets"]) == {"kind", "type", "topic", "country", "language", "year"}
        assert data["facets"]["type"] == [{"value": "guideline", "label": "Guideline", "count": 1}]

    def test_anonymous_api_never_reveals_members_only_records(self, client, records):
        data = client.get(API, {"q": "zanzibarite referral"}).json()
        assert [r["title"] for r in data["results"]] == ["Public referral guide"]
        assert "secret-topic" not in str(data)
        assert "Zanzibarite" not in str(data) and "Members'" not in str(data)

    def test_member_api_includes_members_records(self, member_client, records):
        data = member_client.get(API, {"q": "zanzibarite"}).json()
        assert [r["title"] for r in data["results"]] == ["Members' referral minutes"]
        assert "<mark>Zanzibarite</mark>" in data["results"][0]["snippet"]

    def test_empty_query_lists_everything_visible(self, member_client, records):
        assert Client().get(API).json()["total"] == 1
        assert member_client.get(API).json()["total"] == 2

    @pytest.mark.parametrize(
        "params, named",
        [
            ({"page": "abc"}, "page"),
            ({"page": "0"}, "page"),
            ({"page": "-1"}, "page"),
            ({"page_size": "10000"}, "page_size"),
            ({"page_size": "101"}, "page_size"),
            ({"page_size": "0"}, "page_size"),
            # str.isdigit() takes these; int() refuses the first and reads the second as 1.
            ({"page": "²"}, "page"),
            ({"page_size": "１"}, "page_size"),
            ({"sort": "oldest"}, "sort"),
            ({"year": "abcd"}, "year"),
            ({"year": "99999"}, "year"),
            ({"year": "２０１９"}, "year"),
            ({"year": ["2019", "19"]}, "year"),
        ],
    )
    def test_malformed_parameters_answer_400_with_a_json_error(
        self, client, records, params, named
    ):
        response = client.get(API, {"q": "referral", **params})
        assert response.status_code == 400
        assert named in response.json()["error"].lower()

    @pytest.mark.parametrize(
        "query",
        ["x" * 20_000, '"unbalanced', "(", "title:*", "/.*/", "-", '"" AND OR NOT ('],
    )
    def test_odd_queries_answer_and_never_fail(self, client, records, query):
        response = client.get(API, {"q": query})
        assert response.status_code == 200
        assert isinstance(response.json()["results"], list)

    def test_unknown_filters_are_ignored(self, client, records):
        data = client.get(API, {"q": "referral", "colour": "red", "type": "guideline"}).json()
        assert data["total"] == 1

    def test_repeated_filters_are_ored(self, member_client, records):
        params = {"q": "referral", "topic": ["referral", "secret-topic"]}
        assert member_client.get(API, params).json()["total"] == 2

    def test_query_count_does_not_grow_with_results(
        self, member_client, db, settings, django_assert_max_num_queries
    ):
        settings.ELASTICSEARCH_URL = ""

        def count_queries(n):
            store(*[make_record(1000 * n + i, f"Shelter guide {i}", body="shelter",
                                facets={"topic": [f"t{i}"]}) for i in range(n)])  # fmt: skip
            member_client.get(API, {"q": "shelter"})  # warm caches
            # Session and user (3, with the session's renewal), groups once, then the search:
            # one statement for hits, total and facets, one for the page's records and snippets.
            with django_assert_max_num_queries(8) as captured:
                data = member_client.get(API, {"q": "shelter"}).json()
            return data["total"], len(captured)

        total, queries = count_queries(3)
        assert total == 3
        assert count_queries(27) == (30, queries)


BAD_INPUT = [
    # (parameters, expected status): the bad-input list of the search issue, plus neighbours.
    ({"q": "x" * 20_000}, 200),
    ({"q": " ".join(f"referral{i}" for i in range(3000))}, 200),
    ({"q": '"unbalanced referral'}, 200),
    ({"q": "("}, 200),
    ({"q": "title:*"}, 200),
    ({"q": "/.*/"}, 200),
    ({"q": "referral", "page": "abc"}, 400),
    ({"q": "referral", "page": "99999999999999999999"}, 400),
    ({"q": "referral", "colour": "red", "topic[]": "x"}, 200),
    ({"q": "referral", "page_size": "10000"}, 400),
    ({"q": "referral", "page_size": "ten"}, 400),
    ({"q": "referral", "page": "²"}, 400),
    ({"q": "referral", "page_size": "²"}, 400),
]


@pytest.mark.parametrize("url", [API, PAGE])
@pytest.mark.parametrize("params, status", BAD_INPUT)
def test_bad_input_answers_400_or_results_never_500(client, records, url, params, status):
    # How fast is measured by the benchmark (search.scale.*.bad_input_slowest), not here.
    response = client.get(url, params)
    assert response.status_code == status
    if url == API and status == 400:
        assert response.json()["error"]
    elif url == API:
        assert isinstance(response.json()["results"], list)


class TestSuggest:
    def test_completions_come_from_visible_titles(self, member_client, records):
        client = Client()
        assert client.get("/api/search/suggest/", {"q": "memb"}).json()["suggestions"] == []
        assert member_client.get("/api/search/suggest/", {"q": "memb"}).json()["suggestions"] == [
            "Members' referral minutes"
        ]
        assert client.get("/api/search/suggest/", {"q": "x" * 5000}).status_code == 200


class TestPage:
    def test_page_shows_highlighted_hits_and_facets_as_a_get_form(self, client, records):
        response = client.get(PAGE, {"q": "referral"})
        html = response.content.decode()
        assert response.status_code == 200
        assert "<mark>Referral</mark>" in html
        assert 'name="type" value="guideline"' in html
        assert "Members&#x27; referral minutes" not in html and "Members' referral" not in html

    def test_page_empty_state_and_did_you_mean(self, client, records):
        html = client.get(PAGE, {"q": "refferal"}).content.decode()
        assert "Nothing matched your search" in html
        assert "Did you mean" in html

    def test_page_with_a_malformed_parameter_answers_400_with_a_message(self, client, records):
        response = client.get(PAGE, {"q": "referral", "page": "x"})
        assert response.status_code == 400
        assert "page must be a whole number" in response.content.decode()

    def test_page_paginates(self, client, db, settings):
        settings.ELASTICSEARCH_URL = ""
        store(*[make_record(i, f"Guide {i}", body="guide") for i in range(25)])
        html = client.get(PAGE, {"q": "guide"}).content.decode()
        assert "Page 1 of 2" in html and 'rel="next"' in html


class TestZeroResults:
    def test_queries_that_found_nothing_are_counted_without_identity(self, member_client, records):
        member_client.get(API, {"q": "  Forced   MARRIAGE "})
        member_client.get(API, {"q": "forced marriage"})
        member_client.get(API, {"q": "referral"})
        row = ZeroResultQuery.objects.get()
        assert (row.query, row.count) == ("forced marriage", 2)
        fields = {f.name for f in ZeroResultQuery._meta.fields}
        assert fields == {"id", "query", "day", "tier", "language", "count"}

    def test_secretariat_sees_them_in_the_admin(self, secretariat_client, records):
        Client().get(API, {"q": "forced marriage"})
        response = secretariat_client.get("/admin/search/zero-results/")
        assert response.status_code == 200
        assert "forced marriage" in response.content.decode()

    def test_members_cannot_open_the_admin_list(self, member_client, records):
        assert member_client.get("/admin/search/zero-results/").status_code in (302, 403)
