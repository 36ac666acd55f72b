"""The search page's and API's facets name topics, resource types, countries and languages as the
library does, in the visitor's language; the API's `value` stays the raw value."""

import pytest

from network.models import Country
from portal.models import Topic
from tests.search.conftest import make_record, store

API = "/api/search/"
PAGE = "/search/"


@pytest.fixture
def labelled(db, settings):
    settings.ELASTICSEARCH_URL = ""
    Topic.objects.create(
        slug="transnational-cooperation",
        name="Transnational cooperation",
        name_fr="Coopération transnationale",
    )
    Topic.objects.create(slug="prevention", name="Prevention")  # no French name
    Country.objects.create(iso_code="AL", name="Albania", name_fr="Albanie")
    return store(
        make_record(1, "Referral across borders", body="referral",
                    facets={"type": ["good_practice"], "country": ["AL"], "language": ["sq"],
                            "topic": ["transnational-cooperation", "prevention"]}),
        make_record(2, "Referral indicators", body="referral",
                    facets={"type": ["indicator_set"], "topic": ["unknown-topic"]}),
    )  # fmt: skip


def facets(client, **params):
    data = client.get(API, {"q": "referral", **params}).json()
    return {
        name: {f["value"]: f["label"] for f in values} for name, values in data["facets"].items()
    }


def french(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    return client


def test_api_facets_label_types_topics_and_countries_as_the_library_does(client, labelled):
    found = facets(client)
    assert found["type"] == {"good_practice": "Good practice", "indicator_set": "Indicator set"}
    assert found["topic"] == {
        "transnational-cooperation": "Transnational cooperation",
        "prevention": "Prevention",
        "unknown-topic": "unknown-topic",  # a value no topic names shows as itself
    }
    assert found["country"] == {"AL": "Albania"}
    assert found["language"] == {"sq": "Albanian", "en": "English"}


def test_api_facet_labels_are_french_in_french_and_values_stay_raw(client, labelled, settings):
    found = facets(french(client, settings))
    assert found["type"] == {
        "good_practice": "Bonne pratique",
        "indicator_set": "Jeu d'indicateurs",
    }
    assert found["topic"]["transnational-cooperation"] == "Coopération transnationale"
    assert found["topic"]["prevention"] == "Prevention"  # no French name: the English one
    assert found["country"] == {"AL": "Albanie"}
    assert found["language"] == {"sq": "Albanais", "en": "Anglais"}
    # Filtering still takes the raw values.
    data = client.get(API, {"q": "referral", "topic": "transnational-cooperation"}).json()
    assert [hit["title"] for hit in data["results"]] == ["Referral across borders"]


def test_search_page_facets_show_labels_not_raw_values(client, labelled, settings):
    html = french(client, settings).get(PAGE, {"q": "referral"}).content.decode()
    for label in ("Bonne pratique", "Jeu d&#x27;indicateurs", "Coopération transnationale",
                  "Albanie", "Albanais"):  # fmt: skip
        assert label in html
    assert 'value="good_practice"' in html  # the checkbox still sends the raw value
    assert ">good_practice" not in html and "transnational-cooperation <" not in html
    assert "> Good practice" not in html


def test_a_renamed_topic_shows_its_new_name_at_the_next_search(client, labelled, settings):
    french(client, settings)
    assert facets(client)["topic"]["prevention"] == "Prevention"
    topic = Topic.objects.get(slug="prevention")
    topic.name_fr = "Prévention"
    topic.save()
    assert facets(client)["topic"]["prevention"] == "Prévention"


def test_labels_cost_no_query_once_cached(client, labelled, django_assert_max_num_queries):
    client.get(API, {"q": "referral"})  # warm the labels' cache
    with django_assert_max_num_queries(3) as captured:
        client.get(API, {"q": "referral"})
    assert not [q for q in captured.captured_queries if "portal_topic" in q["sql"]]
    assert not [q for q in captured.captured_queries if "network_country" in q["sql"]]
