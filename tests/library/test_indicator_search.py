"""Indicators are searchable records: shown to the tiers that may see a live set holding them,
kept in step when sets are published, changed, unpublished or deleted, and never members-only
words for an anonymous visitor."""

import pytest

from django.contrib.auth.models import AnonymousUser

from library.search_records import INDICATOR_SOURCE_NAME, IndicatorRecordSource
from portal.access import Audience
from search import service
from search.registry import get_source
from tests.library import factories

pytestmark = pytest.mark.django_db
source = IndicatorRecordSource()


def records(indicator):
    return source.records_for(source.get_object(indicator.pk))


def found(text, user):
    return [hit.title for hit in service.search(text, user).hits if hit.kind == "indicator"]


def test_the_indicator_source_is_registered():
    assert isinstance(get_source(INDICATOR_SOURCE_NAME), IndicatorRecordSource)


def test_an_indicator_in_a_public_and_a_members_set_is_found_by_everyone_at_the_public_set(
    library,
):
    sign = factories.indicator(
        "Identity documents are kept by the employer.",
        stage="screening",
        strength="strong",
        source_section="Section 2",
        language="en",
        external_id="RS-01",
    )
    factories.indicator_set("Members' list", [("H", sign)], audience=Audience.MEMBERS)
    public = factories.indicator_set("Public list", [("H", sign)])
    [record] = records(sign)
    assert record.key == f"library.indicator:{sign.pk}"
    assert record.kind == "indicator"
    assert record.audiences == ("public", "members", "secretariat")
    assert record.url == f"{public.url}#indicator-{sign.pk}"
    assert record.summary == "Public list · Initial screening · Strong"
    assert "Identity documents are kept by the employer." in record.body
    assert "Section 2" in record.body
    assert record.external_id == "RS-01"
    assert record.facets == {"kind": ["indicator"], "type": ["indicator_set"], "language": ["en"]}


def test_an_indicator_only_in_a_members_set_is_for_members_and_the_secretariat(library):
    sign = factories.indicator()
    factories.indicator_set("Members' list", [("H", sign)], audience=Audience.MEMBERS)
    [record] = records(sign)
    assert record.audiences == ("members", "secretariat")


def test_an_indicator_in_no_live_set_has_no_record(library):
    alone = factories.indicator()
    drafted = factories.indicator()
    factories.indicator_set("Draft", [("H", drafted)], publish=False)
    assert records(alone) == [] and records(drafted) == []
    assert source.get_object("nope") is None and source.get_object("999999") is None


@pytest.mark.parametrize("count", [3, 30])
def test_building_records_takes_a_fixed_number_of_queries(
    library, django_assert_num_queries, count
):
    signs = [factories.indicator(language="en") for _ in range(count)]
    factories.indicator_set("List", [("H", sign) for sign in signs])
    list(source.records_for(signs[0]))  # the sites' root paths are cached after a first URL
    # The indicators with their language and source, the sets holding them; then a URL each.
    with django_assert_num_queries(2):
        objects = source.get_objects([sign.pk for sign in signs])
    with django_assert_num_queries(count):
        built = [source.records_for(objects[sign.pk]) for sign in signs]
    assert all(len(found) == 1 for found in built)


def test_search_keeps_indicators_in_step_with_their_sets(
    library, member, django_capture_on_commit_callbacks
):
    anonymous = AnonymousUser()
    with django_capture_on_commit_callbacks(execute=True):
        kept = factories.indicator("The quokka sign stays.")
        removed = factories.indicator("The quokka sign goes.")
        page = factories.indicator_set("Quokka list", [("H", kept), ("H", removed)])
    assert sorted(found("quokka", anonymous)) == ["The quokka sign goes.", "The quokka sign stays."]

    # A new edition of the set's rows without one of them: that one has no set any more.
    with django_capture_on_commit_callbacks(execute=True):
        draft = page.get_latest_revision_as_object()
        draft.indicator_items = [
            item for item in draft.indicator_items.all() if item.indicator == kept
        ]
        draft.save_revision().publish()
    assert found("quokka", anonymous) == ["The quokka sign stays."]

    # Its wording changes: search finds the new words.
    with django_capture_on_commit_callbacks(execute=True):
        kept.text = "The quokka sign, reworded."
        kept.save()
    assert found("quokka", anonymous) == ["The quokka sign, reworded."]

    with django_capture_on_commit_callbacks(execute=True):
        page.unpublish()
    assert found("quokka", member) == []


def test_anonymous_search_never_finds_a_members_only_sets_indicators(
    library, member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        secret = factories.indicator("A wombatish sign.")
        factories.indicator_set("Closed list", [("H", secret)], audience=Audience.MEMBERS)
    assert found("wombatish", AnonymousUser()) == []
    assert found("wombatish", member) == ["A wombatish sign."]
    # Nor the set's own record, whose text holds the indicator's words.
    assert service.search("wombatish", AnonymousUser()).total == 0
    assert {hit.kind for hit in service.search("wombatish", member).hits} == {
        "indicator",
        "resource",
    }
