"""
The admin's editors scale with the screen, not with the database: an editor costs as many queries
with 3 inline rows as with 30, and the meeting editor's page weighs the same whether the directory
holds 5 people or 300 (references are choosers or search-as-you-type boxes, never a select of
every row). Editing through them still validates, orders and adds rows as before.
"""

import datetime
import re

import pytest

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from wagtail.test.utils import WagtailTestUtils

from library.models import IndicatorSetItem, LibraryDocument, ResourcePage
from meetings.models import (
    ActionPoint,
    AgendaItem,
    Decision,
    MeetingDocument,
    MeetingPage,
    Participant,
)
from network.models import Country, Mandate, Organisation, Person
from tests.conftest import session_reads
from tests.library import factories as library
from tests.meetings.admin_forms import editor_form_data
from tests.meetings.factories import make_document, make_meeting
from tests.network.factories import CountryFactory, OrganisationFactory, PersonFactory

pytestmark = pytest.mark.django_db

ROWS = [3, 30]

# What a GET of each editor costs, whatever the number of its rows (a second GET: the first
# fills the per-process caches of content types, sites and the like).
EDITOR_QUERIES = {
    "meeting": 49,
    "resource": 52,
    "indicator_set": 53,
    "person": 26,
    "organisation": 16,
}


@pytest.fixture
def editor(client, secretariat):
    client.force_login(secretariat, second_factor=True)
    return client


def queries_of(client, url):
    client.get(url)
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context.captured_queries), response.content.decode()


def soup(html):
    return WagtailTestUtils.get_soup(html)


def option_texts(html):
    return {option.get_text(strip=True) for option in soup(html).find_all("option")}


def offered_texts(html):
    """What selects offer beyond what is chosen."""
    return {
        option.get_text(strip=True)
        for option in soup(html).find_all("option")
        if not option.has_attr("selected")
    }


def meeting_with_rows(rows):
    """A meeting whose record has `rows` rows of each kind, each naming someone or something,
    in the order the editor gave them."""
    country = CountryFactory()
    people = [PersonFactory(country=country) for _ in range(rows)]
    papers = [make_document(title=f"Paper {number}") for number in range(rows)]
    resources = [library.resource(f"Adopted guideline {number}") for number in range(2)]
    start = datetime.date.today() + datetime.timedelta(days=30)
    meeting = make_meeting(
        start=start,
        organisers=[],
        children={
            "agenda_items": [
                AgendaItem(title=f"Item {number}", presenter=people[number], sort_order=number)
                for number in range(rows)
            ],
            "participants": [
                Participant(person=person, sort_order=number)
                for number, person in enumerate(people)
            ],
            "decisions": [
                Decision(number=number + 1, text="Agreed.", sort_order=number)
                for number in range(rows)
            ],
            "action_points": [
                ActionPoint(
                    description=f"Report back {number}",
                    owner_person=people[number] if number % 2 else None,
                    owner_country=None if number % 2 else country,
                    due_date=start + datetime.timedelta(days=60),
                    sort_order=number,
                )
                for number in range(rows)
            ],
            "documents": [
                MeetingDocument(document=paper, sort_order=number)
                for number, paper in enumerate(papers)
            ],
        },
    )
    page = meeting.get_latest_revision_as_object()
    page.organisers = OrganisationFactory.create_batch(rows)
    for number, item in enumerate(page.agenda_items.all()):
        item.documents = [papers[number]]
        item.resources = resources
    for decision in page.decisions.all():
        decision.adopted_resources = resources[:1]
    page.save_revision().publish()
    return MeetingPage.objects.get(pk=meeting.pk)


def resource_with_rows(rows, resource_type="guideline"):
    others = [library.resource(f"Related {number}") for number in range(rows)]
    papers = [library.document(f"annex-{number}.txt") for number in range(rows)]
    countries = [CountryFactory() for _ in range(rows)]
    fields = {}
    if resource_type == "indicator_set":
        # A country version: each row an indicator under a heading, every other one rewording
        # an indicator of the regional set, all chosen through the indicators' autocomplete.
        regional = [library.indicator(f"Regional sign {number}") for number in range(rows)]
        fields["derived_from"] = library.indicator_set(
            "Regional set", [("Signs", indicator) for indicator in regional]
        )
        fields["version_country"] = countries[0]
        fields["indicator_items"] = [
            IndicatorSetItem(
                heading=f"Heading {number // 5}",
                indicator=library.indicator(f"National sign {number}", language="en"),
                rewords=regional[number] if number % 2 else None,
                sort_order=number,
            )
            for number in range(rows)
        ]
    return library.resource(
        "Guideline with rows",
        resource_type=resource_type,
        **fields,
        countries=[country.iso_code for country in countries],
        publishers=OrganisationFactory.create_batch(rows),
        attachments=papers,
        related=others,
        practice_country=countries[0],
        contact_person=PersonFactory(),
    )


