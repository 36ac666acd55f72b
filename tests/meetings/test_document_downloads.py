"""
Who may download a meeting's files: a paper (MeetingDocument) its own audience, never below the
meeting's; a file linked from the minutes or attached to an agenda item the record's (members-only
at least); one linked from the public summary the meeting's. The most open live place wins, and
the library's download hook is the only one asked.
"""

import pytest

from meetings.models import AgendaItem, MeetingDocument, MeetingPage
from portal.access import Audience
from tests.clients import Client
from tests.library.factories import resource
from tests.meetings.factories import make_document, make_meeting
from tests.portal.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def tiers(db):
    clients = {"anonymous": Client(), "outsider": Client(), "member": Client()}
    clients["outsider"].force_login(UserFactory())
    clients["member"].force_login(UserFactory(member=True))
    clients["secretariat"] = Client()
    clients["secretariat"].force_login(UserFactory(secretariat=True))
    return clients


def downloads(tiers, document):
    """Which tiers get the file's bytes; the others must get no byte of it."""
    with document.file.open("rb") as handle:
        content = handle.read()
    served = set()
    for tier, client in tiers.items():
        response = client.get(document.url)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        if response.status_code == 200:
            assert body == content, tier
            served.add(tier)
        else:
            assert response.status_code in (302, 403), (tier, response.status_code)
            assert content not in body, tier
    return served


MEMBERS_AND_UP = {"member", "secretariat"}
EVERYONE = {"anonymous", "outsider", *MEMBERS_AND_UP}


def paper(audience):
    return MeetingDocument(document=make_document(f"{audience} paper"), audience=audience)


@pytest.mark.parametrize(
    ("meeting_audience", "paper_audience", "served"),
    [
        (Audience.PUBLIC, Audience.PUBLIC, EVERYONE),
        (Audience.PUBLIC, Audience.MEMBERS, MEMBERS_AND_UP),
        (Audience.PUBLIC, Audience.SECRETARIAT, {"secretariat"}),
        (Audience.MEMBERS, Audience.PUBLIC, MEMBERS_AND_UP),
        (Audience.MEMBERS, Audience.MEMBERS, MEMBERS_AND_UP),
        (Audience.MEMBERS, Audience.SECRETARIAT, {"secretariat"}),
    ],
)
def test_a_meeting_paper_is_served_to_its_own_audience_never_below_the_meetings(
    tiers, meeting_audience, paper_audience, served
):
    the_paper = paper(paper_audience)
    make_meeting(audience=meeting_audience, children={"documents": [the_paper]})
    assert downloads(tiers, the_paper.document) == served


def test_a_file_linked_only_from_the_minutes_of_a_public_meeting_is_for_members(tiers):
    document = make_document("minutes annex")
    make_meeting(
        minutes=f'<p>See <a linktype="document" id="{document.pk}">the annex</a>.</p>',
    )
    assert downloads(tiers, document) == MEMBERS_AND_UP
    anonymous = tiers["anonymous"].get(document.url)
    assert "/accounts/login/" in anonymous["Location"]


def test_a_file_linked_from_the_public_summary_is_public(tiers):
    document = make_document("summary annex")
    make_meeting(
        public_summary=f'<p>The <a linktype="document" id="{document.pk}">report</a>.</p>',
    )
    assert downloads(tiers, document) == EVERYONE


def test_a_file_linked_from_the_public_summary_of_a_members_meeting_is_for_members(tiers):
    document = make_document("summary annex")
    make_meeting(
        audience=Audience.MEMBERS,
        public_summary=f'<p>The <a linktype="document" id="{document.pk}">report</a>.</p>',
    )
    assert downloads(tiers, document) == MEMBERS_AND_UP


def test_an_agenda_paper_is_for_whoever_may_read_the_record(tiers):
    open_paper, closed_paper = make_document("agenda paper"), make_document("closed agenda paper")
    make_meeting(children={"agenda_items": [AgendaItem(title="Item", documents=[open_paper])]})
    make_meeting(
        audience=Audience.SECRETARIAT,
        children={"agenda_items": [AgendaItem(title="Item", documents=[closed_paper])]},
    )
    assert downloads(tiers, open_paper) == MEMBERS_AND_UP
    assert downloads(tiers, closed_paper) == {"secretariat"}


def test_the_most_open_live_place_wins_whoever_else_shows_the_file(tiers):
    """A secretariat-only paper that a public resource also attaches is public; once the
    resource is unpublished, the paper's own audience decides again."""
    the_paper = paper(Audience.SECRETARIAT)
    make_meeting(children={"documents": [the_paper]})
    guide = resource("Public guide", attachments=[the_paper.document])
    assert downloads(tiers, the_paper.document) == EVERYONE
    guide.unpublish()
    assert downloads(tiers, the_paper.document) == {"secretariat"}


def test_a_paper_of_an_unpublished_meeting_is_for_the_secretariat_only(tiers):
    the_paper = paper(Audience.PUBLIC)
    meeting = make_meeting(children={"documents": [the_paper]})
    meeting.unpublish()
    assert downloads(tiers, the_paper.document) == {"secretariat"}


def test_a_meeting_states_the_audience_of_each_place_it_shows_a_file():
    """MeetingPage.audiences_at, as the reference index gives it the places."""
    document = make_document("everywhere")
    public_paper = MeetingDocument(document=document, audience=Audience.PUBLIC)
    meeting = make_meeting(children={"documents": [public_paper]})
    paper_path = f"documents.{meeting.documents.get().pk}.document"

    def audience(*paths):
        return MeetingPage.audiences_at(document, {meeting.pk: list(paths)})[meeting.pk]

    assert audience("minutes.") == Audience.MEMBERS
    assert audience("public_summary.") == Audience.PUBLIC
    assert audience(paper_path) == Audience.PUBLIC
    assert audience("minutes.", paper_path) == Audience.PUBLIC
    # A field added later counts as the record, never as public.
    assert audience("outcome_report.") == Audience.MEMBERS
    # A reference index row naming a paper that now holds another file counts for nothing.
    assert audience("documents.999999.document") is None
    MeetingPage.objects.filter(pk=meeting.pk).update(audience=Audience.SECRETARIAT)
    assert audience(paper_path) == Audience.SECRETARIAT
    assert audience("public_summary.") == Audience.SECRETARIAT


@pytest.mark.parametrize("worker_ran", [False, True])
def test_a_file_moved_from_the_summary_into_the_minutes_is_for_members_once_published(
    tiers, settings, worker_ran
):
    """Wagtail rebuilds references in a background task; until a worker has run it, the file
    must not stay public on the strength of the old references."""
    from django_tasks import default_task_backend

    document = make_document("annex")
    link = f'<a linktype="document" id="{document.pk}">annex</a>'
    meeting = make_meeting(public_summary=f"<p>{link}</p>")
    assert downloads(tiers, document) == EVERYONE
    # Background tasks are kept, not run, as when the worker is busy or down.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    meeting.public_summary = "<p>Summary.</p>"
    meeting.minutes = f"<p>{link}</p>"
    meeting.save_revision().publish()
    if worker_ran:
        for result in default_task_backend.results:
            result.task.call(*result.args, **result.kwargs)
    assert downloads(tiers, document) == MEMBERS_AND_UP
