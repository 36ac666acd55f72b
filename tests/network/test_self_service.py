import io

import pytest
from PIL import Image

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from wagtail.models import ModelLogEntry

from network.models import Mandate, Person
from portal.access import Audience
from portal.models import Topic
from tests.network.factories import MandateFactory, PersonFactory
from tests.portal.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner():
    return UserFactory(member=True)


@pytest.fixture
def entry(owner):
    person = PersonFactory(user=owner, email="old@example.org", phone="+381 11 000 0000")
    MandateFactory(person=person, role=Mandate.Role.REFERRAL_FOCAL_POINT)
    return person


@pytest.fixture
def owner_client(client, owner):
    client.force_login(owner)
    return client


def _valid_post(**overrides):
    data = {
        "emails": "new@example.org\nsecond@example.org",
        "phones": "+381 (11) 222-3333",
        "biography": "Now leads the transnational referral desk.",
        "email_audience": "public",
        "phone_audience": "members",
        "biography_audience": "members",
        "photo_audience": "members",
        "languages": ["fr", "en"],
    }
    data.update(overrides)
    return data


def _edit_url(person):
    return reverse("network:person_edit", args=[person.pk])


def test_my_entry_leads_the_owner_to_their_own_edit_page(owner_client, entry):
    response = owner_client.get(reverse("network:my_entry"))
    assert response.status_code == 302
    assert response["Location"] == _edit_url(entry)


def test_member_without_an_entry_is_told_so(member_client):
    response = member_client.get(reverse("network:my_entry"))
    assert response.status_code == 404
    assert b"not linked to an entry" in response.content


def test_owner_edits_contact_details_languages_expertise_biography_and_visibility(
    owner_client, owner, entry
):
    topic = Topic.objects.create(name="Referral", slug="referral")
    response = owner_client.post(_edit_url(entry), _valid_post(expertise=[topic.pk]))
    assert response.status_code == 302
    entry = Person.objects.get(pk=entry.pk)
    assert [e.address for e in entry.emails.all()] == ["new@example.org", "second@example.org"]
    assert [p.number for p in entry.phones.all()] == ["+381 11 222 3333"]
    assert sorted(entry.languages.values_list("code", flat=True)) == ["en", "fr"]
    assert list(entry.expertise.all()) == [topic]
    assert entry.biography == "Now leads the transnational referral desk."
    assert entry.email_audience == Audience.PUBLIC
    assert entry.biography_audience == Audience.MEMBERS


def test_every_self_service_change_is_logged_with_who_and_when(owner_client, owner, entry):
    owner_client.post(_edit_url(entry), _valid_post())
    log = ModelLogEntry.objects.for_instance(entry).get(action="network.self_edit")
    assert log.user == owner
    assert log.timestamp is not None
    assert log.revision is not None
    assert "new@example.org" in str(log.revision.content)


@pytest.mark.parametrize(
    "extra",
    [
        {"given_name": "Hacker"},
        {"is_active": "false"},
        {"user": "1"},
        {"mandates-0-role": "national_coordinator"},
        {"groups": "1"},
        {"is_superuser": "on"},
        {"person": "999"},
        {"id": "999"},
    ],
)
def test_extra_fields_are_refused_with_a_message_and_nothing_is_saved(
    owner_client, owner, entry, extra
):
    response = owner_client.post(_edit_url(entry), _valid_post(**extra))
    assert response.status_code == 400
    assert "cannot be changed here" in response.content.decode()
    entry.refresh_from_db()
    owner.refresh_from_db()
    assert [e.address for e in entry.emails.all()] == ["old@example.org"]
    assert entry.given_name != "Hacker"
    assert entry.is_active
    assert entry.user == owner
    assert not owner.is_superuser
    assert list(owner.groups.values_list("name", flat=True)) == ["Members"]
    assert entry.mandates.get().role == Mandate.Role.REFERRAL_FOCAL_POINT


