"""Indicators as records: the query API the indicator pages use, country versions' differences,
and who sees what (the one access policy, through the sets that hold an indicator)."""

import pytest

from django.core.exceptions import ValidationError

from library.models import (
    Indicator,
    IndicatorSet,
    IndicatorSetItem,
    ResourcePage,
    ResourceType,
    compare,
)
from portal.access import Audience
from tests.library import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def regional(library):
    one = factories.indicator("Does not hold own identity documents.", stage="screening")
    two = factories.indicator("Works excessive hours without rest days.", strength="strong")
    three = factories.indicator("Owes a debt to the recruiter.", strength="medium")
    four = factories.indicator("Was promised other work than the work done.")
    page = factories.indicator_set(
        "Regional screening indicators",
        [
            ("Control of movement", one),
            ("Working conditions", two),
            ("Working conditions", three),
            ("Deception", four),
        ],
    )
    return page, [one, two, three, four]


def test_sections_group_consecutive_rows_in_order_in_one_query(regional, django_assert_num_queries):
    page, (one, two, three, four) = regional
    with django_assert_num_queries(1):
        sections = IndicatorSet(page).sections()
        shown = [(section.heading, [i.text for i in section.indicators]) for section in sections]
    assert shown == [
        ("Control of movement", [one.text]),
        ("Working conditions", [two.text, three.text]),
        ("Deception", [four.text]),
    ]


def test_a_country_version_adds_drops_rewords_and_moves(regional, django_assert_num_queries):
    page, (one, two, three, four) = regional
    reworded = factories.indicator("Owes the recruiter or the employer money for travel or work.")
    added = factories.indicator("Is not allowed to contact family.")
    version = factories.indicator_set(
        "National screening indicators",
        [
            ("Working conditions", one),  # moved from Control of movement
            ("Working conditions", two),  # kept
            ("Working conditions", reworded, three),
            ("Control of movement", added),
        ],  # four is dropped
        version_of=page,
        country_code="AL",
    )
    versioned = IndicatorSet(version)
    assert versioned.is_country_version
    with django_assert_num_queries(2):
        differences = versioned.differences_from_regional()
    assert [item.indicator for item in differences.added] == [added]
    assert [item.indicator for item in differences.dropped] == [four]
    assert [(p.base.indicator, p.other.indicator) for p in differences.reworded] == [
        (three, reworded)
    ]
    assert [(p.base.indicator, p.from_heading, p.to_heading) for p in differences.moved] == [
        (one, "Control of movement", "Working conditions")
    ]
    assert sorted(p.other.indicator.pk for p in differences.kept) == sorted([one.pk, two.pk])
    assert differences.has_changes
    # The regional set has no regional set of its own.
    assert IndicatorSet(page).differences_from_regional() is None


def test_two_country_versions_compare_through_the_indicator_both_reword(regional):
    page, (one, two, three, four) = regional
    first = factories.indicator("Owes money to the recruiter (first country's words).")
    second = factories.indicator("Owes money to the recruiter (second country's words).")
    version_a = factories.indicator_set("A", [("W", one), ("W", first, three)], version_of=page)
    version_b = factories.indicator_set(
        "B", [("W", one), ("W", second, three)], version_of=page, country_code="MK"
    )
    differences = compare(version_a, version_b)
    assert [(p.base.indicator, p.other.indicator) for p in differences.reworded] == [
        (first, second)
    ]
    assert differences.added == differences.dropped == differences.moved == []


def test_identical_sets_have_no_changes(regional):
    page, _indicators = regional
    assert not compare(page, page).has_changes


def test_country_versions_are_those_the_user_may_see(regional, member):
    page, (one, *_rest) = regional
    public = factories.indicator_set("Public version", [("H", one)], version_of=page)
    members = factories.indicator_set(
        "Members' version",
        [("H", one)],
        version_of=page,
        country_code="MK",
        audience=Audience.MEMBERS,
    )
    factories.indicator_set("Draft version", [("H", one)], version_of=page, publish=False)
    assert IndicatorSet(page).country_versions(None) == [public]
    assert {p.pk for p in IndicatorSet(page).country_versions(member)} == {public.pk, members.pk}
    assert IndicatorSet(public).regional(None) == page
    assert IndicatorSet(page).regional(None) is None