def person_with_rows(rows):
    person = PersonFactory()
    for number in range(rows):
        Mandate.objects.create(
            person=person,
            role=Mandate.Role.WORKING_GROUP_MEMBER,
            country=CountryFactory(),
            start=datetime.date(2000 + number % 20, 1, 1),
        )
    person.emails.create(address="second@example.org")
    person.save_revision()
    return person


def page_edit_url(page):
    return reverse("wagtailadmin_pages:edit", args=[page.pk])


def add_page_url(app_label, model_name, parent):
    return reverse("wagtailadmin_pages:add", args=[app_label, model_name, parent.pk])


def snippet_edit_url(instance):
    meta = instance._meta
    return reverse(f"wagtailsnippets_{meta.app_label}_{meta.model_name}:edit", args=[instance.pk])


@pytest.mark.parametrize("rows", ROWS)
def test_meeting_editor_costs_the_same_queries_with_3_or_30_rows_of_each_kind(editor, rows):
    meeting = meeting_with_rows(rows)
    count, html = queries_of(editor, page_edit_url(meeting))
    assert count == EDITOR_QUERIES["meeting"] + session_reads()
    # Every row is there, each naming what it refers to.
    assert html.count('id="inline_child_participants-') >= rows
    assert f"Item {rows - 1}" in html and f"Paper {rows - 1}" in html


@pytest.mark.parametrize("rows", ROWS)
@pytest.mark.parametrize("resource_type", ["guideline", "indicator_set"])
def test_resource_editor_costs_the_same_queries_with_3_or_30_rows(editor, rows, resource_type):
    resource = resource_with_rows(rows, resource_type)
    count, html = queries_of(editor, page_edit_url(resource))
    key = "indicator_set" if resource_type == "indicator_set" else "resource"
    assert count == EDITOR_QUERIES[key] + session_reads()
    assert f"Related {rows - 1}" in html and f"annex-{rows - 1}.txt" in html
    if resource_type == "indicator_set":
        last_reworded = rows - 1 if (rows - 1) % 2 else rows - 2
        assert f"National sign {rows - 1}" in html and f"Regional sign {last_reworded}" in html
        # Rows choose indicators by typing: no select offers every indicator.
        assert not any("sign" in text for text in offered_texts(html))


@pytest.mark.parametrize("rows", ROWS)
def test_person_editor_costs_the_same_queries_with_3_or_30_mandates(editor, rows):
    person = person_with_rows(rows)
    count, html = queries_of(editor, snippet_edit_url(person))
    assert count == EDITOR_QUERIES["person"] + session_reads()
    assert html.count('name="mandates-') >= rows


@pytest.mark.parametrize("rows", ROWS)
def test_organisation_editor_costs_the_same_queries_with_3_or_30_others_in_the_directory(
    editor, rows
):
    organisations = OrganisationFactory.create_batch(rows)
    PersonFactory.create_batch(rows)
    count, html = queries_of(editor, snippet_edit_url(organisations[0]))
    assert count == EDITOR_QUERIES["organisation"] + session_reads()
    assert organisations[0].country.name in html


def grow_directory_and_library(people, organisations, documents):
    country, _ = Country.objects.get_or_create(iso_code="GW", defaults={"name": "Growland"})
    Organisation.objects.bulk_create(
        Organisation(name=f"Grown organisation {number}", country=country)
        for number in range(organisations)
    )
    Person.objects.bulk_create(
        Person(given_name="Grown", family_name=f"Person{number}", country=country)
        for number in range(people)
    )
    # Each grown person holds a role: an action point's owner's role is chosen by typing too.
    Mandate.objects.bulk_create(
        Mandate(
            person=person,
            role=Mandate.Role.NATIONAL_COORDINATOR,
            country=country,
            start=datetime.date(2020, 1, 1),
        )  # fmt: skip
        for person in Person.objects.filter(given_name="Grown", mandates__isnull=True)
    )
    LibraryDocument.objects.bulk_create(
        LibraryDocument(title=f"Grown paper {number}", file=f"documents/grown-{number}.pdf")
        for number in range(documents)
    )


