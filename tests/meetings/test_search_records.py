"""Search records of meetings: the public part for everyone, the record for members only."""

import pytest

from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext

from meetings.models import ActionPoint, AgendaItem, Decision, MeetingDocument, MeetingPage
from meetings.search_records import SOURCE_NAME, MeetingRecordSource
from network.models import Person
from portal.access import Audience
from search import service
from search.registry import get_source
from tests.meetings.factories import make_country, make_document, make_meeting, make_person

pytestmark = pytest.mark.django_db


def recorded_meeting(**fields):
    person = make_person(given_name="Besa", family_name="Krasniqi")
    document = make_document("Notes")
    document.extracted_text = "zebrafinch attachment words"
    document.save()
    secret = make_document("Budget")
    secret.extracted_text = "secretariat budget figures"
    secret.save()
    return make_meeting(
        title="Regional meeting on labour exploitation",
        host_country=make_country("Albania", "AL"),
        minutes="<p>The coordinators discussed kingfisher protocols.</p>",
        children={
            "agenda_items": [AgendaItem(title="Pangolin referral pathways", presenter=person)],
            "decisions": [Decision(number=1, text="Adopt the heron guidelines")],
            "action_points": [
                ActionPoint(description="Circulate the ocelot checklist", owner_person=person)
            ],
            "documents": [
                MeetingDocument(document=document, audience=Audience.MEMBERS),
                MeetingDocument(document=secret, audience=Audience.SECRETARIAT),
            ],
        },
        **fields,
    )


def records_of(meeting):
    source = get_source(SOURCE_NAME)
    return source.records_for(source.get_object(meeting.pk))


def test_the_source_is_registered_under_its_name():
    assert isinstance(get_source("meetings.meeting"), MeetingRecordSource)


def test_a_public_meeting_has_a_public_record_and_a_cumulative_members_record():
    meeting = recorded_meeting()
    public, members = records_of(meeting)
    assert public.audiences == ("public",)
    assert members.audiences == ("members", "secretariat")
    assert public.key != members.key
    for secret in ("kingfisher", "Pangolin", "heron", "ocelot", "zebrafinch", "Krasniqi"):
        assert secret not in public.body + public.summary + public.attachments
    for text in ("kingfisher", "Pangolin", "heron", "ocelot", "Public summary"):
        assert text in members.body
    assert "zebrafinch" in members.attachments
    assert "secretariat budget" not in members.attachments
    assert public.facets["meeting_type"] == ["regional_meeting"]
    assert public.facets["country"] == ["AL"]
    assert public.facets["year"] == [str(meeting.start_date.year)]
    assert public.kind == members.kind == "meeting"
    assert public.url == meeting.url


def test_a_members_meeting_has_only_the_members_record():
    (record,) = records_of(recorded_meeting(audience=Audience.MEMBERS))
    assert record.audiences == ("members", "secretariat")


def test_a_secretariat_meeting_is_indexed_for_the_secretariat_alone():
    (record,) = records_of(recorded_meeting(audience=Audience.SECRETARIAT))
    assert record.audiences == ("secretariat",)
    assert "secretariat budget" in record.attachments


def test_an_unpublished_meeting_has_no_records():
    meeting = make_meeting(publish=False)
    assert records_of(meeting) == []
    assert MeetingRecordSource().get_object("nonsense") is None
    assert MeetingRecordSource().get_object(999999) is None


def test_iter_objects_streams_live_meetings():
    live = make_meeting()
    make_meeting(publish=False)
    assert [meeting.pk for meeting in MeetingRecordSource().iter_objects()] == [live.pk]


def meeting_with(n):
    person = make_person()
    return make_meeting(
        children={
            "agenda_items": [AgendaItem(title=f"Item {k}", presenter=person) for k in range(n)],
            "decisions": [Decision(number=k, text=f"Decision {k}") for k in range(n)],
            "action_points": [
                ActionPoint(description=f"Task {k}", owner_person=person) for k in range(n)
            ],
            "documents": [MeetingDocument(document=make_document(f"Doc {k}")) for k in range(n)],
        }
    )


def test_a_rebuild_reads_meetings_with_more_presenters_than_sqlite_can_or_together():
    # Django 5.2 prefetches a foreign key as `id = %s OR ...`: past ~1,000 distinct rows SQLite
    # refuses the query ("Expression tree is too large"). The source joins them instead.
    people = Person.objects.bulk_create(
        Person(given_name="Presenter", family_name=f"Number{k}") for k in range(1100)
    )
    meeting = make_meeting()
    AgendaItem.objects.bulk_create(
        AgendaItem(meeting=meeting, sort_order=k, title=f"Item {k}", presenter=person)
        for k, person in enumerate(people)
    )
    source = MeetingRecordSource()
    [found] = source.iter_objects()
    assert found.pk == meeting.pk
    members = [record for record in source.records_for(found) if "members" in record.audiences]
    assert "Number1099" in members[0].body


def test_records_are_built_with_a_fixed_number_of_queries():
    source = MeetingRecordSource()
    counts = []
    for meeting in (meeting_with(3), meeting_with(30)):
        with CaptureQueriesContext(connection) as captured:
            source.records_for(source.get_object(meeting.pk))
        counts.append(len(captured))
    assert counts[0] == counts[1]


def test_publishing_indexes_and_unpublishing_removes_the_meeting(
    django_capture_on_commit_callbacks, member
):
    with django_capture_on_commit_callbacks(execute=True):
        meeting = recorded_meeting()
    anonymous = AnonymousUser()
    assert service.search("labour exploitation", anonymous).total == 1
    assert service.search("kingfisher", anonymous).total == 0
    assert service.search("kingfisher", member).total == 1
    with django_capture_on_commit_callbacks(execute=True):
        MeetingPage.objects.get(pk=meeting.pk).unpublish()
    assert service.search("labour exploitation", anonymous).total == 0
    assert service.search("kingfisher", member).total == 0
