"""The meeting pack: one ZIP with the agenda and the documents the requester may see."""

import io
import zipfile

import pytest

from meetings.models import AgendaItem, MeetingDocument
from portal.access import Audience
from tests.clients import Client
from tests.meetings.factories import make_document, make_meeting, make_person
from tests.portal.factories import UserFactory

pytestmark = pytest.mark.django_db


def pack_meeting():
    return make_meeting(
        title="Pack meeting",
        children={
            "agenda_items": [
                AgendaItem(
                    title="Referral SOP review",
                    presenter=make_person(given_name="Mira"),
                    documents=[make_document("SOP draft", b"sop draft bytes", "sop-draft.pdf")],
                )
            ],
            "documents": [
                MeetingDocument(
                    document=make_document("Report", b"report bytes", "report.pdf"),
                    audience=Audience.PUBLIC,
                ),
                MeetingDocument(
                    document=make_document("Notes", b"member notes", "notes.pdf"),
                    audience=Audience.MEMBERS,
                ),
                MeetingDocument(
                    document=make_document("Budget", b"budget bytes", "budget.pdf"),
                    audience=Audience.SECRETARIAT,
                ),
            ],
        },
    )


def download(client, meeting):
    return client.get(f"/meetings/meeting/{meeting.pk}/pack.zip")


def archive_of(response):
    assert response.status_code == 200
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def test_member_downloads_the_agenda_and_the_documents_they_may_see(member_client):
    meeting = pack_meeting()
    response = download(member_client, meeting)
    assert response["Content-Type"] == "application/zip"
    assert "attachment" in response["Content-Disposition"]
    assert "private" in response["Cache-Control"]
    archive = archive_of(response)
    assert sorted(archive.namelist()) == [
        "agenda.html",
        "documents/notes.pdf",
        "documents/report.pdf",
        "documents/sop-draft.pdf",
    ]
    assert archive.read("documents/notes.pdf") == b"member notes"
    agenda = archive.read("agenda.html").decode()
    assert "Referral SOP review" in agenda and "Mira" in agenda


def test_secretariat_pack_also_holds_secretariat_documents(secretariat_client):
    archive = archive_of(download(secretariat_client, pack_meeting()))
    assert "documents/budget.pdf" in archive.namelist()


def test_anonymous_visitors_and_non_members_get_no_pack():
    meeting = pack_meeting()
    response = download(Client(), meeting)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    outsider = Client()
    outsider.force_login(UserFactory())
    assert download(outsider, meeting).status_code == 403


def test_documents_with_the_same_title_do_not_overwrite_each_other(member_client):
    meeting = make_meeting(
        children={
            "documents": [
                MeetingDocument(document=make_document("Paper", b"one", "one.pdf")),
                MeetingDocument(document=make_document("Paper", b"two", "two.pdf")),
            ]
        }
    )
    archive = archive_of(download(member_client, meeting))
    contents = sorted(
        archive.read(name) for name in archive.namelist() if name.startswith("documents/")
    )
    assert contents == [b"one", b"two"]


def test_a_members_document_url_is_closed_to_anonymous_visitors(member_client):
    meeting = pack_meeting()
    notes = meeting.documents.get(audience=Audience.MEMBERS).document
    report = meeting.documents.get(audience=Audience.PUBLIC).document
    anonymous = Client()
    response = anonymous.get(notes.url)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert anonymous.get(report.url).status_code == 200
    assert member_client.get(notes.url).status_code == 200
    sop = meeting.agenda_items.get().documents.get()
    assert anonymous.get(sop.url).status_code == 302
    budget = meeting.documents.get(audience=Audience.SECRETARIAT).document
    assert member_client.get(budget.url).status_code == 403