def test_member_cannot_edit_or_confirm_another_persons_entry(owner_client, entry):
    other = PersonFactory(email="other@example.org", user=UserFactory(member=True))
    assert owner_client.get(_edit_url(other)).status_code == 403
    assert owner_client.post(_edit_url(other), _valid_post()).status_code == 403
    confirm = reverse("network:person_confirm", args=[other.pk])
    assert owner_client.post(confirm).status_code == 403
    other.refresh_from_db()
    assert [e.address for e in other.emails.all()] == ["other@example.org"]
    assert other.last_confirmed is None


def test_secretariat_user_cannot_edit_a_person_through_self_service(secretariat_client, entry):
    # The secretariat edits in the admin, with revisions; self-service is for the owner only.
    assert secretariat_client.get(_edit_url(entry)).status_code == 403


def test_anonymous_visitor_is_sent_to_sign_in(client, entry):
    response = client.post(_edit_url(entry), _valid_post())
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_owner_whose_membership_was_withdrawn_cannot_edit(client, entry, owner):
    owner.groups.clear()
    client.force_login(owner)
    assert client.get(_edit_url(entry)).status_code == 403


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("emails", "not-an-email", "Not a valid email address: not-an-email"),
        ("emails", "good@example.org\nbad@@example.org", "bad@@example.org"),
        ("phones", "011 123 456", "is not a phone number in international format"),
        ("phones", "+12", "is not a phone number in international format"),
        ("phones", "+381 11 abc", "is not a phone number in international format"),
        ("email_audience", "everyone", "Select a valid choice"),
        ("languages", ["xx"], "Select a valid choice"),
        ("biography", "x" * 2001, "at most 2000 characters"),
    ],
)
def test_malformed_input_gets_a_clear_message_and_nothing_is_saved(
    owner_client, entry, field, value, message
):
    response = owner_client.post(_edit_url(entry), _valid_post(**{field: value}))
    assert response.status_code == 400
    assert message in response.content.decode()
    entry.refresh_from_db()
    assert [e.address for e in entry.emails.all()] == ["old@example.org"]
    assert entry.email_audience == Audience.MEMBERS
    assert not ModelLogEntry.objects.for_instance(entry).filter(action="network.self_edit")


def _png():
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, "PNG")
    return SimpleUploadedFile("me.png", buffer.getvalue(), content_type="image/png")


def test_owner_uploads_a_photo_into_private_storage(owner_client, entry, private_media, settings):
    response = owner_client.post(_edit_url(entry), _valid_post(photo=_png()))
    assert response.status_code == 302
    entry.refresh_from_db()
    stored = private_media / entry.photo.name
    assert stored.exists()
    assert str(settings.MEDIA_ROOT) not in str(stored)


def test_a_file_that_is_not_an_image_is_refused_as_a_photo(owner_client, entry):
    fake = SimpleUploadedFile("me.png", b"not an image", content_type="image/png")
    response = owner_client.post(_edit_url(entry), _valid_post(photo=fake))
    assert response.status_code == 400
    assert "Upload a valid image" in response.content.decode()


def test_owner_confirms_the_entry_is_current_with_one_post(owner_client, owner, entry):
    url = reverse("network:person_confirm", args=[entry.pk])
    assert owner_client.get(url).status_code == 405
    response = owner_client.post(url)
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.last_confirmed is not None
    log = ModelLogEntry.objects.for_instance(entry).get(action="network.confirm")
    assert log.user == owner


def test_edit_form_shows_the_owners_current_contact_details(owner_client, entry):
    html = owner_client.get(_edit_url(entry)).content.decode()
    assert "old@example.org" in html
    assert "+381 11 000 0000" in html


def test_clearing_a_photo_removes_the_file_from_private_storage(
    owner_client, entry, private_media, django_capture_on_commit_callbacks
):
    owner_client.post(_edit_url(entry), _valid_post(photo=_png()))
    entry.refresh_from_db()
    stored = private_media / entry.photo.name
    assert stored.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(_edit_url(entry), _valid_post(**{"photo-clear": "on"}))
    assert response.status_code == 302
    entry.refresh_from_db()
    assert not entry.photo
    assert not stored.exists()
