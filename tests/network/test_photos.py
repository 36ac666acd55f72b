import io

import pytest
from PIL import Image

from django.core.files.base import ContentFile
from django.urls import reverse

from network.models import Person
from portal.access import Audience
from tests.clients import Client
from tests.network.factories import PersonFactory
from tests.portal.factories import UserFactory

pytestmark = pytest.mark.django_db


def _with_photo(audience):
    person = PersonFactory(photo_audience=audience)
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "blue").save(buffer, "PNG")
    person.photo.save("portrait.png", ContentFile(buffer.getvalue()))
    return person


def _client(user=None):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def test_photos_are_stored_outside_media_root_and_have_no_public_url(private_media, settings):
    person = _with_photo(Audience.PUBLIC)
    assert (private_media / person.photo.name).exists()
    assert not str(private_media).startswith(str(settings.MEDIA_ROOT))
    with pytest.raises(ValueError):
        person.photo.url  # noqa: B018


@pytest.mark.parametrize(
    "viewer, audience, allowed",
    [
        ("anonymous", Audience.PUBLIC, True),
        ("anonymous", Audience.MEMBERS, False),
        ("member", Audience.MEMBERS, True),
        ("member", Audience.SECRETARIAT, False),
        ("owner", Audience.SECRETARIAT, True),
        ("secretariat", Audience.SECRETARIAT, True),
    ],
)
def test_photo_is_served_only_to_those_its_audience_allows(viewer, audience, allowed):
    person = _with_photo(audience)
    user = {
        "anonymous": None,
        "member": UserFactory(member=True),
        "secretariat": UserFactory(secretariat=True),
        "owner": UserFactory(member=True),
    }[viewer]
    if viewer == "owner":
        Person.objects.filter(pk=person.pk).update(user=user)
    client = _client(user)
    response = client.get(reverse("network:person_photo", args=[person.pk]))
    page = client.get(person.get_absolute_url()).content.decode()
    photo_url = reverse("network:person_photo", args=[person.pk])
    if allowed:
        assert response.status_code == 200
        assert b"".join(response.streaming_content).startswith(b"\x89PNG")
        assert photo_url in page
    else:
        assert response.status_code == 404
        assert photo_url not in page


def test_restricted_photo_is_never_cached_publicly():
    person = _with_photo(Audience.MEMBERS)
    response = _client(UserFactory(member=True)).get(
        reverse("network:person_photo", args=[person.pk])
    )
    assert "private" in response["Cache-Control"]
    assert "public" not in response["Cache-Control"]


def test_public_photo_may_be_cached():
    person = _with_photo(Audience.PUBLIC)
    response = _client().get(reverse("network:person_photo", args=[person.pk]))
    assert "public" in response["Cache-Control"]


def test_person_without_photo_answers_404():
    person = PersonFactory(photo_audience=Audience.PUBLIC)
    assert _client().get(reverse("network:person_photo", args=[person.pk])).status_code == 404