def test_meeting_editor_does_not_grow_with_the_directory_or_the_library(editor):
    meeting = meeting_with_rows(3)
    url = page_edit_url(meeting)
    grow_directory_and_library(people=5, organisations=5, documents=5)
    small = editor.get(url).content.decode()
    grow_directory_and_library(people=295, organisations=95, documents=95)
    assert Person.objects.count() >= 300
    for _ in range(3):
        library.resource(publish=False)
    large = editor.get(url).content.decode()

    # The same page but for tokens and ids: a few bytes, never a row per person.
    assert abs(len(large) - len(small)) < 500
    assert option_texts(large) == option_texts(small)
    # What a select offers beyond what is chosen never names a person, an organisation or a
    # document (the chosen ones are the meeting's own organisers).
    names = set(Person.objects.values_list("family_name", flat=True))
    names |= set(LibraryDocument.objects.values_list("title", flat=True))
    names |= set(Organisation.objects.values_list("name", flat=True))
    for text in offered_texts(large):
        assert not any(name in text for name in names), text


def test_no_select_in_any_editor_lists_people_organisations_resources_or_documents(editor):
    meeting = meeting_with_rows(3)
    resource = resource_with_rows(3)
    person = person_with_rows(3)
    urls = [
        page_edit_url(meeting),
        page_edit_url(resource),
        snippet_edit_url(person),
        snippet_edit_url(person.organisation),
        add_page_url("meetings", "meetingpage", meeting.get_parent()),
        add_page_url("library", "resourcepage", resource.get_parent()),
        reverse("network_handover", args=[person.mandates.first().pk]),
    ]
    names = {person.full_name for person in Person.objects.all()}
    names |= set(Organisation.objects.values_list("name", flat=True))
    names |= set(ResourcePage.objects.values_list("title", flat=True))
    names |= set(LibraryDocument.objects.values_list("title", flat=True))
    for url in urls:
        response = editor.get(url)
        assert response.status_code == 200, url
        for text in offered_texts(response.content.decode()):
            assert text not in names, (url, text)


def test_decisions_new_row_offers_only_this_meetings_agenda_items(editor):
    other = make_meeting(children={"agenda_items": [AgendaItem(title="Elsewhere on an agenda")]})
    meeting = make_meeting(children={"agenda_items": [AgendaItem(title="Our own item")]})
    html = editor.get(page_edit_url(meeting)).content.decode()
    template = soup(html).find("template", id="id_decisions-EMPTY_FORM_TEMPLATE")
    offered = {option.get_text(strip=True) for option in template.find_all("option")}
    assert "Our own item" in offered
    assert "Elsewhere on an agenda" not in html
    assert other.agenda_items.exists()


def test_autocomplete_fields_show_only_what_is_chosen(editor):
    meeting = meeting_with_rows(3)
    html = editor.get(page_edit_url(meeting)).content.decode()
    select = soup(html).find("select", attrs={"name": "organisers"})
    chosen = {option.get_text(strip=True) for option in select.find_all("option")}
    assert chosen == {str(organisation) for organisation in meeting.organisers.all()}
    assert all(option.has_attr("selected") for option in select.find_all("option"))
    box = soup(html).find("input", id="id_organisers-search")
    assert box["role"] == "combobox"
    help_text = soup(html).find(id=box["aria-describedby"])
    assert "Organisations convening the meeting." in help_text.get_text()
    assert soup(html).find("label", attrs={"for": "id_organisers-search"})
    assert reverse("portal_autocomplete", args=["organisations"]) in html


def edit_meeting(client, meeting, changes=(), drop=()):
    url = page_edit_url(meeting)
    data = editor_form_data(client.get(url).content.decode())
    for name in drop:
        data.pop(name, None)
    for name, value in changes:
        if isinstance(value, list):
            data.setlist(name, value)
        else:
            data[name] = value
    data["action-publish"] = "action-publish"
    # As a browser posts it: every value of a field with several.
    return client.post(url, {name: data.getlist(name) for name in data})


