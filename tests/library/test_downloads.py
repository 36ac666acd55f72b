"""Who may download a document: whoever may view a live page using it, the secretariat always,
nobody else, whatever collection it is filed in."""

import pytest

from tests.clients import Client
from tests.library.factories import document, resource
from tests.portal.factories import UserFactory


def download(client, doc):
    response = client.get(doc.url)
    if hasattr(response, "streaming_content"):
        response.body = b"".join(response.streaming_content)
    else:
        response.body = response.content
    return response


@pytest.fixture
def public_doc(library):
    doc = document("public.txt", b"public guidance text")
    resource("Public guide", attachments=[doc])
    return doc


@pytest.fixture
def members_doc(library):
    doc = document("members.txt", b"members-only guidance text")
    resource("Members guide", attachments=[doc], audience="members")
    return doc


def test_anyone_may_download_a_document_of_a_public_resource(client, public_doc):
    response = download(client, public_doc)
    assert response.status_code == 200
    assert response.body == b"public guidance text"


def test_anonymous_visitor_is_sent_to_sign_in_for_a_members_only_download(client, members_doc):
    response = download(client, members_doc)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    assert b"members-only" not in response.body


def test_signed_in_non_member_is_refused_a_members_only_download(client, members_doc):
    client.force_login(UserFactory())
    response = download(client, members_doc)
    assert response.status_code == 403
    assert b"members-only guidance" not in response.body


def test_member_downloads_members_only_file_as_a_private_unsniffed_attachment(
    member_client, members_doc
):
    response = download(member_client, members_doc)
    assert response.status_code == 200
    assert response.body == b"members-only guidance text"
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "private" in response["Cache-Control"]


def test_a_document_no_live_page_uses_is_for_the_secretariat_only(
    client, member_client, secretariat, library
):
    orphan = document("orphan.txt", b"orphan text")
    assert download(Client(), orphan).status_code == 302
    assert download(member_client, orphan).status_code == 403
    secretariat_client = Client()
    secretariat_client.force_login(secretariat)
    assert download(secretariat_client, orphan).status_code == 200


def test_a_document_of_a_draft_or_unpublished_resource_is_not_public(client, library):
    draft_doc = document("draft.txt", b"draft text")
    resource("Draft", attachments=[draft_doc], publish=False)
    withdrawn_doc = document("withdrawn.txt", b"withdrawn text")
    resource("Withdrawn", attachments=[withdrawn_doc]).unpublish()
    assert download(client, draft_doc).status_code == 302
    assert download(client, withdrawn_doc).status_code == 302


def test_a_document_shared_by_a_public_and_a_members_resource_is_public(client, library):
    doc = document("shared.txt", b"shared text")
    resource("Members edition", attachments=[doc], audience="members")
    resource("Public edition", attachments=[doc])
    response = download(client, doc)
    assert response.status_code == 200
    assert response.body == b"shared text"


def test_the_collection_an_editor_chose_does_not_widen_access(client, library):
    from wagtail.models import Collection

    public_collection = Collection.get_first_root_node().add_child(name="Public files")
    doc = document("members.txt", b"members text")
    doc.collection = public_collection
    doc.save()
    resource("Members guide", attachments=[doc], audience="members")
    assert download(client, doc).status_code == 302


def test_a_document_linked_from_a_public_standard_page_is_public(client, home_page, library):
    from portal.models import StandardPage

    doc = document("linked.txt", b"linked text")
    page = StandardPage(
        title="About",
        slug="about",
        body=[
            {
                "type": "paragraph",
                "value": f'<p>See <a linktype="document" id="{doc.pk}">the file</a>.</p>',
            }
        ],
    )
    home_page.add_child(instance=page)
    page.save_revision().publish()
    assert download(client, doc).status_code == 200


def test_one_download_hook_decides_for_every_document():
    """Wagtail serves the answer of the first `before_serve_document` hook that gives one: a
    second hook could only widen or narrow the policy depending on the order apps load."""
    from wagtail import hooks

    from library.wagtail_hooks import guard_document_download

    assert hooks.get_hooks("before_serve_document") == [guard_document_download]


def test_a_collections_privacy_setting_does_not_narrow_access_either(client, public_doc):
    """The pages showing a document decide, not the collection it is filed in: a restriction
    left on a collection (its admin dialog is switched off) neither hides a public document nor
    asks for a collection password."""
    from wagtail.models import CollectionViewRestriction

    CollectionViewRestriction.objects.create(
        collection=public_doc.collection, restriction_type="password", password="open sesame"
    )
    response = download(client, public_doc)
    assert response.status_code == 200
    assert response.body == b"public guidance text"


def test_a_page_under_a_privacy_restriction_counts_for_the_secretariat_only(
    client, member_client, home_page, library
):
    from wagtail.models import PageViewRestriction

    from portal.models import StandardPage

    doc = document("restricted.txt", b"restricted text")
    page = StandardPage(
        title="Private corner",
        slug="private-corner",
        live=False,
        body=[("paragraph", f'<p><a linktype="document" id="{doc.pk}">file</a></p>')],
    )
    home_page.add_child(instance=page)
    page.save_revision().publish()
    PageViewRestriction.objects.create(page=home_page, restriction_type="login")
    assert download(Client(), doc).status_code == 302
    assert download(member_client, doc).status_code == 403


@pytest.mark.parametrize("uses", [1, 3])
def test_a_download_costs_the_same_queries_however_many_places_show_the_document(
    home_page, library, uses, django_assert_num_queries
):
    from meetings.models import AgendaItem, MeetingDocument
    from tests.meetings.factories import make_meeting

    doc = document("busy.txt", b"busy text")
    link = f'<a linktype="document" id="{doc.pk}">file</a>'
    for _ in range(uses):
        resource(attachments=[doc], audience="members", body=[("paragraph", f"<p>{link}</p>")])
        make_meeting(
            minutes=f"<p>{link}</p>",
            children={
                "documents": [MeetingDocument(document=doc, audience="secretariat")],
                "agenda_items": [AgendaItem(title="Item", documents=[doc])],
            },
        )
    anonymous = Client()
    # The document, the attachments, the references, the resources' audiences, the agenda
    # papers, the meetings' papers and audiences, the live pages, their privacy restrictions.
    with django_assert_num_queries(9):
        assert download(anonymous, doc).status_code == 302
