"""A document's extracted text reaches every record that shows it: search asks each app's
registered lookup (resources attaching the document, meetings listing it or an agenda item's
paper) and re-indexes them when the text arrives. On the database the suite runs on (SQLite with
eager tasks, or PostgreSQL), and once through a real Celery worker in the PostgreSQL pass."""

import pytest

from django.conf import settings
from django.core.files.base import ContentFile

from library.models import LibraryDocument
from library.tasks import extract_document_text
from meetings.models import AgendaItem, MeetingDocument
from portal.access import Audience
from search import service
from search.registry import objects_showing_documents
from tests.library.factories import resource
from tests.meetings.factories import make_meeting

WORDS = b"The pangolin corridor protocol for cross-border referral."


@pytest.fixture(autouse=True)
def database_backend(settings):
    settings.ELASTICSEARCH_URL = ""


def uploaded_paper(django_capture_on_commit_callbacks, content=WORDS):
    """A text document as the admin saves it, its extraction not run yet."""
    with django_capture_on_commit_callbacks(execute=False):
        document = LibraryDocument(title="Paper")
        document.file.save("paper.txt", ContentFile(content), save=False)
        document.save()
    return document


def titles(query, user=None):
    return [hit.title for hit in service.search(query, user).hits]


def extract(document, django_capture_on_commit_callbacks):
    """The extraction task, as the worker runs it: the re-index it asks for runs after it."""
    with django_capture_on_commit_callbacks(execute=True):
        extract_document_text(document.pk)


def test_a_meeting_papers_text_becomes_searchable_on_its_record_after_extraction(
    db, member, django_capture_on_commit_callbacks
):
    paper = uploaded_paper(django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        meeting = make_meeting(
            title="Regional coordination meeting",
            children={"documents": [MeetingDocument(document=paper, audience=Audience.MEMBERS)]},
        )
    assert titles("pangolin", member) == []  # indexed before the text was read

    extract(paper, django_capture_on_commit_callbacks)
    assert titles("pangolin", member) == [meeting.title]
    # The paper is for members: the public part of the meeting does not carry its text.
    assert titles("pangolin") == []


def test_an_agenda_items_paper_is_searchable_on_the_meeting_record_after_extraction(
    db, member, django_capture_on_commit_callbacks
):
    paper = uploaded_paper(django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        meeting = make_meeting(
            title="Expert group meeting",
            children={"agenda_items": [AgendaItem(title="Referral pathways", documents=[paper])]},
        )
    assert titles("pangolin", member) == []

    extract(paper, django_capture_on_commit_callbacks)
    assert titles("pangolin", member) == [meeting.title]
    assert titles("pangolin") == []


def test_a_secretariat_paper_of_a_members_meeting_stays_out_of_the_members_record(
    db, member, secretariat, django_capture_on_commit_callbacks
):
    paper = uploaded_paper(django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        make_meeting(
            title="Members' meeting",
            audience=Audience.MEMBERS,
            children={
                "documents": [MeetingDocument(document=paper, audience=Audience.SECRETARIAT)]
            },
        )
    extract(paper, django_capture_on_commit_callbacks)
    assert titles("pangolin", member) == []


def test_every_object_showing_a_document_is_found_and_re_indexed_once(
    db, member, django_capture_on_commit_callbacks
):
    paper = uploaded_paper(django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        page = resource("Pangolin guide", attachments=[paper])
        meeting = make_meeting(
            title="Meeting with the paper twice",
            children={
                "documents": [MeetingDocument(document=paper)],
                "agenda_items": [AgendaItem(title="Item", documents=[paper])],
            },
        )
    assert objects_showing_documents([paper.pk]) == sorted(
        [("library.resource", str(page.pk)), ("meetings.meeting", str(meeting.pk))]
    )
    extract(paper, django_capture_on_commit_callbacks)
    assert sorted(titles("pangolin", member)) == sorted([page.title, meeting.title])
    assert objects_showing_documents([]) == []


@pytest.mark.worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_on_a_real_worker_the_extracted_text_reaches_the_meeting_record(member):
    from celery import Celery

    from django.db import connection

    from tests.workers import start_worker, stop_worker, wait_for, worker_redis_url

    redis_url = worker_redis_url()
    probe = Celery("probe", broker=redis_url, set_as_current=False)
    probe.conf.update(task_serializer="json", accept_content=["json"])
    probe.control.purge()
    worker = start_worker(
        probe,
        "extraction",
        ["extraction", "indexing"],
        {
            "CELERY_BROKER_URL": redis_url,
            "MEDIA_ROOT": str(settings.MEDIA_ROOT),
            "PRIVATE_MEDIA_ROOT": str(settings.PRIVATE_MEDIA_ROOT),
            "ELASTICSEARCH_URL": "",
        },
    )
    try:
        # Tasks sent from this process run inline (eager): the upload's own extraction runs
        # here, so its text is cleared again and the worker's extraction is the one that brings
        # it; the meeting is indexed inline on publishing, without it.
        document = LibraryDocument(title="Paper")
        document.file.save("paper.txt", ContentFile(WORDS), save=False)
        document.save()
        LibraryDocument.objects.filter(pk=document.pk).update(
            extraction_status=LibraryDocument.Extraction.PENDING, extracted_text=""
        )
        meeting = make_meeting(
            title="Worker meeting", children={"documents": [MeetingDocument(document=document)]}
        )
        probe.send_task(
            "library.tasks.extract_document_text", args=[document.pk], queue="extraction"
        )
        wait_for(
            lambda: titles("pangolin", member) == [meeting.title],
            90,
            "the meeting record did not get the paper's text from the worker within 90 s",
        )
    finally:
        stop_worker(worker)
        probe.close()
        connection.close()
