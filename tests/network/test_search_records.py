import pytest

from django.utils import translation

from network import signals
from network.models import Mandate, PersonEmail
from network.search_records import CountrySource, OrganisationSource, PersonSource
from portal.access import TIERS, Audience
from portal.models import Language
from search.registry import get_source
from tests.network.factories import (
    CountryFactory,
    MandateFactory,
    OrganisationFactory,
    PersonFactory,
)

pytestmark = pytest.mark.django_db

EMAIL = "hidden.contact@example.org"
PHONE = "+381 11 765 4321"


def _records(person):
    source = PersonSource()
    return source.records_for(source.get_object(person.pk))


def _record_for(records, tier):
    [record] = [record for record in records if tier in record.audiences]
    return record


def _text(record):
    return " ".join([record.title, record.summary, record.body])


def test_sources_are_registered_under_their_names():
    assert isinstance(get_source("network.person"), PersonSource)
    assert isinstance(get_source("network.organisation"), OrganisationSource)
    assert isinstance(get_source("network.country"), CountrySource)


@pytest.mark.parametrize(
    "email_audience, phone_audience",
    [
        (Audience.MEMBERS, Audience.MEMBERS),
        (Audience.PUBLIC, Audience.SECRETARIAT),
        (Audience.SECRETARIAT, Audience.PUBLIC),
        (Audience.PUBLIC, Audience.PUBLIC),
    ],
)
def test_person_records_partition_the_tiers_and_each_holds_only_what_that_tier_may_see(
    email_audience, phone_audience
):
    person = PersonFactory(
        email=EMAIL, phone=PHONE, email_audience=email_audience, phone_audience=phone_audience
    )
    records = _records(person)
    covered = [tier for record in records for tier in record.audiences]
    assert sorted(covered) == sorted(tier.value for tier in TIERS)  # each tier exactly once
    assert len({record.key for record in records}) == len(records)
    rank = {"public": 0, "members": 1, "secretariat": 2}
    for tier in TIERS:
        text = _text(_record_for(records, tier.value))
        assert person.full_name in text
        assert (EMAIL in text) == (rank[tier.value] >= rank[email_audience])
        assert (PHONE in text) == (rank[tier.value] >= rank[phone_audience])


def test_anonymous_record_never_holds_a_members_only_email_or_phone():
    person = PersonFactory(email=EMAIL, phone=PHONE)
    public = _record_for(_records(person), "public")
    assert EMAIL not in _text(public)
    assert PHONE not in _text(public)
    assert public.audiences == ("public",)


def test_secretariat_record_exists_only_when_a_field_is_secretariat_only():
    plain = PersonFactory()
    assert [r.audiences for r in _records(plain)] == [("public",), ("members", "secretariat")]
    guarded = PersonFactory(phone_audience=Audience.SECRETARIAT)
    assert [r.audiences for r in _records(guarded)] == [
        ("public",),
        ("members",),
        ("secretariat",),
    ]


def test_person_record_carries_roles_country_and_language_facets():
    country = CountryFactory(iso_code="RS", name="Serbia")
    person = PersonFactory(country=country)
    person.languages.add(Language.objects.get(code="sr"))
    person.save()
    MandateFactory(person=person, country=country, role=Mandate.Role.TRANSNATIONAL_CONTACT)
    record = _records(person)[0]
    assert record.kind == "person"
    assert record.url == person.get_absolute_url()
    assert record.facets["country"] == ["RS"]
    assert record.facets["role"] == ["transnational_contact"]
    assert record.facets["language"] == ["sr"]
    assert record.facet_labels["country"] == {"RS": "Serbia"}
    assert record.facet_labels["role"] == {
        "transnational_contact": "Transnational referral contact point"
    }
    assert "Transnational referral contact point" in record.body


def test_person_record_role_labels_follow_the_active_language():
    person = PersonFactory()
    MandateFactory(person=person, role=Mandate.Role.TRANSNATIONAL_CONTACT)
    english = _records(person)[0].facet_labels["role"]["transnational_contact"]
    with translation.override("fr"):
        french = _records(person)[0].facet_labels["role"]["transnational_contact"]
        assert french == str(Mandate.Role.TRANSNATIONAL_CONTACT.label)
    assert english == "Transnational referral contact point"
    assert french != english
    assert _records(person)[0].facet_labels["role"]["transnational_contact"] == english


def test_inactive_person_has_no_records():
    assert _records(PersonFactory(is_active=False)) == []


def test_missing_person_is_tolerated():
    assert PersonSource().get_object(987654) is None


def test_organisation_and_country_records_are_public():
    organisation = OrganisationFactory(name="Labour Inspectorate", acronym="LI")
    [org_record] = OrganisationSource().records_for(organisation)
    assert org_record.audiences == ("public", "members", "secretariat")
    assert org_record.title == "Labour Inspectorate (LI)"
    [country_record] = CountrySource().records_for(organisation.country)
    assert country_record.url == organisation.country.get_absolute_url()
    assert "national referral mechanism" in country_record.body


def test_iter_objects_streams_active_people():
    active = PersonFactory()
    PersonFactory(is_active=False)
    assert [person.pk for person in PersonSource().iter_objects()] == [active.pk]


@pytest.fixture
def enqueued(monkeypatch):
    """What the signal handlers ask the search service to (re)index, after commit."""
    calls = []
    monkeypatch.setattr(signals, "enqueue_index", lambda *a: calls.append(("index", *a)))
    monkeypatch.setattr(signals, "enqueue_removal", lambda *a: calls.append(("remove", *a)))
    return calls


def test_saving_or_deleting_directory_objects_enqueues_their_records(enqueued):
    person = PersonFactory(email=False, phone=False)
    assert ("index", "network.person", person.pk) in enqueued
    enqueued.clear()
    PersonEmail.objects.create(person=person, address="x@example.org")
    assert enqueued == [("index", "network.person", person.pk)]
    enqueued.clear()
    person.languages.add(Language.objects.get(code="en"))
    person.save()
    assert ("index", "network.person", person.pk) in enqueued
    enqueued.clear()
    person.organisation.save()
    assert ("index", "network.organisation", person.organisation.pk) in enqueued
    assert ("index", "network.person", person.pk) in enqueued
    enqueued.clear()
    person_id = person.pk
    person.delete()
    assert ("remove", "network.person", person_id) in enqueued
    country = CountryFactory()
    assert ("index", "network.country", country.pk) in enqueued
    country_id = country.pk
    country.delete()
    assert ("remove", "network.country", country_id) in enqueued


def test_indexing_is_enqueued_after_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        PersonFactory()
    assert callbacks  # nothing is sent to the queue before the transaction commits


def test_through_the_search_service_anonymous_search_never_matches_a_members_only_contact(
    django_capture_on_commit_callbacks, member
):
    """End to end with the real search service: the records are indexed by the tasks the signals
    enqueue, then searched as each tier."""
    from search import service

    with django_capture_on_commit_callbacks(execute=True):
        PersonFactory(
            given_name="Searchable",
            email="zyxwv.contact@example.org",
            email_audience=Audience.SECRETARIAT,
            phone="+381 11 999 8888",
            phone_audience=Audience.MEMBERS,
        )

    def urls(query, user):
        return [hit.url for hit in service.search(query, user).hits]

    assert urls("Searchable", None)  # the public record is there
    assert urls("+381 11 999 8888", None) == []
    assert urls("+381 11 999 8888", member)
    assert urls("zyxwv.contact@example.org", None) == []
    assert urls("zyxwv", member) == []