def test_editor_saves_references_chosen_by_search_and_keeps_the_rows_order(editor):
    meeting = meeting_with_rows(3)
    organisers = OrganisationFactory.create_batch(2)
    paper = make_document(title="New paper")
    presenter = PersonFactory()
    response = edit_meeting(
        editor,
        meeting,
        changes=[
            ("organisers", [str(organisation.pk) for organisation in organisers]),
            ("agenda_items-0-documents", [str(paper.pk)]),
            ("agenda_items-1-presenter", str(presenter.pk)),
            # The editor moved the first item to the end.
            ("agenda_items-0-ORDER", "3"),
            ("agenda_items-1-ORDER", "1"),
            ("agenda_items-2-ORDER", "2"),
        ],
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    meeting = MeetingPage.objects.get(pk=meeting.pk)
    assert set(meeting.organisers.all()) == set(organisers)
    items = list(meeting.agenda_items.all())
    assert [item.title for item in items] == ["Item 1", "Item 2", "Item 0"]
    assert list(items[-1].documents.all()) == [paper]
    assert items[0].presenter == presenter


def test_editor_adds_a_row_with_a_chosen_person(editor):
    meeting = meeting_with_rows(3)
    guest_speaker = PersonFactory(family_name="Newcomer")
    response = edit_meeting(
        editor,
        meeting,
        changes=[
            ("participants-TOTAL_FORMS", "4"),
            ("participants-3-id", ""),
            ("participants-3-ORDER", "4"),
            ("participants-3-person", str(guest_speaker.pk)),
            ("participants-3-guest_name", ""),
            ("participants-3-guest_organisation", ""),
            ("participants-3-attendance", "invited"),
            ("participants-3-DELETE", ""),
        ],
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    meeting = MeetingPage.objects.get(pk=meeting.pk)
    assert [participant.person for participant in meeting.participants.all()][-1] == guest_speaker


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("organisers", ["999999"], "Select a valid choice"),
        ("organisers", ["not-a-number"], "is not a valid value"),
        ("agenda_items-0-resources", ["999999"], "Select a valid choice"),
        ("agenda_items-0-presenter", "999999", "Select a valid choice"),
        ("decisions-0-adopted_resources", ["abc"], "is not a valid value"),
    ],
)
def test_a_reference_to_nothing_is_refused_naming_the_field_and_nothing_is_written(
    editor, field, value, message
):
    meeting = meeting_with_rows(3)
    before = (meeting.latest_revision_id, set(meeting.organisers.values_list("pk", flat=True)))
    response = edit_meeting(editor, meeting, changes=[(field, value)])
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    # The error is shown at the field (in the field's box, around the input named so).
    box = soup(html).find(attrs={"name": field}).find_parent(attrs={"data-field": True})
    assert box.select_one(".error-message") is not None, field
    meeting = MeetingPage.objects.get(pk=meeting.pk)
    after = (meeting.latest_revision_id, set(meeting.organisers.values_list("pk", flat=True)))
    assert after == before


def test_person_editor_links_a_user_account_chosen_by_search(editor, member):
    person = PersonFactory(email=False, phone=False)
    url = snippet_edit_url(person)
    html = editor.get(url).content.decode()
    # No account is listed until one is chosen: the box searches them.
    assert soup(html).find("select", attrs={"name": "user"}).find_all("option") == []
    assert soup(html).find("input", id="id_user-search")["role"] == "combobox"
    data = {
        "given_name": person.given_name,
        "family_name": person.family_name,
        "country": person.country_id,
        "organisation": person.organisation_id,
        "email_audience": "members",
        "phone_audience": "members",
        "photo_audience": "members",
        "biography_audience": "public",
        "is_active": "on",
        "user": str(member.pk),
    }
    for prefix in ("mandates", "emails", "phones"):
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    response = editor.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    person.refresh_from_db()
    assert person.user == member
    html = editor.get(url).content.decode()
    chosen = soup(html).find("select", attrs={"name": "user"}).find_all("option")
    assert [option["value"] for option in chosen] == [str(member.pk)]
    assert member.email in chosen[0].get_text()

    response = editor.post(url, {**data, "user": "999999"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    person.refresh_from_db()
    assert person.user == member


def test_handover_chooses_the_successor_with_the_snippet_chooser(editor):
    person = person_with_rows(1)
    PersonFactory.create_batch(5)
    html = editor.get(reverse("network_handover", args=[person.mandates.first().pk])).content
    page = soup(html.decode())
    assert page.find("select", attrs={"name": "successor"}) is None
    assert page.find("input", attrs={"name": "successor", "type": "hidden"}) is not None
    assert "snippet-chooser" in html.decode()


@pytest.mark.parametrize("value", ["abc", "-1", "99999999999"])
@pytest.mark.parametrize(
    "editor_of, field",
    [
        ("meeting", "host_country"),
        ("meeting", "series"),
        ("person", "organisation"),
        ("person", "country"),
    ],
)
def test_text_sent_for_a_chosen_object_is_a_field_error_not_a_500(editor, editor_of, field, value):
    if editor_of == "meeting":
        url, form_id = page_edit_url(meeting_with_rows(1)), "page-edit-form"
    else:
        url, form_id = snippet_edit_url(person_with_rows(1)), "w-editor-form"
    data = editor_form_data(editor.get(url).content.decode(), form_id)
    data[field] = value
    response = editor.post(url, data)
    assert response.status_code == 200  # the form again, with its errors
    html = response.content.decode()
    errors = soup(html).find(id=re.compile(rf"-{field}-errors$"))
    assert errors is not None and errors.get_text(strip=True), f"no error named on {field}"
