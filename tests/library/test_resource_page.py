"""A resource page: metadata, attachments, languages, supersession, related resources, good
practice fields, the indicator checklist, serving by audience and its query count."""

import datetime

import pytest

from library.models import ResourceType
from tests.library import factories
from tests.library.factories import document, resource

CHECKLIST = [
    {
        "type": "indicator_checklist",
        "value": {
            "title": "Initial screening indicators",
            "introduction": "For labour inspectors.",
            "categories": [
                {
                    "name": "Control of movement",
                    "indicators": [
                        {"text": "Identity documents held by the employer", "source": "SOP 4.2"},
                        {"text": "Cannot leave the workplace", "source": ""},
                    ],
                }
            ],
        },
    }
]


def test_resource_page_shows_its_metadata(client, library):
    publisher = factories.organisation("Office of the National Coordinator")
    page = resource(
        "Referral SOP",
        resource_type=ResourceType.SOP,
        topics=["referral"],
        countries=["AL"],
        languages=["en"],
        publishers=[publisher],
        published=datetime.date(2019, 10, 18),
        version_label="2nd edition",
    )
    body = client.get(page.url).content.decode()
    for text in [
        "Referral SOP",
        "Standard operating procedure",
        "18 October 2019",
        "2nd edition",
        "Office of the National Coordinator",
        "Referral",
        "Country AL",
    ]:
        assert text in body


def test_attachments_show_type_size_and_page_count(client, library):
    doc = document("sop.pdf", factories.pdf_bytes(["one", "two", "three"]), title="The SOP")
    doc.refresh_from_db()
    type(doc).objects.filter(pk=doc.pk).update(page_count=3)
    page = resource("With files", attachments=[doc])
    body = client.get(page.url).content.decode()
    assert "The SOP" in body
    assert "PDF" in body
    assert "3 pages" in body
    assert "bytes" in body or "KB" in body


def test_superseded_resource_says_so_and_links_to_the_current_one(client, library):
    old = resource("Referral SOP 2015")
    new = resource("Referral SOP 2020", supersedes=old)
    newest = resource("Referral SOP 2024", supersedes=new)
    body = client.get(old.url).content.decode()
    assert "This edition has been superseded" in body
    assert newest.url in body
    assert "superseded" not in client.get(newest.url).content.decode()


def test_supersession_banner_never_names_a_successor_the_visitor_may_not_see(client, library):
    old = resource("Public SOP")
    resource("Secret revision title", supersedes=old, audience="members")
    body = client.get(old.url).content.decode()
    assert "superseded" not in body
    assert "Secret revision title" not in body


def test_translations_list_each_available_language(client, library):
    original = resource("Referral guidelines", languages=["en"])
    french = resource("Lignes directrices", languages=["fr"], translation_of=original)
    body = client.get(original.url).content.decode()
    assert "Available languages" in body
    assert french.url in body
    assert 'lang="fr"' in body
    assert original.url in client.get(french.url).content.decode()


def test_related_resources_are_listed_when_visible(anonymous_client, member_client, library):
    public = resource("Public tool")
    hidden = resource("Members tool", audience="members")
    page = resource("Main guide", related=[public, hidden])
    anonymous_body = anonymous_client.get(page.url).content.decode()
    assert "Public tool" in anonymous_body
    assert "Members tool" not in anonymous_body
    member_body = member_client.get(page.url).content.decode()
    assert "Members tool" in member_body
    assert 'data-audience="members"' in member_body


def test_good_practice_shows_its_structured_fields(client, library):
    contact = factories.person("Ana", "Fictional")
    page = resource(
        "Mobile identification teams",
        resource_type=ResourceType.GOOD_PRACTICE,
        practice_country=factories.country("RS", "Serbia"),
        practice_organisation=factories.organisation("Centre for Protection"),
        problem="Victims in remote areas were not identified.",
        approach="Mobile teams visit farms with labour inspectors.",
        results="Twice as many referrals in two years.",
        transferability="Needs a labour inspectorate willing to join.",
        contact_person=contact,
    )
    body = client.get(page.url).content.decode()
    for text in [
        "Centre for Protection",
        "Serbia",
        "Victims in remote areas",
        "Mobile teams visit farms",
        "Twice as many referrals",
        "Needs a labour inspectorate",
        "Ana Fictional",
    ]:
        assert text in body


def test_indicator_checklist_renders_as_a_readable_checklist(client, library):
    page = resource("Screening indicators", body=CHECKLIST)
    body = client.get(page.url).content.decode()
    assert "Initial screening indicators" in body
    assert "<legend><h3>Control of movement</h3></legend>" in body
    assert "Identity documents held by the employer" in body
    assert "Source: SOP 4.2" in body
    assert body.count('class="indicator"') == 2


def test_members_only_resource_sends_anonymous_visitor_to_sign_in(client, library):
    page = resource("Members SOP", audience="members")
    response = client.get(page.url)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_member_reads_members_only_resource_marked_and_privately_cached(member_client, library):
    page = resource("Members SOP", audience="members")
    response = member_client.get(page.url)
    assert response.status_code == 200
    assert 'data-audience="members"' in response.content.decode()
    assert "private" in response["Cache-Control"]


def test_signed_in_user_without_membership_gets_403(client, library):
    from tests.portal.factories import UserFactory

    client.force_login(UserFactory())
    page = resource("Members SOP", audience="members")
    assert client.get(page.url).status_code == 403


def test_resource_slug_may_not_shadow_the_feed(library):
    from django.core.exceptions import ValidationError

    page = factories.ResourcePage(title="Feed", slug="feed", summary="x")
    with pytest.raises(ValidationError, match="reserved"):
        page.full_clean()


def test_translation_must_point_at_the_original(library):
    from django.core.exceptions import ValidationError

    original = resource("Original")
    translation = resource("Translation", translation_of=original)
    page = factories.ResourcePage(
        title="Second-hand translation", slug="second", summary="x", translation_of=translation
    )
    with pytest.raises(ValidationError, match="original edition"):
        page.full_clean()


@pytest.mark.parametrize("count", [3, 30])
def test_resource_page_query_count_is_fixed(client, library, django_assert_num_queries, count):
    docs = [document(f"file{n}.txt", b"text") for n in range(count)]
    related = [resource(f"Related {n}") for n in range(count)]
    page = resource(
        "Main",
        topics=["referral", "children"],
        countries=["AL"],
        languages=["en"],
        attachments=docs,
        related=related,
    )
    client.get(page.url)
    with django_assert_num_queries(RESOURCE_PAGE_QUERIES):
        response = client.get(page.url)
    assert response.status_code == 200


RESOURCE_PAGE_QUERIES = 20