def test_a_members_only_sets_indicators_are_invisible_to_anonymous_visitors(library, member):
    shared = factories.indicator("Shows signs of physical abuse.")
    secret = factories.indicator("A members-only sign.")
    orphan = factories.indicator("In no set.")
    drafted = factories.indicator("Only in a draft set.")
    factories.indicator_set("Public", [("H", shared)])
    factories.indicator_set("Members", [("H", shared), ("H", secret)], audience=Audience.MEMBERS)
    factories.indicator_set("Draft", [("H", drafted)], publish=False)

    assert set(Indicator.objects.visible_to(None)) == {shared}
    assert set(Indicator.objects.visible_to(member)) == {shared, secret}
    assert orphan not in Indicator.objects.visible_to(member)
    assert drafted not in Indicator.objects.visible_to(member)


def test_visible_to_is_one_query(library, django_assert_num_queries):
    factories.indicator_set("Public", [("H", factories.indicator()) for _ in range(5)])
    with django_assert_num_queries(1):
        assert len(list(Indicator.objects.visible_to(None))) == 5


def test_group_and_exploitation_filters_match_any_value(library):
    children_labour = factories.indicator(
        "A child works in a workshop.", target_groups=["children"], exploitation=["labour"]
    )
    adults_sexual = factories.indicator(
        "Advertised for sexual services.", target_groups=["adults"], exploitation=["sexual"]
    )
    everyone = factories.indicator("Lives at the workplace.")
    assert set(Indicator.objects.with_groups("children")) == {children_labour}
    assert set(Indicator.objects.with_groups("children", "adults")) == {
        children_labour,
        adults_sexual,
    }
    assert set(Indicator.objects.with_exploitation("sexual")) == {adults_sexual}
    assert everyone not in Indicator.objects.with_exploitation("labour", "sexual")
    with pytest.raises(ValueError):
        Indicator.objects.with_groups("nobody")


def test_stored_lists_keep_the_choice_order(library):
    record = factories.indicator(target_groups=["asylum", "adults", "adults"])
    record.refresh_from_db()
    assert record.target_groups == ["adults", "asylum"]


def test_full_clean_names_an_unknown_group_and_a_translation_of_a_translation(library):
    record = factories.indicator(target_groups=["adults"])
    record.target_groups = ["aliens"]
    with pytest.raises(ValidationError) as error:
        record.full_clean()
    assert "aliens" in str(error.value)

    original = factories.indicator("Works without a contract.", language="en")
    french = factories.indicator("Travaille sans contrat.", language="fr", translation_of=original)
    assert list(original.translations.all()) == [french]
    again = Indicator(text="Trabaja sin contrato.", translation_of=french)
    with pytest.raises(ValidationError) as error:
        again.full_clean()
    assert "translation_of" in error.value.error_dict


def test_a_country_version_must_derive_from_a_regional_indicator_set(regional):
    page, _indicators = regional
    guideline = factories.resource("A guideline")
    version = factories.indicator_set("Version", version_of=page)

    version.derived_from = guideline
    with pytest.raises(ValidationError) as error:
        version.full_clean()
    assert "derived_from" in error.value.error_dict

    version.derived_from = version
    with pytest.raises(ValidationError):
        version.full_clean()

    other = factories.indicator_set("Other version", version_of=page)
    other.derived_from = version  # a version of a version
    with pytest.raises(ValidationError) as error:
        other.full_clean()
    assert "regional set" in str(error.value)

    other.derived_from = page
    other.version_country = None
    with pytest.raises(ValidationError) as error:
        other.full_clean()
    assert "version_country" in error.value.error_dict

    guideline.derived_from = page
    guideline.version_country = other.version_country or factories.country("AL")
    with pytest.raises(ValidationError) as error:
        guideline.full_clean()
    assert "Only an indicator set" in str(error.value)
    assert guideline.resource_type == ResourceType.GUIDELINE


