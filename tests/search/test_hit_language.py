"""Each hit of the search page names the language it is written in; the language facet narrows
to one."""

import pytest

from django.utils import translation

from search.templatetags.search_labels import language_name
from tests.search.conftest import make_record, store

PAGE = "/search/"


@pytest.fixture
def written(db, settings):
    settings.ELASTICSEARCH_URL = ""
    return store(
        make_record(1, "Udhëzues për referimin e viktimave", body="referimi i viktimave",
                    language="sq", facets={"language": ["sq"]}),
        make_record(2, "Упатување на жртви", body="упатување на жртви",
                    language="mk", facets={"language": ["mk"]}),
    )  # fmt: skip


def test_each_hit_names_its_language(client, written):
    html = client.get(PAGE, {"q": "referimi"}).content.decode()
    assert '<span class="visually-hidden">Language: </span>Albanian</span>' in html


def test_the_language_is_named_in_french_on_the_french_page(client, written, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    html = client.get(PAGE, {"q": "упатување"}).content.decode()
    assert "</span>Macédonien</span>" in html


def test_the_language_filter_narrows_to_one_language(client, written):
    html = client.get(PAGE, {"language": "mk"}).content.decode()
    assert "Упатување на жртви" in html
    assert "Udhëzues" not in html
    assert 'name="language" value="mk" checked' in html


def test_a_hits_language_is_named_in_the_interface_language():
    with translation.override("fr"):
        assert language_name("sq") == "Albanais"
        assert language_name("sr") == "Serbe"
    with translation.override("en"):
        assert language_name("mk") == "Macedonian"
        assert language_name("cnr") == "Montenegrin"
        assert language_name("xx") == "xx"
        assert language_name("") == ""
