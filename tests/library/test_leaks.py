"""Nothing members-only reaches an anonymous visitor by any way out of the library: listing,
resource page, feed, sitemap, download, home page, referral guidance, search records."""

import pytest

from django.contrib.auth.models import AnonymousUser

from library.referral import referral_guidance
from library.search_records import ResourceRecordSource
from network.referral import referral_resources
from tests.library.factories import document, resource

SECRET_TITLE = "Confidential okapi referral SOP"
SECRET_SUMMARY = "Summary of the okapi procedure"
SECRET_TEXT = b"okapi attachment text"


@pytest.fixture
def secret(library):
    doc = document("okapi.txt", SECRET_TEXT, title="Okapi annex")
    type(doc).objects.filter(pk=doc.pk).update(extracted_text=SECRET_TEXT.decode())
    page = resource(
        SECRET_TITLE,
        summary=SECRET_SUMMARY,
        audience="members",
        topics=["referral"],
        countries=["AL"],
        attachments=[doc],
    )
    resource("Public guide", topics=["referral"], countries=["AL"])
    return page, doc


def assert_nothing_secret(body):
    for text in (SECRET_TITLE, SECRET_SUMMARY, "okapi", "Okapi annex"):
        assert text not in body


@pytest.mark.parametrize(
    "url",
    ["/", "/library/", "/library/?all_versions=1&sort=title", "/library/feed/", "/sitemap.xml"],
)
def test_anonymous_visitor_never_sees_members_only_resource(anonymous_client, secret, url):
    response = anonymous_client.get(url)
    assert response.status_code == 200
    assert_nothing_secret(response.content.decode())


@pytest.mark.parametrize("url", ["/", "/library/", "/library/feed/"])
def test_member_sees_members_only_resource(member_client, secret, url):
    body = member_client.get(url).content.decode()
    assert SECRET_TITLE in body


def test_anonymous_visitor_cannot_open_the_resource_or_download_its_file(anonymous_client, secret):
    page, doc = secret
    response = anonymous_client.get(page.url)
    assert response.status_code == 302
    response = anonymous_client.get(doc.url)
    assert response.status_code == 302
    assert "okapi" not in response.content.decode()


def test_member_opens_the_resource_and_downloads_its_file(member_client, secret):
    page, doc = secret
    assert SECRET_TITLE in member_client.get(page.url).content.decode()
    response = member_client.get(doc.url)
    assert response.content == SECRET_TEXT
    assert response["Content-Disposition"].startswith("attachment")


def test_search_records_of_members_only_resource_exclude_the_public_tier(secret):
    page, _ = secret
    source = ResourceRecordSource()
    [record] = source.records_for(source.get_object(page.pk))
    assert "public" not in record.audiences
    assert record.attachments == SECRET_TEXT.decode()


def test_referral_guidance_is_filtered_by_the_policy(secret, member):
    anonymous = [item.title for item in referral_guidance(["AL"], AnonymousUser())]
    assert anonymous == ["Public guide"]
    members = {item.title for item in referral_resources(["AL"], member)}
    assert members == {"Public guide", SECRET_TITLE}