def test_an_indicator_is_once_per_set_and_protected_while_in_one(regional):
    from django.db import IntegrityError, transaction
    from django.db.models import ProtectedError

    page, (one, *_rest) = regional
    with pytest.raises(IntegrityError), transaction.atomic():
        IndicatorSetItem.objects.create(page=page, indicator=one, heading="Again")
    with pytest.raises(ProtectedError):
        one.delete()


# ------------------------------------------------------------------ the set's page


def test_a_sets_page_shows_its_rows_under_headings_and_its_regional_set(regional, client):
    page, (one, two, three, four) = regional
    two.stage, two.strength = "identification", "strong"
    two.save()
    response = client.get(page.url)
    html = response.content.decode()
    assert response.status_code == 200
    assert (
        html.index("Control of movement")
        < html.index(one.text)
        < html.index("Working conditions")
        < html.index(two.text)
        < html.index(three.text)
        < html.index(four.text)
    )
    assert "Strong sign" in html

    version = factories.indicator_set("Version", [("H", one)], version_of=page)
    html = client.get(version.url).content.decode()
    assert "The version for Country AL of" in html and f'href="{page.url}"' in html


def test_a_versions_members_only_regional_set_is_not_linked_for_visitors(library, client):
    one = factories.indicator("A sign.")
    regional = factories.indicator_set("Members' regional", [("H", one)], audience="members")
    version = factories.indicator_set("Public version", [("H", one)], version_of=regional)
    html = client.get(version.url).content.decode()
    assert one.text in html
    assert "Members' regional" not in html and regional.url not in html


# ------------------------------------------------------------------ the admin


@pytest.fixture
def editor(client, secretariat):
    client.force_login(secretariat, second_factor=True)
    return client


def listed(editor, **params):
    from django.urls import reverse

    response = editor.get(reverse("wagtailsnippets_library_indicator:list"), params)
    assert response.status_code == 200
    return response.content.decode()


def test_the_admin_lists_indicators_with_each_filter(library, editor):
    screening = factories.indicator(
        "Screening sign for children in labour.",
        stage="screening",
        strength="strong",
        dimension="coercion",
        target_groups=["children"],
        exploitation=["labour"],
        language="en",
    )
    identification = factories.indicator(
        "Identification sign for adults in sexual exploitation.",
        stage="identification",
        strength="weak",
        dimension="deception",
        target_groups=["adults"],
        exploitation=["sexual"],
        language="fr",
    )
    in_set = factories.indicator_set("Filtered set", [("H", screening)])
    both = {screening.text, identification.text}
    for params, expected in [
        ({}, both),
        ({"stage": "screening"}, {screening.text}),
        ({"strength": "weak"}, {identification.text}),
        ({"dimension": "coercion"}, {screening.text}),
        ({"target_group": "adults"}, {identification.text}),
        ({"exploitation": "labour"}, {screening.text}),
        ({"indicator_set": in_set.pk}, {screening.text}),
        ({"language": "fr"}, {identification.text}),
        ({"q": "sexual"}, {identification.text}),
    ]:
        html = listed(editor, **params)
        assert {text for text in both if text in html} == expected, params


def test_the_admin_listing_names_a_bad_filter_value_instead_of_failing(library, editor):
    factories.indicator("A sign.", stage="screening")
    html = listed(editor, stage="nonsense", indicator_set="x")
    assert "Select a valid choice" in html


def test_a_previewed_draft_shows_its_own_rows(regional):
    page, (one, two, three, four) = regional
    draft = page.get_latest_revision_as_object()
    draft.indicator_items = [
        IndicatorSetItem(heading="New heading", indicator=four, sort_order=0),
        IndicatorSetItem(heading="New heading", indicator=one, sort_order=1),
    ]
    draft.save_revision()
    previewed = page.get_latest_revision_as_object()
    assert [(s.heading, s.indicators) for s in IndicatorSet(previewed).sections()] == [
        ("New heading", [four, one])
    ]
    # The live page keeps its published rows (fetched afresh, as a request does: a revision's
    # object shares its page's rows in memory).
    live = ResourcePage.objects.get(pk=page.pk)
    assert len(IndicatorSet(live).items()) == 4
