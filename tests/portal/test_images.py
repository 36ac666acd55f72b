"""
Who may fetch an image file: whoever may see a live page that shows the image, the secretariat
always (the admin's previews), nobody else; the portal's view serves every rendition, nothing is
reachable under MEDIA_URL.
"""

import re

import pytest

from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portal.models import StandardPage
from tests.clients import Client
from tests.library.factories import resource
from tests.meetings.factories import make_meeting
from tests.portal.factories import UserFactory
from tests.portal.images import fresh_renditions, image_block, make_image, rich_text_embed

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures(fresh_renditions.__name__)]


def fetch(client, url, **headers):
    response = client.get(url, headers=headers)
    response.body = b"".join(response.streaming_content) if response.streaming else response.content
    return response


def file_bytes(rendition):
    with rendition.file.open("rb") as handle:
        return handle.read()


def standard_page(home_page, image, publish=True):
    # As in the admin: a page saved as a draft is not live until published.
    page = StandardPage(
        title="About the network", slug="about", body=[image_block(image)], live=False
    )
    home_page.add_child(instance=page)
    revision = page.save_revision()
    if publish:
        revision.publish()
    return StandardPage.objects.get(pk=page.pk)


@pytest.fixture
def member_only_image(db):
    image = make_image("Members picture")
    resource("Members guide", audience="members", body=[image_block(image)])
    return image


def test_images_of_a_public_page_are_served_by_the_portal_to_anyone(client, home_page):
    image = make_image()
    page = standard_page(home_page, image)
    html = client.get(page.url).content.decode()
    src = re.search(r'<img [^>]*src="([^"]+)"', html).group(1)
    assert src.startswith("/images/")
    response = fetch(Client(), src)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    rendition = image.renditions.get(pk=src.split("/")[3])
    assert response.body == file_bytes(rendition)
    assert response["Cache-Control"] == "public, no-cache"


def test_a_public_image_already_held_by_the_browser_costs_no_file_read(client, home_page):
    image = make_image()
    standard_page(home_page, image)
    url = image.get_rendition("width-20").url
    etag = fetch(client, url)["ETag"]
    again = fetch(client, url, if_none_match=etag)
    assert again.status_code == 304
    assert again.body == b""


def test_no_rendition_url_points_under_media_url(home_page):
    image = make_image()
    for spec in ("original", "width-20", "fill-10x10"):
        url = image.get_rendition(spec).url
        assert not url.startswith(settings.MEDIA_URL), url


def test_nothing_is_served_straight_from_media_root(client, home_page):
    image = make_image()
    standard_page(home_page, image)
    rendition = image.get_rendition("original")
    for name in (image.file.name, rendition.file.name):
        assert client.get(settings.MEDIA_URL + name).status_code == 404


def test_an_image_only_in_a_members_only_resource_is_refused_to_anonymous(member_only_image):
    rendition = member_only_image.get_rendition("width-20")
    anonymous = fetch(Client(), rendition.url)
    assert anonymous.status_code == 404
    assert anonymous.body != file_bytes(rendition)
    outsider = Client()
    outsider.force_login(UserFactory())
    assert fetch(outsider, rendition.url).status_code == 404


def test_a_member_gets_a_members_only_image_that_no_cache_keeps(member_client, member_only_image):
    rendition = member_only_image.get_rendition("width-20")
    response = fetch(member_client, rendition.url)
    assert response.status_code == 200
    assert response.body == file_bytes(rendition)
    assert "private" in response["Cache-Control"]
    assert "no-store" in response["Cache-Control"]
    assert "ETag" not in response


def test_an_image_in_the_minutes_of_a_public_meeting_is_for_members(member_client, home_page):
    image = make_image()
    meeting = make_meeting(minutes=f"<p>Minutes.</p>{rich_text_embed(image)}")
    assert 'src="/images/' in member_client.get(meeting.url).content.decode()
    rendition = image.get_rendition("original")
    assert fetch(Client(), rendition.url).status_code == 404
    assert fetch(member_client, rendition.url).status_code == 200


def test_an_image_shown_on_a_public_page_too_is_public(home_page, member_only_image):
    standard_page(home_page, member_only_image)
    assert fetch(Client(), member_only_image.get_rendition("width-20").url).status_code == 200


def test_an_image_stops_being_public_when_its_page_is_unpublished(client, home_page):
    image = make_image()
    page = standard_page(home_page, image)
    url = image.get_rendition("width-20").url
    assert fetch(client, url).status_code == 200
    page.unpublish()
    assert fetch(client, url).status_code == 404


def test_an_image_no_live_page_shows_is_for_the_secretariat_only(
    member_client, secretariat, home_page
):
    image = make_image()
    standard_page(home_page, image, publish=False)
    url = image.get_rendition("original").url
    assert fetch(Client(), url).status_code == 404
    assert fetch(member_client, url).status_code == 404
    secretariat_client = Client()
    secretariat_client.force_login(secretariat)
    assert fetch(secretariat_client, url).status_code == 200


def test_the_secretariat_sees_every_thumbnail_of_the_admin(secretariat_client, home_page):
    image = make_image()
    html = secretariat_client.get(f"/admin/images/{image.pk}/").content.decode()
    sources = set(re.findall(r'src="(/images/[^"]+)"', html))
    assert sources
    for src in sources:
        assert fetch(secretariat_client, src).status_code == 200


def test_a_url_naming_another_file_or_image_is_not_found(client, home_page):
    image, other = make_image(), make_image()
    standard_page(home_page, image)
    rendition = image.get_rendition("width-20")
    name = rendition.file.name.rsplit("/", 1)[-1]
    assert client.get(f"/images/{image.pk}/{rendition.pk}/{name}").status_code == 200
    assert client.get(f"/images/{image.pk}/{rendition.pk}/other.png").status_code == 404
    assert client.get(f"/images/{other.pk}/{rendition.pk}/{name}").status_code == 404
    assert client.get(f"/images/{image.pk}/999999/{name}").status_code == 404
    assert client.post(f"/images/{image.pk}/{rendition.pk}/{name}").status_code == 405


def test_an_image_whose_file_is_missing_renders_a_broken_image_not_a_broken_page(
    member_client, home_page
):
    image = make_image()
    image.file.storage.delete(image.file.name)
    meeting = make_meeting(minutes=rich_text_embed(image))
    response = member_client.get(meeting.url)
    assert response.status_code == 200
    src = re.search(r'<img [^>]*src="(/images/[^"]+)"', response.content.decode()).group(1)
    assert member_client.get(src).status_code == 404


@pytest.mark.parametrize("pages", [1, 4])
def test_a_public_image_costs_the_same_queries_however_many_pages_show_it(client, home_page, pages):
    image = make_image()
    standard_page(home_page, image)
    for _ in range(pages):
        resource(body=[image_block(image)], audience="members")
        make_meeting(minutes=rich_text_embed(image))
    url = image.get_rendition("width-20").url
    with CaptureQueriesContext(connection) as queries:
        assert fetch(client, url).status_code == 200
    # The rendition with its image, the references, the resources' audiences, the meetings',
    # the live pages, their privacy restrictions.
    assert len(queries) == 6, [query["sql"] for query in queries]
