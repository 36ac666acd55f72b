"""Topics and countries carry a French name; the French interface shows it wherever they are
named (the listing's filters, a resource's tags, the directory's filter, the feed), and the
English name where no French one was given."""

import datetime

import pytest

from django.core.exceptions import ValidationError

from library.models import ResourceType
from network.models import Country
from portal.models import Topic
from tests.library.factories import resource


@pytest.fixture
def translated(library):
    Topic.objects.create(slug="referral", name="Referral", name_fr="Orientation")
    Topic.objects.create(slug="prevention", name="Prevention")  # no French name
    Country.objects.create(iso_code="AL", name="Albania", name_fr="Albanie")
    Country.objects.create(iso_code="MK", name="North Macedonia", name_fr="Macédoine du Nord")
    return resource(
        "Transnational referral guidelines",
        resource_type=ResourceType.GOOD_PRACTICE,
        topics=["referral", "prevention"],
        countries=["AL", "MK"],
        languages=["sq"],
        published=datetime.date(2021, 3, 1),
    )


def in_french(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    return client


def test_listing_filters_and_tags_are_french_in_french(client, translated, settings):
    english = client.get("/library/").content.decode()
    assert "Referral" in english and "Albania" in english and "Orientation" not in english
    html = in_french(client, settings).get("/library/").content.decode()
    for label in ("Orientation", "Albanie", "Macédoine du Nord", "Bonne pratique"):
        assert label in html, label
    assert "Prevention" in html  # no French name: the English one
    assert '<span class="tag">Referral</span>' not in html
    assert "North Macedonia" not in html and "Albania<" not in html


def test_a_selected_filter_keeps_its_french_label(client, translated, settings):
    html = in_french(client, settings).get("/library/?country=AL&topic=referral").content.decode()
    assert "Albanie" in html and "Orientation" in html
    assert "Transnational referral guidelines" in html


def test_resource_page_names_its_topics_and_countries_in_french(client, translated, settings):
    html = in_french(client, settings).get(translated.url).content.decode()
    assert ">Orientation</a>" in html
    assert "Albanie, Macédoine du Nord" in html
    assert "Bonne pratique" in html


def test_feed_categories_are_french_in_french(client, translated, settings):
    feed = in_french(client, settings).get("/library/feed/").content.decode()
    assert 'term="Orientation"' in feed
    assert 'term="Referral"' not in feed


def test_directory_filter_names_countries_in_french(client, translated, settings):
    html = in_french(client, settings).get("/network/").content.decode()
    assert '<option value="AL">Albanie</option>' in html
    assert '<option value="MK">Macédoine du Nord</option>' in html


def test_a_country_and_topic_read_as_their_label(translated):
    from django.utils import translation

    country = Country.objects.get(iso_code="AL")
    topic = Topic.objects.get(slug="prevention")
    with translation.override("en"):
        assert (str(country), country.label) == ("Albania", "Albania")
    with translation.override("fr"):
        assert (str(country), country.label) == ("Albanie", "Albanie")
        assert topic.label == "Prevention"


def test_a_too_long_french_name_is_refused_with_a_message(translated):
    topic = Topic.objects.get(slug="referral")
    topic.name_fr = "x" * 121
    with pytest.raises(ValidationError) as refused:
        topic.full_clean()
    assert "name_fr" in refused.value.message_dict
    assert Topic.objects.get(slug="referral").name_fr == "Orientation"  # nothing written
